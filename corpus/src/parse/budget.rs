/// A demand's budget band in yuan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Budget {
    pub min_yuan: Option<u64>,
    /// `None` when open-ended (`>200万`).
    pub max_yuan: Option<u64>,
}

/// Reads a budget text such as `10~50万`, `>200万`, `<1万`; `None` when the
/// text cannot be read (the caller keeps the text verbatim).
pub fn parse_budget(text: &str) -> Option<Budget> {
    todo!("H1: {text}")
}
