use crate::Error;

/// One way of ranking that the runner compares: the ranker's retrieval
/// methods, named as `Retrieval` reads them (`bm25`, `dense`, `rrf:K`,
/// `convex:W`).
pub use ranker::Retrieval as Variant;

/// Parses a comma-separated list of variants.
pub fn parse_variants(list: &str) -> Result<Vec<Variant>, Error> {
    list.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.parse().map_err(|_| Error::Variant(s.trim().to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_a_list() {
        let variants = parse_variants("bm25, dense,rrf,,convex:0.3").unwrap();
        let names: Vec<String> = variants.iter().map(ToString::to_string).collect();
        assert_eq!(names, ["bm25", "dense", "rrf:60", "convex:0.3"]);
        let err = parse_variants("bm25,convex:2").unwrap_err().to_string();
        assert!(err.contains("unknown variant `convex:2`"), "{err}");
    }
}
