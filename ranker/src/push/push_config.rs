/// How the push decides what to send.
#[derive(Debug, Clone, PartialEq)]
pub struct PushConfig {
    /// Most items a profile receives in a day; an empty push is fine.
    pub limit: usize,
    /// The score (fused, default convex 0.3 scale, after feedback) an item
    /// needs. Calibrated with `patmatch-eval push` on the dev set, whose
    /// queries are stored demands pushed as profiles: 0.906 is the lowest
    /// score at which the items pushed to the 60 answerable demands are
    /// relevant at least half the time (precision 0.50 over 20 items,
    /// 85 % of them judged), serving 32 % of those demands and falsely
    /// alarming 22.5 % of the 40 demands the corpus cannot serve. At 0.80
    /// precision falls to 0.26 and false alarms rise to 57.5 %; see
    /// eval/README.md. Those are first pushes; a later push scores its new
    /// listings against the profile's baseline from its first, so the
    /// same threshold holds.
    pub threshold: f32,
    /// Candidates ranked per profile before the threshold and the limit;
    /// a baseline's reference lists are drawn to `max(ranker candidates,
    /// 2 × depth)`, as a search for this many draws them.
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
            threshold: 0.906,
            depth: 50,
            feedback_weight: 0.2,
        }
    }
}
