use crate::Error;
use ranker::Fusion;
use std::fmt;
use std::str::FromStr;

/// One way of ranking that the runner can compare.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Variant {
    /// BM25 over the jieba-segmented text only.
    Bm25,
    /// Cosine over the passage embeddings only.
    Dense,
    /// Both, fused by the ranker.
    Fused(Fusion),
}

impl FromStr for Variant {
    type Err = Error;

    /// `bm25`, `dense`, `rrf` (k = 60), `rrf:K`, `convex:W` where W is the
    /// weight of the vector signal, 0 ≤ W ≤ 1.
    fn from_str(text: &str) -> Result<Self, Error> {
        let bad = || Error::Variant(text.to_string());
        let (name, arg) = match text.split_once(':') {
            Some((name, arg)) => (name, Some(arg)),
            None => (text, None),
        };
        let number = |arg: Option<&str>| -> Result<f32, Error> {
            arg.and_then(|a| a.parse::<f32>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(bad)
        };
        match (name.trim(), arg) {
            ("bm25", None) => Ok(Variant::Bm25),
            ("dense", None) => Ok(Variant::Dense),
            ("rrf", None) => Ok(Variant::Fused(Fusion::default())),
            ("rrf", k) => match number(k)? {
                k if k >= 0.0 => Ok(Variant::Fused(Fusion::Rrf { k })),
                _ => Err(bad()),
            },
            ("convex", w) => match number(w)? {
                w if (0.0..=1.0).contains(&w) => {
                    Ok(Variant::Fused(Fusion::Convex { semantic_weight: w }))
                }
                _ => Err(bad()),
            },
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Variant {
    /// The name `from_str` reads back, also used as the run's tag and file
    /// name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Variant::Bm25 => f.write_str("bm25"),
            Variant::Dense => f.write_str("dense"),
            Variant::Fused(Fusion::Rrf { k }) => write!(f, "rrf:{k}"),
            Variant::Fused(Fusion::Convex { semantic_weight }) => {
                write!(f, "convex:{semantic_weight}")
            }
        }
    }
}

/// Parses a comma-separated list of variants.
pub fn parse_variants(list: &str) -> Result<Vec<Variant>, Error> {
    list.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse())
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_and_prints_back() {
        let variants = parse_variants("bm25, dense,rrf,rrf:20,convex:0.3").unwrap();
        let names: Vec<String> = variants.iter().map(ToString::to_string).collect();
        assert_eq!(names, ["bm25", "dense", "rrf:60", "rrf:20", "convex:0.3"]);
        for name in names {
            assert_eq!(name.parse::<Variant>().unwrap().to_string(), name);
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
            let err = bad.parse::<Variant>().unwrap_err().to_string();
            assert!(err.contains(&format!("`{bad}`")), "{err}");
        }
    }
}
