/// Receives progress while a build runs; the CLI draws bars with it.
pub trait BuildProgress {
    /// A stage starts with `total` units of work (listings, usually).
    fn stage(&self, name: &str, total: u64);
    /// `done` units of the current stage are finished (a running total).
    fn progress(&self, done: u64);
    /// The current stage is over.
    fn finish_stage(&self);
}

/// No progress to show.
impl BuildProgress for () {
    fn stage(&self, _: &str, _: u64) {}
    fn progress(&self, _: u64) {}
    fn finish_stage(&self) {}
}
