//! Explaining full-text hits: which query terms a listing has, and where.

use super::normalize::fold;
use super::{
    ListingSchema, MatchedTerm, QueryBuilder, QueryPlan, Segmenter, Snippet, TextExplanation,
};
use crate::{Error, Result};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use tantivy::query::{EnableScoring, Weight};
use tantivy::schema::{Field, Value};
use tantivy::snippet::{collapse_overlapped_ranges, SnippetGenerator};
use tantivy::{DocAddress, DocSet, Searcher, TantivyDocument};

/// About how many chars a snippet holds: two lines of a result card.
pub(crate) const SNIPPET_CHARS: usize = 120;

/// Explains hits of one query. The per-term queries and the snippet
/// generators are built once per query, so explaining a page of hits costs
/// one postings walk per term and field, plus one stored-document read and
/// one snippet per hit.
pub(crate) struct Explainer<'a> {
    searcher: &'a Searcher,
    segmenter: &'a Segmenter,
    /// The loose terms, then the phrases, as [`MatchedTerm`] names them.
    terms: Vec<String>,
    /// The loose terms: a highlighted token that is one of them matched.
    loose: HashSet<String>,
    /// Each phrase as the chain of (offset, term) it is matched as.
    phrases: Vec<Vec<(usize, String)>>,
    /// Each searched field, with one weight per term of `terms`.
    fields: Vec<SearchedField>,
    /// Fields a snippet may come from, in order of preference.
    snippets: Vec<(Field, String, SnippetGenerator)>,
}

/// A field queries search, with one weight per query term.
struct SearchedField {
    field: Field,
    name: String,
    weights: Vec<Box<dyn Weight>>,
}

