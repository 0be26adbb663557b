//! BM25 of many queries against one fixed set of listings, without a
//! tantivy search per query.
//!
//! The daily push scores every demand profile against the day's new
//! listings: a hundred thousand queries over a thousand documents. A
//! tantivy search walks each query term's postings over the whole index;
//! here the batch's own postings are extracted once (its documents cut
//! again with the index's tokenizer, their field norms read from the
//! index) and every query is a few hash lookups.
//!
//! Scores are the index's own, not an approximation: the same global
//! statistics (document frequency and average field length over the whole
//! generation, deleted documents included, as tantivy's `Searcher` counts
//! them), the same field-norm quantisation, and the arithmetic of the query
//! [`QueryBuilder`] builds for [`QuerySyntax::Plain`], operation for
//! operation: a boolean OR over the terms, each a dis-max over the boosted
//! fields with [`TIE_BREAKER`], boosted by its repeat count; each field a
//! tantivy `Bm25Weight`.
//!
//! [`QuerySyntax::Plain`]: super::QuerySyntax::Plain

use super::query_builder::TIE_BREAKER;
use super::{MatchedTerm, QueryBuilder, QueryTerms};
use crate::{Error, Result};
use rayon::prelude::*;
use std::collections::HashMap;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::{Field, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

/// tantivy's BM25 constants (`query/bm25.rs`, 0.27).
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// BM25 of many queries against one fixed set of listings, scored as the
/// whole index scores them. Built by
/// [`Snapshot::lexical_batch`](crate::Snapshot::lexical_batch); holds no
/// index handle, so it outlives the snapshot and is shared across threads.
pub struct LexicalBatch {
    ids: Vec<String>,
    /// Each document's place among the ids in ascending order, and the
    /// document at each place: ties are broken by id without comparing
    /// strings.
    id_rank: Vec<u32>,
    by_rank: Vec<u32>,
    /// The searched fields' names, as [`MatchedTerm`] names them.
    field_names: Vec<String>,
    /// Each searched field's boost, in the same order.
    boosts: Vec<f32>,
    terms: HashMap<Box<str>, TermPostings>,
}

/// One term's postings within the batch.
struct TermPostings {
    /// Per field, idf × (1 + K1): tantivy's `Bm25Weight` before boosts.
    /// Zero in a field no batch listing has the term in (never read).
    weights: Box<[f32]>,
    /// Batch documents having the term, ascending.
    docs: Box<[u32]>,
    /// Per document of `docs`, per field: tf / (tf + K1·(1 − B + B·dl/avgdl))
    /// with dl the field norm the index decodes, as tantivy's `tf_factor`
    /// computes it; 0 where the field lacks the term. Kept instead of (tf,
    /// field norm) so that scoring is a multiply per field, with the very
    /// f32 tantivy computes.
    factors: Box<[f32]>,
}

/// One batch document's terms: (term, field, tf), sorted by term then
/// field, and its field-norm id per field.
struct DocTerms {
    terms: Vec<(String, usize, u32)>,
    norms: Vec<u8>,
}

impl LexicalBatch {
    /// Extracts the postings of the listings at `docs` (id and address,
    /// distinct) from `searcher`'s index, searched in `queries`' fields.
    pub(crate) fn build(
        searcher: &Searcher,
        queries: &QueryBuilder,
        docs: Vec<(String, DocAddress)>,
    ) -> Result<Self> {
        let fields: Vec<(Field, f32)> = queries.fields().to_vec();
        let schema = searcher.schema();
        let field_names = fields
            .iter()
            .map(|&(field, _)| schema.get_field_name(field).to_string())
            .collect();
        let boosts = fields.iter().map(|&(_, boost)| boost).collect();
        let norm_factors = norm_components(searcher, &fields)?;
        let norm_readers = searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                fields
                    .iter()
                    .map(|&(field, _)| segment.get_fieldnorms_reader(field))
                    .collect::<tantivy::Result<Vec<_>>>()
            })
            .collect::<tantivy::Result<Vec<_>>>()
            .map_err(Error::tantivy("read field norms"))?;

        let segmenter = queries.segmenter();
        let per_doc = docs
            .par_iter()
            .map(|(id, address)| {
                let doc: TantivyDocument = searcher
                    .doc(*address)
                    .map_err(Error::tantivy(format!("read the document of {id}")))?;
                let readers = &norm_readers[address.segment_ord as usize];
                Ok(doc_terms(&doc, &fields, readers, address, segmenter))
            })
            .collect::<Result<Vec<DocTerms>>>()?;

        let n_fields = fields.len();
        let mut postings: HashMap<String, (Vec<u32>, Vec<f32>)> = HashMap::new();
        for (doc, terms) in per_doc.into_iter().enumerate() {
            let factor = |field: usize, tf: u32| {
                let tf = tf as f32;
                tf / (tf + norm_factors[field][terms.norms[field] as usize])
            };
            for group in terms.terms.chunk_by(|a, b| a.0 == b.0) {
                let (docs, factors) = postings.entry(group[0].0.clone()).or_default();
                docs.push(doc as u32);
                let start = factors.len();
                factors.resize(start + n_fields, 0.0);
                for &(_, field, tf) in group {
                    factors[start + field] = factor(field, tf);
                }
            }
        }

        // As tantivy's `Searcher` counts for BM25: every document of every
        // segment, deleted ones included.
        let total_docs = searcher
            .total_num_docs()
            .map_err(Error::tantivy("count documents"))?;
        let terms = postings
            .into_par_iter()
            .map(|(term, (docs, factors))| {
                let mut weights = vec![0.0; n_fields];
                for (field, weight) in weights.iter_mut().enumerate() {
                    let present = factors
                        .iter()
                        .skip(field)
                        .step_by(n_fields)
                        .any(|&f| f > 0.0);
                    if present {
                        let term = Term::from_field_text(fields[field].0, &term);
                        let doc_freq = searcher
                            .doc_freq(&term)
                            .map_err(Error::tantivy("read document frequencies"))?;
                        *weight = idf(doc_freq, total_docs) * (1.0 + K1);
                    }
                }
                let postings = TermPostings {
                    weights: weights.into(),
                    docs: docs.into(),
                    factors: factors.into(),
                };
                Ok((term.into_boxed_str(), postings))
            })
            .collect::<Result<HashMap<_, _>>>()?;

        let ids: Vec<String> = docs.into_iter().map(|(id, _)| id).collect();
        let mut by_rank: Vec<u32> = (0..ids.len() as u32).collect();
        by_rank.sort_unstable_by(|&a, &b| ids[a as usize].cmp(&ids[b as usize]));
        let mut id_rank = vec![0; ids.len()];
        for (rank, &doc) in by_rank.iter().enumerate() {
            id_rank[doc as usize] = rank as u32;
        }
        Ok(Self {
            ids,
            id_rank,
            by_rank,
            field_names,
            boosts,
            terms,
        })
    }

    /// The listing ids, in batch order: a `doc` of [`score`](Self::score)
    /// and [`matched`](Self::matched) indexes this.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Distinct terms the batch's listings have in the searched fields.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// Every batch listing matching any of `query`'s terms, with the BM25
    /// score `Snapshot::text_search_with(…, QuerySyntax::Plain, …)` gives
    /// it, best first, ties by id ascending.
    pub fn score(&self, query: &QueryTerms) -> Vec<(usize, f32)> {
        let n_fields = self.boosts.len();
        if n_fields == 0 {
            return Vec::new();
        }
        let mut scores = vec![0.0f32; self.ids.len()];
        let mut seen = vec![false; self.ids.len()];
        let mut touched = Vec::new();
        let mut weights = vec![0.0f32; n_fields];
        for (term, count) in &query.terms {
            let Some(postings) = self.terms.get(term.as_str()) else {
                continue;
            };
            // tantivy hands the repeat boost down to each field's boost
            // and multiplies it into the term's weight: (count · boost),
            // then weight × that, in this order.
            for ((weight, &base), &boost) in weights
                .iter_mut()
                .zip(&postings.weights[..])
                .zip(&self.boosts)
            {
                *weight = base * (*count as f32 * boost);
            }
            for (&doc, factors) in postings
                .docs
                .iter()
                .zip(postings.factors.chunks_exact(n_fields))
            {
                // DisjunctionMaxCombiner, over the fields that match.
                let (mut max, mut sum) = (0.0f32, 0.0f32);
                for (&factor, &weight) in factors.iter().zip(&weights) {
                    if factor > 0.0 {
                        let score = weight * factor;
                        max = f32::max(score, max);
                        sum += score;
                    }
                }
                let doc = doc as usize;
                scores[doc] += max + (sum - max) * TIE_BREAKER;
                if !seen[doc] {
                    seen[doc] = true;
                    touched.push(doc);
                }
            }
        }
        // Comparing floats, then id strings, made sorting a third of a
        // query's time on a thousand listings (most of them hit): one u64
        // key per hit (score descending, then id rank) compares as one
        // integer.
        let mut keys: Vec<u64> = touched
            .into_iter()
            .map(|doc| u64::from(!ordered_bits(scores[doc])) << 32 | u64::from(self.id_rank[doc]))
            .collect();
        keys.sort_unstable();
        keys.into_iter()
            .map(|key| {
                let doc = self.by_rank[key as u32 as usize] as usize;
                (doc, scores[doc])
            })
            .collect()
    }

    /// Which of `query`'s terms the batch listing `doc` has, and in which
    /// fields, in query order, as [`Snapshot::explain`] names them; empty
    /// for a `doc` out of range.
    ///
    /// [`Snapshot::explain`]: crate::Snapshot::explain
    pub fn matched(&self, query: &QueryTerms, doc: usize) -> Vec<MatchedTerm> {
        let n_fields = self.boosts.len();
        let Ok(doc) = u32::try_from(doc) else {
            return Vec::new();
        };
        query
            .terms
            .iter()
            .filter_map(|(term, _)| {
                let postings = self.terms.get(term.as_str())?;
                let at = postings.docs.binary_search(&doc).ok()?;
                let factors = &postings.factors[at * n_fields..(at + 1) * n_fields];
                let fields = factors
                    .iter()
                    .zip(&self.field_names)
                    .filter(|(&factor, _)| factor > 0.0)
                    .map(|(_, name)| name.clone())
                    .collect();
                Some(MatchedTerm {
                    term: term.clone(),
                    fields,
                })
            })
            .collect()
    }
}

