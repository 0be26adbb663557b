use serde::{Deserialize, Serialize};

/// The loose terms of a query read as prose ([`QuerySyntax::Plain`]), each
/// with how often the query uses it: exactly what its BM25 query scores.
///
/// Cutting a text costs a jieba pass; a caller that scores the same
/// profile every day can keep this instead of the text (it serialises).
/// It is only valid for the generation's segmenter (its user dictionary):
/// recompute it when the dictionary changes.
///
/// [`QuerySyntax::Plain`]: crate::QuerySyntax::Plain
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryTerms {
    /// Folded terms in first-seen order, each with its repeat count (≥ 1).
    pub terms: Vec<(String, u32)>,
}

impl QueryTerms {
    /// True when the text had nothing to search for (only boilerplate,
    /// function words or punctuation): it matches nothing.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub(crate) fn from_counted(counted: Vec<(String, usize)>) -> Self {
        Self {
            terms: counted
                .into_iter()
                .map(|(term, count)| (term, u32::try_from(count).unwrap_or(u32::MAX)))
                .collect(),
        }
    }
}
