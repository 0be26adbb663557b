use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A broker's call on one listing of a shortlist. A rejected listing stays
/// on the list, so the broker does not propose it to the client again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    #[default]
    Kept,
    Rejected,
}

impl Verdict {
    pub const ALL: [Verdict; 2] = [Self::Kept, Self::Rejected];

    /// The serialised form, also what the store keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kept => "kept",
            Self::Rejected => "rejected",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Verdict {
    type Err = crate::Error;

    /// Accepts exactly the serialised names.
    fn from_str(s: &str) -> crate::Result<Self> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim())
            .ok_or_else(|| {
                crate::Error::invalid(
                    "verdict",
                    format!("{s:?} is not a verdict; expected one of kept, rejected"),
                )
            })
    }
}

/// One listing on a shortlist, with the broker's verdict and note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShortlistItem {
    pub listing_id: String,
    pub verdict: Verdict,
    pub note: Option<String>,
    /// When the listing was first put on the list; a later verdict or note
    /// does not move it.
    pub added_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The listings a broker (技术经纪人) gathers for one client: working
/// state, edited freely, unlike push items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shortlist {
    pub id: String,
    /// The broker who owns the list (the subject of a broker key).
    pub broker_id: String,
    /// Who the list is for, as the broker names them.
    pub client: String,
    pub title: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Moved by any change to the list or to its items.
    pub updated_at: DateTime<Utc>,
    /// By `added_at`, then listing id.
    pub items: Vec<ShortlistItem>,
}

impl Shortlist {
    /// The rules a shortlist must meet to be created: an id, an owner, a
    /// client, and no listing twice.
    pub fn validate(&self) -> crate::Result<()> {
        if self.id.trim().is_empty() {
            return Err(crate::Error::invalid("id", "a shortlist needs an id"));
        }
        if self.broker_id.trim().is_empty() {
            return Err(crate::Error::invalid(
                "broker_id",
                format!("shortlist {:?} needs the broker who owns it", self.id),
            ));
        }
        validate_client(&self.id, &self.client)?;
        for (i, item) in self.items.iter().enumerate() {
            if self.items[..i]
                .iter()
                .any(|seen| seen.listing_id == item.listing_id)
            {
                return Err(crate::Error::invalid(
                    "items",
                    format!("shortlist {:?} lists {:?} twice", self.id, item.listing_id),
                ));
            }
        }
        Ok(())
    }
}

/// A shortlist is always for someone: an empty client is refused on create
/// and on update alike.
pub(crate) fn validate_client(id: &str, client: &str) -> crate::Result<()> {
    if client.trim().is_empty() {
        return Err(crate::Error::invalid(
            "client",
            format!("shortlist {id:?} needs the client it is for"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_round_trip_through_their_names_and_serde() {
        for verdict in Verdict::ALL {
            assert_eq!(verdict.as_str().parse::<Verdict>().unwrap(), verdict);
            assert_eq!(
                serde_json::to_string(&verdict).unwrap(),
                format!("\"{}\"", verdict.as_str())
            );
        }
        assert_eq!(Verdict::default(), Verdict::Kept);
        let err = "maybe".parse::<Verdict>().unwrap_err().to_string();
        assert!(
            err.contains("verdict") && err.contains("kept, rejected"),
            "{err}"
        );
    }
}
