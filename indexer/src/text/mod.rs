//! Chinese text analysis for the full-text index: folding, jieba
//! segmentation into index terms, and natural-language query building.

mod boilerplate;
mod jieba_tokenizer;
mod listing_schema;
mod normalize;
mod query_builder;
mod segmenter;
mod text_index;

pub use boilerplate::BOILERPLATE;
pub use jieba_tokenizer::{register_tokenizer, JiebaTokenizer, TOKENIZER_NAME};
pub(crate) use listing_schema::{
    ListingSchema, SCHEMA_VERSION, STATUS_LISTED, STATUS_WITHDRAWAL_ANNOUNCED,
};
pub use query_builder::{QueryBuilder, QueryPlan, QuerySyntax};
pub use segmenter::Segmenter;
pub(crate) use text_index::TextIndex;
