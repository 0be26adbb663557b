use crate::indexed_listing::to_datetime;
use crate::text::{
    register_tokenizer, Explainer, LexicalBatch, ListingSchema, QueryBuilder, QuerySyntax,
    QueryTerms, Segmenter, TextExplanation,
};
use crate::{Error, Filter, ListingCard, Result};
use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, FileSlice, Lock, MmapDirectory, WatchCallback,
    WatchHandle, WritePtr,
};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Score, Searcher,
    SegmentOrdinal, SegmentReader, TantivyDocument, Term, TERMINATED,
};

/// One BM25 hit: the listing, its vector row and its score.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextMatch {
    pub id: String,
    pub row: u32,
    pub score: f32,
}

/// The tantivy half of a generation: its index, a reader pinned to what was
/// committed when it was opened, and the query builder.
pub(crate) struct TextIndex {
    index: Index,
    reader: IndexReader,
    fields: ListingSchema,
    queries: QueryBuilder,
}

impl std::fmt::Debug for TextIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextIndex")
            .field("docs", &self.reader.searcher().num_docs())
            .finish_non_exhaustive()
    }
}

/// A generation's directory as readers open it. tantivy's reader takes a
/// lock file (`.tantivy-meta.lock`) while it opens segments, so that a
/// writer's garbage collection cannot delete them meanwhile; on a read-only
/// file system that file cannot be created and every search failed. No
/// writer can delete anything there either, so there the lock is skipped.
#[derive(Debug, Clone)]
struct ReadOnlyTolerant(MmapDirectory);

impl Directory for ReadOnlyTolerant {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        self.0.open_read(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.0.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.0.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.0.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.0.acquire_lock(lock) {
            Err(LockError::IoError(err))
                if err.kind() == std::io::ErrorKind::ReadOnlyFilesystem =>
            {
                Ok(DirectoryLock::from(Box::new(())))
            }
            locked => locked,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.0.watch(watch_callback)
    }
}

impl TextIndex {
    /// A new, empty index in `dir` (which must exist and be empty).
    pub(crate) fn create(dir: &Path, segmenter: &Segmenter) -> Result<Self> {
        let fields = ListingSchema::new();
        let index = Index::create_in_dir(dir, fields.schema.clone())
            .map_err(Error::tantivy(format!("create {}", dir.display())))?;
        Self::with_index(index, fields, segmenter)
    }

    pub(crate) fn open(dir: &Path, segmenter: &Segmenter) -> Result<Self> {
        let context = || format!("open {}", dir.display());
        let directory = MmapDirectory::open(dir)
            .map_err(|e| Error::tantivy(context())(tantivy::TantivyError::from(e)))?;
        let index = Index::open(ReadOnlyTolerant(directory)).map_err(Error::tantivy(context()))?;
        let fields =
            ListingSchema::from_schema(index.schema()).map_err(Error::tantivy(context()))?;
        Self::with_index(index, fields, segmenter)
    }

    fn with_index(index: Index, fields: ListingSchema, segmenter: &Segmenter) -> Result<Self> {
        register_tokenizer(&index, segmenter);
        // Manual: a generation never changes once committed, and a reader
        // must keep answering from the one it opened.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(Error::tantivy("open reader"))?;
        let queries = QueryBuilder::new(segmenter.clone(), fields.query_fields());
        Ok(Self {
            index,
            reader,
            fields,
            queries,
        })
    }

    pub(crate) fn fields(&self) -> &ListingSchema {
        &self.fields
    }

    pub(crate) fn writer(&self, heap_bytes: usize) -> Result<IndexWriter<TantivyDocument>> {
        let writer = self
            .index
            .writer(heap_bytes.max(15 << 20))
            .map_err(Error::tantivy("open writer"))?;
        // A build merges every segment itself once it has committed. With
        // tantivy's default policy merging in the background meanwhile, the
        // segments it listed could be gone by then ("could not be found in
        // the SegmentManager"), as a 100k-listing build showed.
        writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
        Ok(writer)
    }

    /// Makes what a writer committed visible to this handle.
    pub(crate) fn reload(&self) -> Result<()> {
        self.reader
            .reload()
            .map_err(Error::tantivy("reload reader"))
    }

    pub(crate) fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The committed segments, for merging them into one.
    pub(crate) fn segment_ids(&self) -> Vec<tantivy::index::SegmentId> {
        self.index.searchable_segment_ids().unwrap_or_default()
    }

