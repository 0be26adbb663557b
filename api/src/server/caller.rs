use super::api_error::{ApiError, ErrorKind};
use super::app_state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::Utc;
use corpus::{ApiKey, KeyRole, Store};
use sha2::{Digest, Sha256};

/// Every token starts with this, so a leaked one is easy to recognise (and
/// to scan for in logs and repositories).
const TOKEN_PREFIX: &str = "pm_";

/// Who is calling, as the key says. Handlers ask it for permission; they
/// never look at headers themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `None` for an anonymous caller of a public route.
    pub key_id: Option<String>,
    /// `None` for an anonymous caller.
    pub role: Option<KeyRole>,
    /// The enterprise or broker the key acts for.
    pub subject: Option<String>,
}

/// A caller who may be anonymous: on search routes when the server was
/// started with `--public-search`.
#[derive(Debug, Clone)]
pub struct SearchCaller(pub Caller);

impl Caller {
    pub fn is_admin(&self) -> bool {
        self.role == Some(KeyRole::Admin)
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        self.require(&[KeyRole::Admin])
    }

    /// Fails with `forbidden` unless the key has one of `roles`.
    pub fn require(&self, roles: &[KeyRole]) -> Result<(), ApiError> {
        match self.role {
            Some(role) if roles.contains(&role) => Ok(()),
            role => Err(ApiError::new(
                ErrorKind::Forbidden,
                format!(
                    "this needs a key with role {}; this key is {}",
                    roles
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(" or "),
                    role.map_or("anonymous", KeyRole::as_str)
                ),
            )),
        }
    }

    /// Whether the caller may see objects of `enterprise_id`: admins see
    /// all, an enterprise key only its own.
    pub fn sees_enterprise(&self, enterprise_id: &str) -> bool {
        self.is_admin()
            || (self.role == Some(KeyRole::Enterprise)
                && self.subject.as_deref() == Some(enterprise_id))
    }

    /// Whether the caller may see a shortlist of `broker_id`.
    pub fn sees_broker(&self, broker_id: &str) -> bool {
        self.is_admin()
            || (self.role == Some(KeyRole::Broker) && self.subject.as_deref() == Some(broker_id))
    }
}

/// A new key and the token that is shown once: only its hash is stored.
pub fn new_key(
    role: KeyRole,
    subject: Option<String>,
    label: Option<String>,
) -> Result<(ApiKey, String), getrandom::Error> {
    let mut id = [0u8; 6];
    let mut secret = [0u8; 32];
    getrandom::fill(&mut id)?;
    getrandom::fill(&mut secret)?;
    let id = hex(&id);
    let secret = hex(&secret);
    let key = ApiKey {
        id: id.clone(),
        secret_sha256: sha256_hex(&secret),
        role,
        subject,
        label,
        created_at: Utc::now(),
        revoked_at: None,
    };
    Ok((key, format!("{TOKEN_PREFIX}{id}_{secret}")))
}

/// A new object id: `prefix-` and ten random hex digits (40 bits: ids are
/// per tenant and unguessable enough that probing them finds nothing).
pub(crate) fn random_id(prefix: &str) -> Result<String, ApiError> {
    let mut bytes = [0u8; 5];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(format!("{prefix}-{}", hex(&bytes)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// The token's id and secret, if it has the token's shape.
fn split_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    (!id.is_empty() && !secret.is_empty()).then_some((id, secret))
}

/// The token sent as `Authorization: Bearer …` or `X-Api-Key: …`.
fn token(parts: &Parts) -> Option<&str> {
    let headers = &parts.headers;
    if let Some(value) = headers.get(axum::http::header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        return Some(value.strip_prefix("Bearer ").unwrap_or(value).trim());
    }
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Checks a token against the stored keys.
pub fn authenticate(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let invalid = |why: &str| ApiError::new(ErrorKind::InvalidApiKey, format!("API key {why}"));
    let (id, secret) = split_token(token).ok_or_else(|| invalid("is malformed"))?;
    let key = state
        .keys()
        .api_key(id)
        .map_err(ApiError::internal)?
        .ok_or_else(|| invalid("is unknown"))?;
    if key.revoked_at.is_some() {
        return Err(invalid("was revoked"));
    }
    // Both sides are hashes of a 256-bit random secret, so comparing them
    // leaks nothing an attacker could steer.
    if sha256_hex(secret) != key.secret_sha256 {
        return Err(invalid("is unknown"));
    }
    Ok(Caller {
        key_id: Some(key.id),
        role: Some(key.role),
        subject: key.subject,
    })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match token(parts) {
            Some(token) => authenticate(state, token),
            None => Err(ApiError::new(
                ErrorKind::MissingApiKey,
                "send an API key as `Authorization: Bearer pm_…` (create one with `patmatch keys create`)",
            )),
        }
    }
}

impl FromRequestParts<AppState> for SearchCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match token(parts) {
            // A wrong key is refused even where no key is needed, so that a
            // typo is not silently served as anonymous.
            Some(token) => authenticate(state, token).map(SearchCaller),
            None if state.config().public_search => Ok(SearchCaller(Caller {
                key_id: None,
                role: None,
                subject: None,
            })),
            None => Caller::from_request_parts(parts, state)
                .await
                .map(SearchCaller),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_id_and_secret_but_only_the_hash_is_kept() -> Result<(), getrandom::Error> {
        let (key, token) = new_key(KeyRole::Broker, Some("b1".into()), None)?;
        let (id, secret) = split_token(&token).expect("token shape");
        assert_eq!(id, key.id);
        assert!(!key.secret_sha256.contains(secret));
        assert_eq!(sha256_hex(secret), key.secret_sha256);
        let (other, _) = new_key(KeyRole::Broker, Some("b1".into()), None)?;
        assert_ne!(other.id, key.id);
        Ok(())
    }

    #[test]
    fn malformed_tokens_are_not_split() {
        for bad in [
            "",
            "pm_",
            "pm_abc",
            "pm__secret",
            "pm_abc_",
            "xx_abc_def",
            "admin",
        ] {
            assert_eq!(split_token(bad), None, "{bad}");
        }
    }
}
