use serde::{Deserialize, Serialize};

/// Why a listing matched a full-text query: which of the query's terms it
/// contains, in which fields, and a passage that shows them.
///
/// Built from the same query and postings BM25 scored with, so it never
/// names a term that did not count, nor misses one that did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextExplanation {
    /// The query's terms, then its quoted phrases, that occur in the
    /// listing, in query order; terms it lacks are left out.
    pub matched: Vec<MatchedTerm>,
    /// A passage with the matched terms highlighted; `None` when no term
    /// occurs in the abstract, title or claims (a hit found by its vector
    /// alone, or by its holder's name).
    pub snippet: Option<Snippet>,
}

/// One query term or quoted phrase and where the listing has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedTerm {
    /// Folded as it was searched (`led`, not `ＬＥＤ`).
    pub term: String,
    /// Among `title`, `abstract`, `claims`, `holder`, in that order.
    pub fields: Vec<String>,
}

/// A fragment of one field with the query's matches marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    /// `abstract`, `title` or `claims`.
    pub field: String,
    /// The fragment, verbatim from the listing (not folded).
    pub text: String,
    /// Ranges of `text` to highlight, as `(start, end)` **char** offsets
    /// (end exclusive), sorted and not overlapping: a JSON or web client
    /// counts chars, not UTF-8 bytes. A word and the words inside it that
    /// also matched are one range.
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The highlighted parts of `text`, in order.
    pub fn highlighted(&self) -> Vec<String> {
        self.highlights
            .iter()
            .map(|&(start, end)| self.text.chars().skip(start).take(end - start).collect())
            .collect()
    }
}
