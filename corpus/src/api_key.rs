use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Who an API key speaks for, which decides what the API lets it do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyRole {
    /// The platform's operators: everything, including issuing keys.
    Admin,
    /// A technology broker (技术经纪人) working shortlists for clients.
    Broker,
    /// An enterprise, limited to its own demand profiles and pushes.
    Enterprise,
}

impl KeyRole {
    pub const ALL: [KeyRole; 3] = [Self::Admin, Self::Broker, Self::Enterprise];

    /// The serialised form, also what the store keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Broker => "broker",
            Self::Enterprise => "enterprise",
        }
    }

    /// True for the roles that act for someone (a broker, an enterprise),
    /// whose keys must therefore name that someone.
    pub fn needs_subject(self) -> bool {
        !matches!(self, Self::Admin)
    }
}

impl fmt::Display for KeyRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyRole {
    type Err = crate::Error;

    /// Accepts exactly the serialised names.
    fn from_str(s: &str) -> crate::Result<Self> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == s.trim())
            .ok_or_else(|| {
                crate::Error::invalid(
                    "role",
                    format!("{s:?} is not a key role; expected one of admin, broker, enterprise"),
                )
            })
    }
}

/// A key the HTTP API accepts, as stored.
///
/// A token handed out is `<id><separator><secret>` (the API decides the
/// format); only the secret's hash is kept, so a copy of the database does
/// not let anyone call the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// The key's public id (the part of the token before the secret); unique.
    pub id: String,
    /// Hex SHA-256 of the secret; the secret itself is never stored.
    pub secret_sha256: String,
    pub role: KeyRole,
    /// The enterprise id of an enterprise key, the broker id of a broker key; None for admin.
    pub subject: Option<String>,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    /// The value for [`secret_sha256`](Self::secret_sha256): lower-case
    /// hex SHA-256 of `secret`. Issuing and checking a key both hash with
    /// this, so the two can never disagree on case or encoding.
    pub fn hash_secret(secret: &str) -> String {
        crate::store::content_hash(secret)
    }

    /// True once the key has been revoked; a revoked key is kept, so that
    /// what it did stays attributable, but no longer accepted.
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }

    /// The rules a key must meet to be saved: an id, a well-formed hash,
    /// and a subject exactly when the role acts for someone.
    pub fn validate(&self) -> crate::Result<()> {
        if self.id.trim().is_empty() {
            return Err(crate::Error::invalid("id", "an API key needs an id"));
        }
        let hash = &self.secret_sha256;
        if hash.len() != 64 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(crate::Error::invalid(
                "secret_sha256",
                format!(
                    "key {:?}: expected 64 lower-case hex digits (see ApiKey::hash_secret), got {} characters",
                    self.id,
                    hash.len()
                ),
            ));
        }
        let subject = self.subject.as_deref();
        match (self.role.needs_subject(), subject) {
            (true, Some(s)) if !s.trim().is_empty() => Ok(()),
            (true, _) => Err(crate::Error::invalid(
                "subject",
                format!(
                    "a {} key needs the {} id it acts for",
                    self.role,
                    self.role.as_str()
                ),
            )),
            (false, None) => Ok(()),
            (false, Some(s)) => Err(crate::Error::invalid(
                "subject",
                format!("an admin key acts for no one, but names {s:?}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names_and_serde() {
        for role in KeyRole::ALL {
            assert_eq!(role.as_str().parse::<KeyRole>().unwrap(), role);
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
        }
        let err = "Admin".parse::<KeyRole>().unwrap_err().to_string();
        assert!(
            err.contains("role") && err.contains("admin, broker, enterprise"),
            "{err}"
        );
    }

    #[test]
    fn hash_secret_is_lower_case_sha256() {
        // SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            ApiKey::hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
