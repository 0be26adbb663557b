//! Running multilingual-e5-small: tokenising, windowing and batching texts,
//! the BERT forward in candle, mean pooling and normalisation.

mod batch_plan;
mod bert;
mod embedder;
mod gelu;
mod linear;
mod text_tokenizer;
mod weights;
mod word_table;

pub use embedder::Embedder;
pub use text_tokenizer::TextTokenizer;
