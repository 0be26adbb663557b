use crate::generation::{DocTable, Generations, Manifest};
use crate::text::{LexicalBatch, QuerySyntax, QueryTerms, Segmenter, TextExplanation, TextIndex};
use crate::{Error, Filter, IndexConfig, ListingCard, Result, RowSet, VectorIndex};
use std::path::Path;

/// A BM25 hit.
#[derive(Debug, Clone, PartialEq)]
pub struct TextHit {
    pub id: String,
    pub score: f32,
    /// 1-based.
    pub rank: usize,
}

/// BM25 hits and the query terms they were searched with.
#[derive(Debug, Clone, PartialEq)]
pub struct TextResults {
    pub hits: Vec<TextHit>,
    /// The loose terms and quoted phrases the query was cut into.
    pub terms: Vec<String>,
}

/// A nearest-neighbour hit.
#[derive(Debug, Clone, PartialEq)]
pub struct NearestHit {
    pub id: String,
    pub cosine: f32,
    /// 1-based.
    pub rank: usize,
}

/// One opened generation of both indexes. It never changes: a reader keeps
/// the generation it opened, whatever later builds publish, until it opens a
/// new snapshot (cheap to check with [`current_generation`]).
#[derive(Debug)]
pub struct Snapshot {
    manifest: Manifest,
    text: TextIndex,
    vectors: VectorIndex,
    docs: DocTable,
    /// Rows of listings in this generation, when some rows are dead (left by
    /// an incremental update); `None` when every row is live.
    live: Option<RowSet>,
}

/// The generation `CURRENT` names in `config.dir`, if any.
pub fn current_generation(config: &IndexConfig) -> Result<Option<u64>> {
    Generations::new(&config.dir).current()
}

impl Snapshot {
    /// Opens the current generation.
    pub fn open(config: &IndexConfig) -> Result<Self> {
        let generations = Generations::new(&config.dir);
        let generation = generations.current()?.ok_or_else(|| Error::NoIndex {
            dir: config.dir.clone(),
        })?;
        Self::open_dir(&generations.path(generation))
    }

    pub(crate) fn open_dir(dir: &Path) -> Result<Self> {
        let manifest = Manifest::load(dir)?;
        if manifest.schema_version != crate::text::SCHEMA_VERSION {
            return Err(Error::Incompatible {
                path: dir.to_path_buf(),
                reason: format!(
                    "full-text schema version {} (this build writes {}); rebuild with `patmatch index --full`",
                    manifest.schema_version,
                    crate::text::SCHEMA_VERSION
                ),
            });
        }
        let segmenter = load_segmenter(dir)?;
        let text = TextIndex::open(&dir.join("text"), &segmenter)?;
        let vectors = VectorIndex::load(&dir.join("vectors"))?;
        let docs = DocTable::load(dir)?;
        if text.num_docs() as usize != docs.len() || vectors.len() != manifest.vector_rows {
            return Err(Error::Incompatible {
                path: dir.to_path_buf(),
                reason: format!(
                    "parts disagree: {} text documents, {} listings, {} vectors (manifest says {})",
                    text.num_docs(),
                    docs.len(),
                    vectors.len(),
                    manifest.vector_rows
                ),
            });
        }
        let live = (docs.len() < vectors.len()).then(|| {
            RowSet::from_rows(docs.entries().iter().map(|entry| entry.row), vectors.len())
        });
        Ok(Self {
            manifest,
            text,
            vectors,
            docs,
            live,
        })
    }

    pub fn generation(&self) -> u64 {
        self.manifest.generation
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Listings in this generation.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.len() == 0
    }

    pub fn contains(&self, id: &str) -> bool {
        self.docs.get(id).is_some()
    }