impl<'a> Explainer<'a> {
    pub(crate) fn new(
        searcher: &'a Searcher,
        queries: &'a QueryBuilder,
        schema: &ListingSchema,
        plan: &QueryPlan,
    ) -> Result<Self> {
        let name = |field: Field| searcher.schema().get_field_name(field).to_string();
        let scoring = EnableScoring::disabled_from_searcher(searcher);
        let fields = schema
            .query_fields()
            .into_iter()
            .map(|(field, _)| {
                let weights = queries
                    .each_term_in(plan, field)
                    .iter()
                    .map(|query| query.weight(scoring))
                    .collect::<tantivy::Result<Vec<_>>>()
                    .map_err(Error::tantivy(format!("explain in {}", name(field))))?;
                Ok(SearchedField {
                    field,
                    name: name(field),
                    weights,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // The abstract says what a listing is about, the title is short and
        // the claims are formulaic: the first that has a match is shown.
        let snippets = [schema.abstract_text, schema.title, schema.claims]
            .into_iter()
            .map(|field| {
                let generator = SnippetGenerator::create(searcher, &*plan.query, field)
                    .map_err(Error::tantivy(format!("snippets of {}", name(field))))?;
                Ok((field, name(field), generator))
            })
            .collect::<Result<Vec<_>>>()?;
        let segmenter = queries.segmenter();
        Ok(Self {
            searcher,
            segmenter,
            terms: plan.terms.iter().chain(&plan.phrases).cloned().collect(),
            loose: plan.terms.iter().cloned().collect(),
            phrases: plan
                .phrases
                .iter()
                .map(|phrase| segmenter.phrase_terms(phrase))
                .filter(|chain| !chain.is_empty())
                .collect(),
            fields,
            snippets,
        })
    }

    /// The explanation of each document, in order; `None` where there is
    /// no document.
    pub(crate) fn explain(
        &mut self,
        docs: &[Option<DocAddress>],
    ) -> Result<Vec<Option<TextExplanation>>> {
        let found = self.matches(docs)?;
        docs.iter()
            .zip(found)
            .map(|(doc, found)| match doc {
                Some(address) => self.explain_one(*address, &found).map(Some),
                None => Ok(None),
            })
            .collect()
    }

    /// For each document, for each term, the indices (into `fields`) of the
    /// fields where the term counted for it.
    fn matches(&self, docs: &[Option<DocAddress>]) -> Result<Vec<Vec<Vec<usize>>>> {
        let mut found = vec![vec![Vec::new(); self.terms.len()]; docs.len()];
        // Postings only move forward: visit each segment's documents in
        // ascending order.
        let mut order: Vec<(usize, DocAddress)> = docs
            .iter()
            .enumerate()
            .filter_map(|(i, doc)| Some((i, (*doc)?)))
            .collect();
        order.sort_by_key(|(_, address)| (address.segment_ord, address.doc_id));
        for segment in order.chunk_by(|a, b| a.1.segment_ord == b.1.segment_ord) {
            let reader = self.searcher.segment_reader(segment[0].1.segment_ord);
            for (f, searched) in self.fields.iter().enumerate() {
                for (t, weight) in searched.weights.iter().enumerate() {
                    let mut scorer = weight
                        .scorer(reader, 1.0)
                        .map_err(Error::tantivy(format!("explain in {}", searched.name)))?;
                    for &(i, address) in segment {
                        let mut at = scorer.doc();
                        if at < address.doc_id {
                            at = scorer.seek(address.doc_id);
                        }
                        if at == address.doc_id {
                            found[i][t].push(f);
                        }
                    }
                }
            }
        }
        Ok(found)
    }

    fn explain_one(
        &mut self,
        address: DocAddress,
        found: &[Vec<usize>],
    ) -> Result<TextExplanation> {
        let matched: Vec<MatchedTerm> = self
            .terms
            .iter()
            .zip(found)
            .filter(|(_, fields)| !fields.is_empty())
            .map(|(term, fields)| MatchedTerm {
                term: term.clone(),
                fields: fields
                    .iter()
                    .map(|&f| self.fields[f].name.clone())
                    .collect(),
            })
            .collect();
        let matched_in = |field: Field| {
            found
                .iter()
                .flatten()
                .any(|&f| self.fields[f].field == field)
        };
        let wanted: Vec<bool> = self
            .snippets
            .iter()
            .map(|(field, _, _)| matched_in(*field))
            .collect();
        let snippet = if wanted.contains(&true) {
            let doc: TantivyDocument = self
                .searcher
                .doc(address)
                .map_err(Error::tantivy("read a hit for its snippet"))?;
            self.snippet(&doc, &wanted)
        } else {
            None
        };
        Ok(TextExplanation { matched, snippet })
    }

    /// The first field in `wanted` whose best fragment keeps a highlight.
    fn snippet(&mut self, doc: &TantivyDocument, wanted: &[bool]) -> Option<Snippet> {
        for (i, (field, name, generator)) in self.snippets.iter_mut().enumerate() {
            if !wanted[i] {
                continue;
            }
            let Some(text) = doc.get_first(*field).and_then(|value| value.as_str()) else {
                continue;
            };
            // tantivy measures fragments in bytes: a Chinese char is three.
            let bytes_per_char = text.len() as f64 / text.chars().count().max(1) as f64;
            generator.set_max_num_chars((SNIPPET_CHARS as f64 * bytes_per_char) as usize);
            let snippet = generator.snippet(text);
            let fragment = snippet.fragment();
            let highlights = highlights(
                fragment,
                snippet.highlighted(),
                &self.loose,
                &self.phrases,
                self.segmenter,
            );
            if highlights.is_empty() {
                continue;
            }
            return Some(Snippet {
                field: name.clone(),
                text: fragment.to_string(),
                highlights: highlights
                    .into_iter()
                    .map(|range| {
                        (
                            char_index(fragment, range.start),
                            char_index(fragment, range.end),
                        )
                    })
                    .collect(),
            });
        }
        None
    }
}

/// The byte ranges of `fragment` to highlight, sorted and merged where they
/// overlap, from those tantivy marked (`marked`).
///
/// tantivy marks every token of the fragment that is a term of the query.
/// A quoted phrase is searched as a chain of its chars, so tantivy marks
/// those chars wherever they occur; only the phrase's occurrences are kept,
/// whole, and of the other marks those that are loose terms.
fn highlights(
    fragment: &str,
    marked: &[Range<usize>],
    loose: &HashSet<String>,
    phrases: &[Vec<(usize, String)>],
    segmenter: &Segmenter,
) -> Vec<Range<usize>> {
    let mut kept: Vec<Range<usize>> = marked
        .iter()
        .filter(|range| {
            fragment
                .get((*range).clone())
                .is_some_and(|text| loose.contains(&text.chars().map(fold).collect::<String>()))
        })
        .cloned()
        .collect();
    if !phrases.is_empty() && !marked.is_empty() {
        let tokens = segmenter.index_tokens(fragment);
        let at: HashMap<(usize, &str), Range<usize>> = tokens
            .iter()
            .map(|t| ((t.position, t.text.as_str()), t.offset_from..t.offset_to))
            .collect();
        for chain in phrases {
            let Some((_, first)) = chain.first() else {
                continue;
            };
            let starts = tokens.iter().filter(|t| &t.text == first);
            for start in starts.map(|t| t.position) {
                let links: Option<Vec<&Range<usize>>> = chain
                    .iter()
                    .map(|(offset, text)| at.get(&(start + offset, text.as_str())))
                    .collect();
                let Some(links) = links else { continue };
                let from = links.iter().map(|r| r.start).min();
                let to = links.iter().map(|r| r.end).max();
                if let (Some(from), Some(to)) = (from, to) {
                    kept.push(from..to);
                }
            }
        }
    }
    collapse_overlapped_ranges(&kept)
}

/// The char index of byte offset `byte` in `text`.
fn char_index(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(0, |head| head.chars().count())
}
