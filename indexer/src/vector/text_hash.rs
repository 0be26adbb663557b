use sha2::{Digest, Sha256};
use std::fmt;

/// SHA-256 of a passage text exactly as it was embedded: the embedding
/// cache's key (with the model id).
///
/// Hashing the text itself rather than a listing id means an edited listing
/// is re-embedded and an unchanged one never is, whatever happened to its id,
/// and a change to how passages are assembled invalidates only the texts it
/// actually changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TextHash(pub [u8; 32]);

impl TextHash {
    pub fn of(text: &str) -> Self {
        Self(Sha256::digest(text.as_bytes()).into())
    }
}

/// Lower-case hex, for error messages and logs.
impl fmt::Display for TextHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest_and_sensitivity() {
        // The published SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            TextHash::of("abc").to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(TextHash::of("专利"), TextHash::of("专利"));
        assert_ne!(TextHash::of("专利"), TextHash::of("专利 "));
    }
}
