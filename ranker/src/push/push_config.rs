/// How the push decides what to send.
#[derive(Debug, Clone, PartialEq)]
pub struct PushConfig {
    /// Most items a profile receives in a day; an empty push is fine.
    pub limit: usize,
    /// The fused score (default convex 0.3 scale) an item needs. Calibrated
    /// with `patmatch-eval retrieval` on the dev qrels: 0.80 is the lowest
    /// score at which the top five pushed to the 60 answerable demands are
    /// relevant at least half the time (precision 0.50 at 0.798, serving
    /// 75 % of them); see eval/README.md.
    pub threshold: f32,
    /// Candidates ranked per profile before the threshold and the limit.
    pub depth: usize,
    /// How far feedback moves a candidate's score: plus this times its
    /// cosine to the liked items' centroid, minus this times its cosine to
    /// the disliked items' centroid.
    pub feedback_weight: f32,
}

impl Default for PushConfig {
    fn default() -> Self {
        Self {
            limit: 5,
            threshold: 0.80,
            depth: 50,
            feedback_weight: 0.2,
        }
    }
}
