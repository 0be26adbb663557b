//! Classification metrics: IPC subclass micro-F1, exact match and top-k
//! accuracy (for the ranker's classifier and the published baseline), and
//! holder-kind accuracy against hand labels.

mod holder_accuracy;
mod ipc_scores;
mod ipc_titles;
mod jsonl;
mod predictions;

pub use holder_accuracy::{
    read_labelled_holders, HolderAccuracy, HolderScorer, KindCounts, LabelledHolder, HOLDER_KINDS,
};
pub use ipc_scores::{baseline_scores, IpcPrediction, IpcScorer, IpcScores};
pub use ipc_titles::{read_ipc_titles, IpcTitle};
pub use predictions::{
    read_holder_predictions, read_ipc_predictions, score_holder_predictions, score_ipc_predictions,
};
