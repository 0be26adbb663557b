use crate::text::TOKENIZER_NAME;
use tantivy::schema::{
    DateOptions, DateTimePrecision, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

/// Bumped whenever fields or their options change: a generation built with
/// another version is rebuilt, not updated (`build_index` in `Auto` mode
/// starts from scratch, and `Snapshot::open` refuses it), because an update
/// only rewrites changed listings and would leave the others without the
/// new fields.
///
/// 2: the stored `card` ([`ListingCard`](crate::ListingCard)), which result
/// cards, near-duplicate folding and facets read.
///
/// 3: predicted holder kinds and IPC codes (an [`Enrichment`](crate::Enrichment))
/// in the facets and on the card.
pub(crate) const SCHEMA_VERSION: u32 = 3;

/// The full-text schema and its fields.
///
/// Text is stored too (title, abstract, claims, holder), because snippets
/// are cut from the indexed text with the same tokenizer, and reading it
/// back from the store per hit would cost a query per hit. So is each
/// listing's card, for the same reason, as JSON that is stored but not
/// indexed.
#[derive(Debug, Clone)]
pub(crate) struct ListingSchema {
    pub schema: Schema,
    /// The listing id, raw: the key for deletes.
    pub id: Field,
    /// The [`ListingCard`](crate::ListingCard) as JSON: stored only.
    pub card: Field,
    /// The listing's row in the vector index: joins the two indexes, and
    /// turns a filter into the set of vector rows it admits.
    pub row: Field,
    pub title: Field,
    pub abstract_text: Field,
    pub claims: Field,
    pub holder: Field,
    pub holder_facet: Field,
    /// `/G/G06/G06F/G06F16`: a prefix filter at any depth is a facet term.
    pub ipc: Field,
    pub modes: Field,
    pub patent_kind: Field,
    pub holder_kind: Field,
    /// Yuan; absent when the fee is 面议 or unknown.
    pub fee_min: Field,
    pub fee_max: Field,
    /// When the declaration was announced (or the listing first listed).
    pub announced: Field,
    /// 0 listed, 1 withdrawal announced. Whether a withdrawal has taken
    /// effect depends on the day asked about, hence `withdrawal_effective`.
    pub status: Field,
    /// The last day a withdrawn listing is still searchable.
    pub withdrawal_effective: Field,
    /// The first announcement; a listing is not searchable before it.
    pub listed_on: Field,
}

pub(crate) const STATUS_LISTED: u64 = 0;
pub(crate) const STATUS_WITHDRAWAL_ANNOUNCED: u64 = 1;

impl ListingSchema {
    pub(crate) fn new() -> Self {
        let mut builder = Schema::builder();
        let text = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(TOKENIZER_NAME)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
            .set_stored();
        let facet = FacetOptions::default();
        let number = NumericOptions::default().set_indexed().set_fast();
        let date = DateOptions::from(INDEXED | FAST).set_precision(DateTimePrecision::Seconds);
        let id = builder.add_text_field("id", STRING | STORED | FAST);
        let card = builder.add_text_field("card", STORED);
        let row = builder.add_u64_field("row", FAST);
        let title = builder.add_text_field("title", text.clone());
        let abstract_text = builder.add_text_field("abstract", text.clone());
        let claims = builder.add_text_field("claims", text.clone());
        let holder = builder.add_text_field("holder", text);
        let holder_facet = builder.add_facet_field("holder_facet", facet.clone());
        let ipc = builder.add_facet_field("ipc", facet.clone());
        let modes = builder.add_facet_field("modes", facet.clone());
        let patent_kind = builder.add_facet_field("patent_kind", facet.clone());
        let holder_kind = builder.add_facet_field("holder_kind", facet);
        let fee_min = builder.add_u64_field("fee_min", number.clone());
        let fee_max = builder.add_u64_field("fee_max", number.clone());
        let announced = builder.add_date_field("announced", date.clone());
        let status = builder.add_u64_field("status", number | STORED);
        let withdrawal_effective = builder.add_date_field("withdrawal_effective", date.clone());
        let listed_on = builder.add_date_field("listed_on", date);
        Self {
            schema: builder.build(),
            id,
            card,
            row,
            title,
            abstract_text,
            claims,
            holder,
            holder_facet,
            ipc,
            modes,
            patent_kind,
            holder_kind,
            fee_min,
            fee_max,
            announced,
            status,
            withdrawal_effective,
            listed_on,
        }
    }

    /// Looks the fields up in an opened index's schema, which must be ours.
    pub(crate) fn from_schema(schema: Schema) -> tantivy::Result<Self> {
        let expected = Self::new();
        if schema != expected.schema {
            return Err(tantivy::TantivyError::SchemaError(
                "the index was written with another schema".into(),
            ));
        }
        Ok(expected)
    }

    /// The text fields queries search, with their boosts, measured with
    /// `patmatch-eval` (BM25 only; dev nDCG@10 / known-item MRR@10):
    /// title 3, claims 0.6, holder 1.5 scored 0.427 / 0.686, because short
    /// titles full of 技术 and 开发 outranked abstracts that name the
    /// need; equal title and abstract with claims 0.6 and holder 0.5 scores
    /// 0.489 / 0.786. Claims 0.3 gains 0.01 on dev but loses 0.04 on known
    /// items, whose keyphrases come from claims. The holder keeps a little
    /// weight so that a holder's name still finds its listings.
    pub(crate) fn query_fields(&self) -> Vec<(Field, f32)> {
        vec![
            (self.title, 1.0),
            (self.abstract_text, 1.0),
            (self.claims, 0.6),
            (self.holder, 0.5),
        ]
    }
}
