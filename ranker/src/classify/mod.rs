//! Classification of listings on three axes: holder kind (with region),
//! technical feature (IPC subclass suggestions) and implementation mode.
//! Each answer carries a confidence and may abstain.

mod holder_kind;
mod ipc_classifier;
mod ipc_classifier_config;
mod ipc_classifier_file;
mod ipc_lexicon;
mod ipc_linear_head;
mod ipc_neighbours;
mod ipc_set_selector;
mod ipc_title_vectors;
mod ipc_tuning;
mod listing_classifier;
mod mode_reading;
mod region;

pub use holder_kind::{classify_holder, HolderClass};
pub use ipc_classifier::{IpcClassifier, IpcExample, IpcSuggestion, IpcSuggestions};
pub use ipc_classifier_config::{IpcClassifierConfig, TitleEmbedding};
use ipc_lexicon::IpcLexicon;
pub use ipc_linear_head::IpcLinearTraining;
pub use ipc_title_vectors::embed_titles_cached;
pub use ipc_tuning::{
    tune_ipc_classifier, IpcCalibrationBin, IpcFoldScores, IpcTuning, IpcTuningGrid,
};
pub use listing_classifier::ListingClassifier;
pub use mode_reading::{read_declared_modes, read_modes, ModeReading};
pub use region::{derive_region, Region};
