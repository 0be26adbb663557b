//! How records become the text kept in the store, and back.
//!
//! The JSON stored for a record is its *content*: what identifies a change.
//! Its SHA-256 is the content hash, so re-importing an identical record can be
//! recognised without decoding what is stored.

use crate::{DemandProfile, Listing};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Profile fields the store keeps in columns instead of the content, because
/// they change without the profile changing.
const PROFILE_CREATED_AT: &str = "created_at";
const PROFILE_UPDATED_AT: &str = "updated_at";

/// Lower-case hex SHA-256 of `text`.
pub(crate) fn content_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// A listing's content: all of it, since a listing carries no timestamps.
pub(crate) fn listing_content(listing: &Listing) -> crate::Result<String> {
    Ok(serde_json::to_string(listing)?)
}

/// A profile's content: everything but its timestamps.
pub(crate) fn profile_content(profile: &DemandProfile) -> crate::Result<String> {
    let mut value = serde_json::to_value(profile)?;
    if let Some(fields) = value.as_object_mut() {
        fields.remove(PROFILE_CREATED_AT);
        fields.remove(PROFILE_UPDATED_AT);
    }
    Ok(serde_json::to_string(&value)?)
}

/// Rebuilds a profile from its stored content and timestamp columns.
pub(crate) fn profile_from_parts(
    id: &str,
    content: &str,
    created_at: &str,
    updated_at: &str,
) -> crate::Result<DemandProfile> {
    let mut value: serde_json::Value = decode("profile", id, content)?;
    let fields = value.as_object_mut().ok_or_else(|| {
        crate::Error::Store(format!(
            "profile {id:?}: stored content is not a JSON object"
        ))
    })?;
    fields.insert(PROFILE_CREATED_AT.into(), created_at.into());
    fields.insert(PROFILE_UPDATED_AT.into(), updated_at.into());
    serde_json::from_value(value).map_err(|e| undecodable("profile", id, &e))
}

/// Decodes stored JSON, naming the record when it does not decode (for
/// example because a validation rule became stricter since it was written).
pub(crate) fn decode<T: DeserializeOwned>(what: &str, id: &str, text: &str) -> crate::Result<T> {
    serde_json::from_str(text).map_err(|e| undecodable(what, id, &e))
}

fn undecodable(what: &str, id: &str, error: &serde_json::Error) -> crate::Error {
    crate::Error::Store(format!(
        "{what} {id:?}: stored JSON does not decode: {error}"
    ))
}

/// A timestamp as stored: RFC 3339 in UTC with a fixed nine-digit fraction,
/// so that it round-trips exactly and sorts as text.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

pub(crate) fn parse_timestamp(text: &str) -> crate::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| crate::Error::Store(format!("stored timestamp {text:?} does not parse: {e}")))
}

/// Floats as a little-endian f32 BLOB.
pub(crate) fn floats_blob(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The floats of a BLOB written by [`floats_blob`].
pub(crate) fn blob_floats(what: &str, id: &str, blob: &[u8]) -> crate::Result<Vec<f32>> {
    if !blob.len().is_multiple_of(4) {
        return Err(crate::Error::Store(format!(
            "stored {what} of {id} is {} bytes, not a whole number of f32",
            blob.len()
        )));
    }
    Ok(blob
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}
