//! Classification of free text: holder kind and region from a holder's
//! name, IPC subclasses from a title, implementation modes from text.

use crate::server::api_error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::server::app_state::AppState;
use crate::server::caller::Caller;
use crate::server::extract::ApiJson;
use axum::extract::State;
use axum::Json;
use ranker::{
    classify_holder, read_modes, HolderClass, IpcSuggestions, ModeReading, TitleEmbedding,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longest title or text classified, in characters; the model reads only
/// the first few hundred anyway.
const MAX_CHARS: usize = 2_000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassifyBody {
    /// A holder's name (专利权人): kind and region.
    pub holder: Option<String>,
    /// A patent title, optionally followed by its abstract: IPC subclasses.
    pub title: Option<String>,
    /// Free text naming implementation modes (`可转让或普通许可`).
    pub modes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassifyAnswer {
    /// Present when a holder was given; `kind` is absent when no rule applies.
    #[schema(value_type = Option<Object>)]
    pub holder: Option<HolderClass>,
    /// Present when a title was given: the top subclasses with
    /// confidences, those chosen, or an abstention.
    #[schema(value_type = Option<Object>)]
    pub ipc: Option<IpcSuggestions>,
    /// Present when mode text was given; `unparsed` lists what was not read.
    #[schema(value_type = Option<Object>)]
    pub modes: Option<ModeReading>,
}

#[utoipa::path(post, path = "/v1/classify", tag = "classify", request_body = ClassifyBody,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "the classes, each with a confidence", body = ClassifyAnswer),
        (status = 422, description = "invalid_field: nothing to classify, or text too long", body = ErrorBody),
        (status = 503, description = "index_not_ready: the model is still loading", body = ErrorBody),
    ))]
pub async fn classify(
    State(state): State<AppState>,
    _caller: Caller,
    ApiJson(body): ApiJson<ClassifyBody>,
) -> ApiResult<Json<ClassifyAnswer>> {
    let given = |text: &Option<String>| text.as_deref().is_some_and(|t| !t.trim().is_empty());
    if !given(&body.holder) && !given(&body.title) && !given(&body.modes) {
        return Err(ApiError::new(
            ErrorKind::InvalidField,
            "holder, title, modes: give at least one",
        ));
    }
    for (field, text) in [
        ("holder", &body.holder),
        ("title", &body.title),
        ("modes", &body.modes),
    ] {
        let chars = text.as_deref().map_or(0, |t| t.chars().count());
        if chars > MAX_CHARS {
            return Err(ApiError::new(
                ErrorKind::InvalidField,
                format!("{field}: {chars} characters, at most {MAX_CHARS}"),
            ));
        }
    }
    let ipc = match body
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(title) => {
            let ranker = state.ranker()?;
            let classifier = state.ipc().ok_or_else(|| {
                ApiError::new(
                    ErrorKind::IndexNotReady,
                    "no IPC classifier is loaded (index with --ipc-titles, or serve with --ipc-classifier)",
                )
            })?;
            let title = title.to_string();
            Some(
                state
                    .blocking(move |_| {
                        let embedder = ranker.embedder();
                        let vectors = match classifier.config().embedding {
                            TitleEmbedding::Query => embedder.embed_queries(&[&title]),
                            TitleEmbedding::Passage => embedder.embed_passages(&[&title]),
                        }
                        .map_err(ApiError::internal)?;
                        let vector = vectors
                            .first()
                            .ok_or_else(|| ApiError::internal("the model returned no vector"))?;
                        Ok(classifier.classify(vector, &title)?)
                    })
                    .await?,
            )
        }
        None => None,
    };
    Ok(Json(ClassifyAnswer {
        holder: body
            .holder
            .as_deref()
            .filter(|h| !h.trim().is_empty())
            .map(classify_holder),
        ipc,
        modes: body
            .modes
            .as_deref()
            .filter(|m| !m.trim().is_empty())
            .map(read_modes),
    }))
}
