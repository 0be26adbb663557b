//! Offline evaluation: does patmatch put the right listings first, does it
//! stay silent when nothing fits, and do its classifiers label correctly?
//!
//! Owns: the evaluation file formats (JSONL queries, TREC qrels and runs,
//! read in trec_eval's order), the relevance metrics (nDCG@10, Recall@10
//! and @100, MRR@10, P@10, judged@10) with trec_eval's conventions, the
//! silence check for unanswerable demands, classification metrics, run
//! diffs, and the runner that compares ranking variants on a set.
//!
//! Does not own: ranking itself. Every variant runs through the ranker's
//! search API, the code path the API and the CLI serve.

mod classification;
mod error;
mod evaluation;
mod push_check;
mod push_run;
mod qrels;
mod query_set;
mod retrieval;
mod run;
mod run_diff;
mod scores;
#[cfg(test)]
mod testing;
mod variant;

pub use classification::{
    baseline_scores, read_ipc_titles, read_labelled_holders, HolderAccuracy, HolderScorer,
    IpcPrediction, IpcScorer, IpcScores, IpcTitle, KindCounts, LabelledHolder, HOLDER_KINDS,
};
pub use classification::{
    read_holder_predictions, read_ipc_predictions, score_holder_predictions, score_ipc_predictions,
};
pub use error::{Error, Result};
pub use evaluation::{evaluate, Evaluation};
pub use push_check::PushCheck;
pub use push_run::push_run;
pub use qrels::Qrels;
pub use query_set::{read_known_items, read_queries, Query};
pub use retrieval::{
    evaluate_retrieval, run_path, run_queries, search, RetrievalConfig, RetrievalReport,
    VariantReport,
};
pub use run::{Retrieved, Run};
pub use run_diff::{diff, QueryDelta};
pub use scores::{judged, ndcg, precision, recall, reciprocal_rank, Scores, METRIC_NAMES};
pub use variant::{parse_variants, Variant};