impl std::fmt::Debug for LexicalBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LexicalBatch")
            .field("listings", &self.ids.len())
            .field("terms", &self.terms.len())
            .field("fields", &self.field_names)
            .finish_non_exhaustive()
    }
}

/// The terms of one stored document in each searched field, cut as the
/// index cut them (the stored value is the indexed one), with its field
/// norms as the index recorded them.
fn doc_terms(
    doc: &TantivyDocument,
    fields: &[(Field, f32)],
    readers: &[FieldNormReader],
    address: &DocAddress,
    segmenter: &super::Segmenter,
) -> DocTerms {
    let mut terms: Vec<(String, usize, u32)> = Vec::new();
    for (i, &(field, _)) in fields.iter().enumerate() {
        // tantivy adds up a term's occurrences over all of a field's values.
        let mut tokens: Vec<String> = doc
            .get_all(field)
            .filter_map(|value| value.as_str())
            .flat_map(|text| segmenter.index_tokens(text))
            .map(|token| token.text)
            .collect();
        tokens.sort_unstable();
        for run in tokens.chunk_by(|a, b| a == b) {
            terms.push((run[0].clone(), i, run.len() as u32));
        }
    }
    terms.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let norms = readers
        .iter()
        .map(|reader| reader.fieldnorm_id(address.doc_id))
        .collect();
    DocTerms { terms, norms }
}