    /// BM25 top `limit` for a natural-language query, among listings that
    /// pass `filter`. Also returns the query's terms, for explanations.
    pub(crate) fn search(
        &self,
        text: &str,
        syntax: QuerySyntax,
        filter: &Filter,
        limit: usize,
    ) -> Result<(Vec<TextMatch>, Vec<String>)> {
        let plan = self.queries.build_with(text, syntax)?;
        let mut terms = plan.terms.clone();
        terms.extend(plan.phrases.iter().cloned());
        if limit == 0 {
            return Ok((Vec::new(), terms));
        }
        let query = match self.filter_query(filter) {
            Some(filter) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, plan.query),
                (Occur::Must, filter),
            ])) as Box<dyn Query>,
            None => plan.query,
        };
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())
            .map_err(Error::tantivy("search"))?;
        let hits = top
            .into_iter()
            .map(|(score, address)| self.hit(address, score))
            .collect::<Result<_>>()?;
        Ok((hits, terms))
    }

    fn hit(&self, address: DocAddress, score: Score) -> Result<TextMatch> {
        let searcher = self.reader.searcher();
        let doc: TantivyDocument = searcher.doc(address).map_err(Error::tantivy("read hit"))?;
        let id = doc
            .get_first(self.fields.id)
            .and_then(|value| value.as_str())
            .unwrap_or_default()
            .to_string();
        let row = searcher
            .segment_reader(address.segment_ord)
            .fast_fields()
            .u64("row")
            .map_err(Error::tantivy("read row"))?
            .first(address.doc_id)
            .unwrap_or_default();
        Ok(TextMatch {
            id,
            row: row as u32,
            score,
        })
    }

    /// The card stored with each listing of `ids`, in order; `None` for an
    /// id not in this index (or deleted from it by an update).
    pub(crate) fn cards(&self, ids: &[&str]) -> Result<Vec<Option<ListingCard>>> {
        let searcher = self.reader.searcher();
        let addresses = self.addresses(&searcher, ids)?;
        ids.iter()
            .zip(addresses)
            .map(|(id, address)| match address {
                Some(address) => self.card(&searcher, id, address).map(Some),
                None => Ok(None),
            })
            .collect()
    }

    fn card(&self, searcher: &Searcher, id: &str, address: DocAddress) -> Result<ListingCard> {
        let doc: TantivyDocument = searcher
            .doc(address)
            .map_err(Error::tantivy(format!("read the document of {id}")))?;
        let unreadable = |reason: String| Error::Document {
            id: id.to_string(),
            reason,
        };
        let json = doc
            .get_first(self.fields.card)
            .and_then(|value| value.as_str())
            .ok_or_else(|| unreadable("no card stored".into()))?;
        serde_json::from_str(json).map_err(|err| unreadable(format!("unreadable card: {err}")))
    }

    /// Why each listing of `ids` matched `query` (read with `syntax`), in
    /// order; `None` for an id not in this index. The query is built, and
    /// its per-term queries and snippet generators made, once for all.
    pub(crate) fn explain(
        &self,
        ids: &[&str],
        query: &str,
        syntax: QuerySyntax,
    ) -> Result<Vec<Option<TextExplanation>>> {
        let plan = self.queries.build_with(query, syntax)?;
        let searcher = self.reader.searcher();
        let addresses = self.addresses(&searcher, ids)?;
        Explainer::new(&searcher, &self.queries, &self.fields, &plan)?.explain(&addresses)
    }

    /// The terms `text` is scored with when read as prose.
    pub(crate) fn query_terms(&self, text: &str) -> QueryTerms {
        QueryTerms::from_counted(self.queries.plain_terms(text))
    }

    /// The postings of the listings `ids` (those in this index, each once,
    /// in the order given) for batch BM25.
    pub(crate) fn lexical_batch(&self, ids: &[&str]) -> Result<LexicalBatch> {
        let searcher = self.reader.searcher();
        let mut seen = std::collections::HashSet::new();
        let distinct: Vec<&str> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
        let addresses = self.addresses(&searcher, &distinct)?;
        let docs = distinct
            .into_iter()
            .zip(addresses)
            .filter_map(|(id, address)| Some((id.to_string(), address?)))
            .collect();
        LexicalBatch::build(&searcher, &self.queries, docs)
    }

    /// Where each of `ids` is stored, skipping deleted documents.
    fn addresses(&self, searcher: &Searcher, ids: &[&str]) -> Result<Vec<Option<DocAddress>>> {
        let context = || "look up listing ids".to_string();
        let indexes = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.inverted_index(self.fields.id))
            .collect::<tantivy::Result<Vec<_>>>()
            .map_err(Error::tantivy(context()))?;
        let mut addresses = Vec::with_capacity(ids.len());
        'ids: for id in ids {
            let term = Term::from_field_text(self.fields.id, id);
            for (ord, (segment, index)) in
                searcher.segment_readers().iter().zip(&indexes).enumerate()
            {
                let postings = index
                    .read_postings(&term, IndexRecordOption::Basic)
                    .map_err(|err| Error::tantivy(context())(err.into()))?;
                let Some(mut postings) = postings else {
                    continue;
                };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if !segment.is_deleted(doc) {
                        addresses.push(Some(DocAddress::new(ord as SegmentOrdinal, doc)));
                        continue 'ids;
                    }
                    doc = postings.advance();
                }
            }
            addresses.push(None);
        }
        Ok(addresses)
    }

    /// The vector rows of every listing that passes `filter`, unordered.
    pub(crate) fn filtered_rows(&self, filter: &Filter) -> Result<Vec<u32>> {
        let query = self
            .filter_query(filter)
            .unwrap_or_else(|| Box::new(AllQuery));
        self.reader
            .searcher()
            .search(&query, &RowCollector)
            .map_err(Error::tantivy("filter"))
    }

    /// How many listings pass `filter`.
    pub(crate) fn count(&self, filter: &Filter) -> Result<usize> {
        let query = self
            .filter_query(filter)
            .unwrap_or_else(|| Box::new(AllQuery));
        self.reader
            .searcher()
            .search(&query, &Count)
            .map_err(Error::tantivy("count"))
    }

    /// The filter as one non-scoring query, or `None` when it is empty.
    /// Scores stay pure BM25: a filter decides membership, not order.
    pub(crate) fn filter_query(&self, filter: &Filter) -> Option<Box<dyn Query>> {
        if filter.is_empty() {
            return None;
        }
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
        if let Some(day) = filter.searchable_on {
            let day = to_datetime(day);
            clauses.push((
                Occur::MustNot,
                date_range(f.listed_on, Bound::Excluded(day), Bound::Unbounded),
            ));
            clauses.push((
                Occur::MustNot,
                date_range(
                    f.withdrawal_effective,
                    Bound::Unbounded,
                    Bound::Excluded(day),
                ),
            ));
        }
        let facet_any = |field, names: Vec<&str>| -> Box<dyn Query> {
            let options = names
                .into_iter()
                .map(|name| {
                    let term = Term::from_facet(field, &Facet::from_path([name]));
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect();
            Box::new(BooleanQuery::new(options))
        };
        let kinds: [(_, Vec<&str>); 3] = [
            (f.modes, filter.modes.iter().map(|m| m.as_str()).collect()),
            (
                f.holder_kind,
                filter.holder_kinds.iter().map(|k| k.as_str()).collect(),
            ),
            (
                f.patent_kind,
                filter.patent_kinds.iter().map(|k| k.as_str()).collect(),
            ),
        ];
        for (field, names) in kinds {
            if !names.is_empty() {
                clauses.push((Occur::Must, facet_any(field, names)));
            }
        }
        if let Some(holder) = &filter.holder {
            clauses.push((
                Occur::Must,
                facet_any(f.holder_facet, vec![holder.as_str()]),
            ));
        }
        if let Some(prefix) = &filter.ipc_prefix {
            let facet = Facet::from_text(&prefix.facet_path()).unwrap_or_else(|_| Facet::root());
            let term = Term::from_facet(f.ipc, &facet);
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
        }
        if let Some(max) = filter.max_fee {
            // Priced above the budget: excluded. Unpriced (面议): kept.
            let above = Term::from_field_u64(f.fee_min, max);
            clauses.push((
                Occur::MustNot,
                Box::new(RangeQuery::new(Bound::Excluded(above), Bound::Unbounded)),
            ));
        }
        if filter.announced_from.is_some() || filter.announced_to.is_some() {
            let bound = |day: Option<chrono::NaiveDate>| match day {
                Some(day) => Bound::Included(to_datetime(day)),
                None => Bound::Unbounded,
            };
            clauses.push((
                Occur::Must,
                date_range(
                    f.announced,
                    bound(filter.announced_from),
                    bound(filter.announced_to),
                ),
            ));
        }
        Some(Box::new(ConstScoreQuery::new(
            Box::new(BooleanQuery::new(clauses)),
            0.0,
        )))
    }
}

fn date_range(
    field: tantivy::schema::Field,
    lower: Bound<tantivy::DateTime>,
    upper: Bound<tantivy::DateTime>,
) -> Box<dyn Query> {
    let term = |bound: Bound<tantivy::DateTime>| match bound {
        Bound::Included(day) => Bound::Included(Term::from_field_date(field, day)),
        Bound::Excluded(day) => Bound::Excluded(Term::from_field_date(field, day)),
        Bound::Unbounded => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(term(lower), term(upper)))
}

/// Collects the `row` fast field of every matching document.
struct RowCollector;

struct SegmentRows {
    column: Column<u64>,
    rows: Vec<u32>,
}

impl Collector for RowCollector {
    type Fruit = Vec<u32>;
    type Child = SegmentRows;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentRows> {
        Ok(SegmentRows {
            column: reader.fast_fields().u64("row")?,
            rows: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u32>>) -> tantivy::Result<Vec<u32>> {
        Ok(fruits.concat())
    }
}

impl SegmentCollector for SegmentRows {
    type Fruit = Vec<u32>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(row) = self.column.first(doc) {
            self.rows.push(row as u32);
        }
    }

    fn harvest(self) -> Vec<u32> {
        self.rows
    }
}