    /// Every listing id in this generation, in id order.
    pub fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.docs.entries().iter().map(|entry| entry.id.as_str())
    }

    /// The listing's embedded passage vector.
    pub fn vector(&self, id: &str) -> Option<&[f32]> {
        self.vectors.vector(self.docs.get(id)?.row)
    }

    /// How many listings pass `filter`.
    pub fn count(&self, filter: &Filter) -> Result<usize> {
        self.text.count(filter)
    }

    /// BM25 top `limit` among listings passing `filter`, for a query typed
    /// with operators (quoted phrases must match).
    pub fn text_search(&self, query: &str, filter: &Filter, limit: usize) -> Result<TextResults> {
        self.text_search_with(query, QuerySyntax::Operators, filter, limit)
    }

    /// As [`text_search`](Self::text_search), reading `query` with `syntax`:
    /// [`QuerySyntax::Plain`] for demand texts and profiles.
    pub fn text_search_with(
        &self,
        query: &str,
        syntax: QuerySyntax,
        filter: &Filter,
        limit: usize,
    ) -> Result<TextResults> {
        let (matches, terms) = self.text.search(query, syntax, filter, limit)?;
        let hits = matches
            .into_iter()
            .enumerate()
            .map(|(i, hit)| TextHit {
                id: hit.id,
                score: hit.score,
                rank: i + 1,
            })
            .collect();
        Ok(TextResults { hits, terms })
    }

    /// The terms `text` is searched with under [`QuerySyntax::Plain`],
    /// each with its repeat count: what [`LexicalBatch::score`] takes.
    /// Empty, not an error, for a text of only boilerplate, function words
    /// or punctuation (which `text_search_with` refuses).
    pub fn query_terms(&self, text: &str) -> QueryTerms {
        self.text.query_terms(text)
    }

    /// The term statistics of the listings `ids` in this generation, for
    /// scoring many prose queries against just them with the scores
    /// [`text_search_with`](Self::text_search_with) gives them. Ids not in
    /// this generation are skipped, and a repeated id is kept once, so the
    /// batch's [`ids`](LexicalBatch::ids) may be fewer than `ids`.
    ///
    /// Costs one stored-document read and one segmentation per listing,
    /// and one dictionary lookup per distinct term and field (spread over
    /// rayon's threads): under a second for a thousand listings.
    pub fn lexical_batch(&self, ids: &[&str]) -> Result<LexicalBatch> {
        self.text.lexical_batch(ids)
    }

    /// The card of each listing of `ids`, in the same order, as this
    /// generation indexed it; `None` for an id not in this generation.
    /// One stored-document read per id: cheap for a few hundred ids.
    pub fn cards(&self, ids: &[&str]) -> Result<Vec<Option<ListingCard>>> {
        self.text.cards(ids)
    }

    /// Which terms of `query` (read with `syntax`, as it was searched) the
    /// listing `id` has in which fields, with a highlighted snippet; `None`
    /// when `id` is not in this generation. Fails as
    /// [`text_search_with`](Self::text_search_with) does on a query with
    /// nothing to search for.
    pub fn explain(
        &self,
        id: &str,
        query: &str,
        syntax: QuerySyntax,
    ) -> Result<Option<TextExplanation>> {
        Ok(self.explain_many(&[id], query, syntax)?.pop().flatten())
    }

    /// As [`explain`](Self::explain) for each of `ids`, in order: the query
    /// is built and its snippet generators made once for the whole page.
    pub fn explain_many(
        &self,
        ids: &[&str],
        query: &str,
        syntax: QuerySyntax,
    ) -> Result<Vec<Option<TextExplanation>>> {
        self.text.explain(ids, query, syntax)
    }

    /// Approximate nearest listings to `query` among those passing `filter`;
    /// a filter that leaves few listings is searched exactly.
    pub fn vector_search(
        &self,
        query: &[f32],
        filter: &Filter,
        limit: usize,
    ) -> Result<Vec<NearestHit>> {
        self.nearest(query, filter, limit, false)
    }

    /// Exact nearest listings: the reference the approximate search is
    /// measured against.
    pub fn exact_vector_search(
        &self,
        query: &[f32],
        filter: &Filter,
        limit: usize,
    ) -> Result<Vec<NearestHit>> {
        self.nearest(query, filter, limit, true)
    }

    fn nearest(
        &self,
        query: &[f32],
        filter: &Filter,
        limit: usize,
        exact: bool,
    ) -> Result<Vec<NearestHit>> {
        let allowed = self.allowed(filter)?;
        let hits = if exact {
            self.vectors.exact_search(query, limit, allowed.as_ref())
        } else {
            self.vectors.search(query, limit, allowed.as_ref())
        };
        Ok(hits
            .into_iter()
            .filter_map(|hit| Some((self.docs.by_row(hit.row)?.id.clone(), hit.cosine)))
            .enumerate()
            .map(|(i, (id, cosine))| NearestHit {
                id,
                cosine,
                rank: i + 1,
            })
            .collect())
    }

    fn allowed(&self, filter: &Filter) -> Result<Option<RowSet>> {
        if filter.is_empty() {
            return Ok(self.live.clone());
        }
        // Only listings of this generation are in the text index, so its
        // rows are live ones.
        let rows = self.text.filtered_rows(filter)?;
        Ok(Some(RowSet::from_rows(rows, self.vectors.len())))
    }
}

pub(crate) const USER_DICT_FILE: &str = "user_dict.txt";

/// The segmenter the generation was built with: its user dictionary is
/// saved beside it, so queries are cut the way the documents were.
pub(crate) fn load_segmenter(dir: &Path) -> Result<Segmenter> {
    let path = dir.join(USER_DICT_FILE);
    match std::fs::read_to_string(&path) {
        Ok(dict) => Segmenter::with_user_dict(dict.as_bytes()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Segmenter::new()),
        Err(err) => Err(Error::io(&path)(err)),
    }
}
