use crate::{Error, Fusion, RRF_K};
use std::fmt;
use std::str::FromStr;

/// Which signals rank a search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Retrieval {
    /// BM25 over the segmented text only.
    Lexical,
    /// Cosine over the passage embeddings only.
    Semantic,
    /// Both, fused.
    Hybrid(Fusion),
}

impl FromStr for Retrieval {
    type Err = Error;

    /// `bm25`, `dense`, `rrf` (k = 60), `rrf:K`, `convex:W` where W is the
    /// weight of the vector signal, 0 ≤ W ≤ 1.
    fn from_str(text: &str) -> Result<Self, Error> {
        let bad = || {
            Error::Invalid {
            field: "retrieval",
            message: format!(
                "unknown method `{text}` (expected bm25, dense, rrf, rrf:K or convex:W with 0 <= W <= 1)"
            ),
        }
        };
        let (name, arg) = match text.trim().split_once(':') {
            Some((name, arg)) => (name, Some(arg)),
            None => (text.trim(), None),
        };
        let number = |arg: Option<&str>| -> Result<f32, Error> {
            arg.and_then(|a| a.trim().parse::<f32>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(bad)
        };
        match (name, arg) {
            ("bm25", None) => Ok(Retrieval::Lexical),
            ("dense", None) => Ok(Retrieval::Semantic),
            ("rrf", None) => Ok(Retrieval::Hybrid(Fusion::Rrf { k: RRF_K })),
            ("rrf", k) => match number(k)? {
                k if k >= 0.0 => Ok(Retrieval::Hybrid(Fusion::Rrf { k })),
                _ => Err(bad()),
            },
            ("convex", w) => match number(w)? {
                w if (0.0..=1.0).contains(&w) => {
                    Ok(Retrieval::Hybrid(Fusion::Convex { semantic_weight: w }))
                }
                _ => Err(bad()),
            },
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Retrieval {
    /// The name `from_str` reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Retrieval::Lexical => f.write_str("bm25"),
            Retrieval::Semantic => f.write_str("dense"),
            Retrieval::Hybrid(Fusion::Rrf { k }) => write!(f, "rrf:{k}"),
            Retrieval::Hybrid(Fusion::Convex { semantic_weight }) => {
                write!(f, "convex:{semantic_weight}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_and_prints_back() {
        for (text, name) in [
            ("bm25", "bm25"),
            (" dense", "dense"),
            ("rrf", "rrf:60"),
            ("rrf:20", "rrf:20"),
            ("convex:0.3", "convex:0.3"),
        ] {
            let parsed: Retrieval = text.parse().unwrap();
            assert_eq!(parsed.to_string(), name);
            assert_eq!(name.parse::<Retrieval>().unwrap(), parsed);
        }
    }

    #[test]
    fn rejects_unknown_and_out_of_range() {
        for bad in [
            "bm",
            "convex",
            "convex:1.5",
            "convex:x",
            "rrf:-1",
            "dense:2",
        ] {
            let err = bad.parse::<Retrieval>().unwrap_err().to_string();
            assert!(err.contains(&format!("`{bad}`")), "{err}");
            assert!(err.starts_with("retrieval: "), "{err}");
        }
    }
}
