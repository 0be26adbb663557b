use crate::{Result, Retrieved, Variant};
use indexer::{Filter, QuerySyntax, Snapshot};
use models::Embedder;

/// The search engine as evaluated: one index snapshot and the embedding
/// model, searched without filters.
#[derive(Debug)]
pub struct Engine {
    snapshot: Snapshot,
    embedder: Embedder,
}

impl Engine {
    pub fn new(snapshot: Snapshot, embedder: Embedder) -> Self {
        Self { snapshot, embedder }
    }

    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// The top `depth` listings for `text` under `variant`, best first.
    /// Evaluation queries are demand statements, so quotes in them are
    /// prose ([`QuerySyntax::Plain`]), not phrase operators.
    /// Fused variants draw `depth` candidates from each signal. Dense and
    /// fused variants embed the query here, so its cost is in their
    /// latency.
    pub fn search(&self, variant: Variant, text: &str, depth: usize) -> Result<Vec<Retrieved>> {
        let filter = Filter::default();
        let lexical = |limit| -> Result<_> {
            Ok(self
                .snapshot
                .text_search_with(text, QuerySyntax::Plain, &filter, limit)?
                .hits)
        };
        let semantic = |limit| -> Result<_> {
            let query = self.embedder.embed_queries(&[text])?;
            let vector = query.first().map(Vec::as_slice).unwrap_or_default();
            Ok(self.snapshot.vector_search(vector, &filter, limit)?)
        };
        let hits = match variant {
            Variant::Bm25 => lexical(depth)?
                .into_iter()
                .map(|h| Retrieved {
                    doc: h.id,
                    score: h.score,
                })
                .collect(),
            Variant::Dense => semantic(depth)?
                .into_iter()
                .map(|h| Retrieved {
                    doc: h.id,
                    score: h.cosine,
                })
                .collect(),
            Variant::Fused(fusion) => fusion
                .fuse(&lexical(depth)?, &semantic(depth)?)
                .into_iter()
                .take(depth)
                .map(|h| Retrieved {
                    doc: h.id,
                    score: h.fused,
                })
                .collect(),
        };
        Ok(hits)
    }
}
