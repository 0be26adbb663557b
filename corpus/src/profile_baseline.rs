use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a demand profile's later pushes are measured against, computed
/// once from a full-corpus search and kept: the profile's query embedding
/// and BM25 query terms (so neither the model nor the segmenter runs again
/// for an unchanged profile), and the scores of its best matches then.
///
/// The push's threshold was calibrated on full-corpus searches, whose
/// scores are normalised over each signal's candidates. Scoring a day's
/// few new listings among themselves would make the best of a poor batch
/// look like a perfect match; scoring them against this reference keeps a
/// push score meaning what it meant when the threshold was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileBaseline {
    pub profile_id: String,
    /// Names what the baseline was computed from (the query text, the
    /// filters that shaped the reference, the model): a profile edit
    /// changes it, and a baseline whose fingerprint differs is stale.
    pub fingerprint: String,
    /// The day of the full-corpus search.
    pub computed_on: NaiveDate,
    /// The profile's query embedding, unit length.
    pub vector: Vec<f32>,
    /// BM25 query terms with their repeat counts.
    pub terms: Vec<(String, u32)>,
    /// BM25 scores of the reference candidates, best first.
    pub lexical: Vec<f32>,
    /// Cosine similarities of the reference candidates, best first.
    pub semantic: Vec<f32>,
}
