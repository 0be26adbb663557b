//! Chinese text analysis for the full-text index: folding, jieba
//! segmentation into index terms, and natural-language query building.

mod boilerplate;
mod explainer;
mod jieba_tokenizer;
mod lexical_batch;
mod listing_schema;
mod normalize;
mod query_builder;
mod query_terms;
mod segmenter;
mod text_explanation;
mod text_index;

pub use boilerplate::BOILERPLATE;
pub(crate) use explainer::Explainer;
pub use jieba_tokenizer::{register_tokenizer, JiebaTokenizer, TOKENIZER_NAME};
pub use lexical_batch::LexicalBatch;
pub(crate) use listing_schema::{
    ListingSchema, SCHEMA_VERSION, STATUS_LISTED, STATUS_WITHDRAWAL_ANNOUNCED,
};
pub use query_builder::{QueryBuilder, QueryPlan, QuerySyntax};
pub use query_terms::QueryTerms;
pub use segmenter::Segmenter;
pub use text_explanation::{MatchedTerm, Snippet, TextExplanation};
pub(crate) use text_index::TextIndex;
