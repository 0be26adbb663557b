//! Enterprise demands JSONL (`techmarket-demand`, `haiyan-demand`), into
//! demand profiles.

use super::fields::Fields;
use crate::{parse_budget, parse_date, parse_modes, DemandProfile};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// The source whose `text` is the company's own profile rather than the
/// problem, and so identifies the company.
const PROFILE_TEXT_SOURCE: &str = "haiyan-demand";

/// A title made from text stops at the first sentence, and at this many
/// characters when that sentence runs on.
const TITLE_CHARS: usize = 60;

/// Maps one record; `None` when a required field is missing. Problems are
/// left in `f`. `now` stamps `created_at`/`updated_at`.
pub(crate) fn profile(f: &mut Fields, now: DateTime<Utc>) -> Option<DemandProfile> {
    let id = f.require("id");
    let source = f.take("source").unwrap_or_default().trim().to_string();
    let title = f.take("title").map(|t| t.trim().to_string());
    let text = f.take("text");
    let title = match (title, text.as_deref()) {
        (Some(t), _) => Some(t),
        (None, Some(text)) => first_sentence(text),
        (None, None) => None,
    };
    if title.is_none() {
        f.problem("title", "neither title nor text is given");
    }
    let (acceptable_modes, modes_text) = modes(f);
    let budget_text = f.take("budget_text");
    let budget = budget_text.as_deref().map(parse_budget);
    if budget.is_some_and(|b| b.is_none()) {
        f.flagged = true;
    }
    let budget = budget.flatten().unwrap_or_default();
    let posted_on = f
        .take("posted")
        .and_then(|p| f.check("posted", parse_date("posted", p.trim())));
    let attributes = f.take_rest();
    let (Some(id), Some(title)) = (id, title) else {
        return None;
    };
    let text = text.unwrap_or_default();
    Some(DemandProfile {
        enterprise_id: enterprise_id(&id, &source, &text),
        id,
        source,
        enterprise_name: None,
        title,
        text,
        keywords: Vec::new(),
        ipc_prefixes: Vec::new(),
        acceptable_modes,
        modes_text,
        budget_max_yuan: budget.max_yuan,
        budget_min_yuan: budget.min_yuan,
        budget_text,
        region: None,
        posted_on,
        created_at: now,
        updated_at: now,
        attributes,
    })
}

fn modes(f: &mut Fields) -> (BTreeSet<crate::ImplementationMode>, Option<String>) {
    let Some(text) = f.take("cooperation_text") else {
        return (BTreeSet::new(), None);
    };
    let parsed = parse_modes(&text);
    f.flagged |= !parsed.unrecognised.is_empty();
    (parsed.modes, Some(text))
}

/// The sources name no enterprise. A haiyan demand's text is its company's
/// profile, the same on every demand of that company, so its hash groups
/// them; any other demand is taken to be its own enterprise.
pub(crate) fn enterprise_id(id: &str, source: &str, text: &str) -> String {
    if source == PROFILE_TEXT_SOURCE && !text.trim().is_empty() {
        let digest = Sha256::digest(text.as_bytes());
        let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        return format!("ent-{hex}");
    }
    let suffix = id.split_once('-').map_or(id, |(_, s)| s);
    format!("ent-{suffix}")
}

fn first_sentence(text: &str) -> Option<String> {
    let text = text.trim();
    let end = text
        .find(['。', '！', '？', '!', '?', '；', ';', '\n'])
        .unwrap_or(text.len());
    let sentence: String = text[..end].trim().chars().take(TITLE_CHARS).collect();
    (!sentence.is_empty()).then_some(sentence)
}