/// Per field, `K1·(1 − B + B·fieldnorm/avgdl)` for each of the 256
/// field-norm ids: tantivy's `compute_tf_cache`, with the average field
/// length over the whole index as `Bm25Weight::for_terms` takes it.
fn norm_components(searcher: &Searcher, fields: &[(Field, f32)]) -> Result<Vec<[f32; 256]>> {
    let total_docs = searcher
        .total_num_docs()
        .map_err(Error::tantivy("count documents"))?;
    fields
        .iter()
        .map(|&(field, _)| {
            let total_tokens = searcher
                .total_num_tokens(field)
                .map_err(Error::tantivy("count tokens"))?;
            let average_fieldnorm = total_tokens as f32 / total_docs as f32;
            let mut cache = [0.0f32; 256];
            for (id, slot) in cache.iter_mut().enumerate() {
                let fieldnorm = FieldNormReader::id_to_fieldnorm(id as u8);
                *slot = K1 * (1.0 - B + B * fieldnorm as f32 / average_fieldnorm);
            }
            Ok(cache)
        })
        .collect()
}

/// `score`'s bits as a u32 that orders as [`f32::total_cmp`] does.
fn ordered_bits(score: f32) -> u32 {
    let bits = score.to_bits();
    if bits >> 31 == 1 {
        !bits
    } else {
        bits | 1 << 31
    }
}

/// tantivy's BM25 idf: ln(1 + (N − n + 0.5) / (n + 0.5)).
fn idf(doc_freq: u64, doc_count: u64) -> f32 {
    let x = (doc_count.saturating_sub(doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idf_is_tantivys() {
        // Bm25Weight::for_one_term over the same counts.
        for (n, total) in [(1u64, 10u64), (5, 5), (0, 3), (120, 7_600)] {
            let tantivy = tantivy::query::Bm25Weight::for_one_term(n, total, 1.0);
            let ours = idf(n, total) * (1.0 + K1);
            assert_eq!(tantivy.score(1, 1), ours * (1.0 / (1.0 + norm_one())));
        }
    }

    /// `K1·(1 − B + B·1/1)`: the norm component of field-norm id 1 at an
    /// average field length of 1.
    fn norm_one() -> f32 {
        K1 * (1.0 - B + B * 1.0 / 1.0)
    }

    #[test]
    fn ordered_bits_order_as_total_cmp() {
        let values = [
            f32::NEG_INFINITY,
            -2.5,
            -0.0,
            0.0,
            1e-30,
            0.5,
            0.5000001,
            7.0,
            f32::INFINITY,
        ];
        for pair in values.windows(2) {
            assert!(ordered_bits(pair[0]) < ordered_bits(pair[1]), "{pair:?}");
        }
    }

    #[test]
    fn a_batch_is_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<LexicalBatch>();
        assert_send_sync::<QueryTerms>();
    }
}
