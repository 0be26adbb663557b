use crate::profile_query::query_text;
use crate::query_cache::QueryCache;
use crate::{
    Error, Explanation, Facets, FusedHit, Fusion, Hit, RankerConfig, RecommendRequest, Result,
    Retrieval, ScoreDetails, SearchRequest, SearchResponse, Signal, SimilarRequest,
};
use corpus::{DemandProfile, IpcCode};
use indexer::{Filter, ListingCard, QuerySyntax, Snapshot};
use models::Embedder;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Answers which listings, in what order, and why, over one index snapshot.
/// Cheap to clone; a new snapshot means a new ranker, so a reader keeps one
/// consistent generation for a whole request.
#[derive(Debug, Clone)]
pub struct Ranker {
    snapshot: Arc<Snapshot>,
    embedder: Arc<Embedder>,
    config: RankerConfig,
    queries: Arc<QueryCache>,
}

/// A fused candidate with its card, before paging.
struct Candidate {
    hit: FusedHit,
    card: ListingCard,
    ipc_preferred: bool,
    folded: Vec<String>,
}

/// How a page is explained: the query as searched.
struct ExplainWith<'a> {
    text: &'a str,
    syntax: QuerySyntax,
}

impl Ranker {
    pub fn new(snapshot: Arc<Snapshot>, embedder: Arc<Embedder>, config: RankerConfig) -> Self {
        let queries = Arc::new(QueryCache::new(config.query_cache));
        Self {
            snapshot,
            embedder,
            config,
            queries,
        }
    }

    /// The same ranker over another generation: the model, the settings
    /// and the cached query vectors carry over.
    pub fn with_snapshot(&self, snapshot: Arc<Snapshot>) -> Self {
        Self {
            snapshot,
            ..self.clone()
        }
    }

    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    pub fn config(&self) -> &RankerConfig {
        &self.config
    }

    /// The model queries are embedded with; a new generation's ranker
    /// shares it instead of loading it again.
    pub fn embedder(&self) -> Arc<Embedder> {
        Arc::clone(&self.embedder)
    }

    /// Ranks the listings that pass the request's filter for its text (and
    /// profile), and returns the requested page with facets over every
    /// candidate.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse> {
        self.check_page(request.offset, request.limit)?;
        let profile = request.profile.as_ref();
        let text = query_text(&request.text, profile);
        if text.trim().is_empty() {
            return Err(Error::Invalid {
                field: "text",
                message: "empty: give a query or a demand profile".into(),
            });
        }
        let syntax = syntax_of(request);
        let retrieval = request
            .retrieval
            .unwrap_or(Retrieval::Hybrid(self.config.fusion));
        let depth = self.depth(request.offset, request.limit, request.exclude.len());

        let (lexical, terms) = match retrieval {
            Retrieval::Semantic => (Vec::new(), Vec::new()),
            _ => match self
                .snapshot
                .text_search_with(&text, syntax, &request.filter, depth)
            {
                Ok(results) => (results.hits, results.terms),
                // Prose of only boilerplate still has a meaning to embed.
                Err(indexer::Error::Query(_)) if matches!(retrieval, Retrieval::Hybrid(_)) => {
                    (Vec::new(), Vec::new())
                }
                Err(e) => return Err(e.into()),
            },
        };
        let semantic = match retrieval {
            Retrieval::Lexical => Vec::new(),
            _ => {
                let vector = self.embed_query(&text)?;
                self.snapshot
                    .vector_search(&vector, &request.filter, depth)?
            }
        };
        let (fused, fusion) = match retrieval {
            Retrieval::Hybrid(fusion) => (fusion.fuse(&lexical, &semantic), Some(fusion)),
            Retrieval::Lexical => (Fusion::single_lexical(&lexical), None),
            Retrieval::Semantic => (Fusion::single_semantic(&semantic), None),
        };
        let explain = request.explain.then_some(ExplainWith {
            text: &text,
            syntax,
        });
        let mut response = self.respond(
            fused,
            fusion,
            &request.filter,
            &request.exclude,
            &[],
            profile,
            request.offset,
            request.limit,
            explain,
        )?;
        response.terms = terms;
        Ok(response)
    }

    /// Listings nearest to one listing, never the listing itself or a
    /// near-duplicate of it.
    pub fn similar(&self, request: &SimilarRequest) -> Result<SearchResponse> {
        self.check_page(request.offset, request.limit)?;
        let vector = self.vector_of(&request.id)?.to_vec();
        self.nearest_to(
            &vector,
            std::slice::from_ref(&request.id),
            &request.filter,
            &request.exclude,
            request.offset,
            request.limit,
        )
    }

    /// New listings near the kept examples and away from the rejected
    /// ones (Rocchio: mean of the positives minus half the mean of the
    /// negatives). Examples, their near-duplicates and excluded ids are
    /// never returned.
    pub fn recommend(&self, request: &RecommendRequest) -> Result<SearchResponse> {
        self.check_page(request.offset, request.limit)?;
        if request.positive.is_empty() {
            return Err(Error::Invalid {
                field: "positive",
                message: "at least one kept listing is needed".into(),
            });
        }
        let positive = self.mean_vector(&request.positive)?;
        let query = if request.negative.is_empty() {
            positive
        } else {
            let negative = self.mean_vector(&request.negative)?;
            let moved: Vec<f32> = positive
                .iter()
                .zip(&negative)
                .map(|(p, n)| p - 0.5 * n)
                .collect();
            // Negatives equal to the positives would cancel them out.
            if norm(&moved) > 1e-6 {
                moved
            } else {
                positive
            }
        };
        let examples: Vec<String> = request
            .positive
            .iter()
            .chain(&request.negative)
            .cloned()
            .collect();
        self.nearest_to(
            &normalized(query),
            &examples,
            &request.filter,
            &request.exclude,
            request.offset,
            request.limit,
        )
    }

    fn nearest_to(
        &self,
        vector: &[f32],
        examples: &[String],
        filter: &Filter,
        exclude: &HashSet<String>,
        offset: usize,
        limit: usize,
    ) -> Result<SearchResponse> {
        let mut exclude = exclude.clone();
        exclude.extend(examples.iter().cloned());
        let depth = self.depth(offset, limit, exclude.len());
        let semantic = self.snapshot.vector_search(vector, filter, depth)?;
        let ids: Vec<&str> = examples.iter().map(String::as_str).collect();
        let example_cards: Vec<ListingCard> =
            self.snapshot.cards(&ids)?.into_iter().flatten().collect();
        self.respond(
            Fusion::single_semantic(&semantic),
            None,
            filter,
            &exclude,
            &example_cards,
            None,
            offset,
            limit,
            None,
        )
    }

    /// Exclusions, cards, the profile's IPC lift, folding, facets, paging
    /// and explanations: what every kind of search shares once it has a
    /// fused list.
    #[allow(clippy::too_many_arguments)]
    fn respond(
        &self,
        fused: Vec<FusedHit>,
        fusion: Option<Fusion>,
        filter: &Filter,
        exclude: &HashSet<String>,
        drop_like: &[ListingCard],
        profile: Option<&DemandProfile>,
        offset: usize,
        limit: usize,
        explain: Option<ExplainWith<'_>>,
    ) -> Result<SearchResponse> {
        let fused: Vec<FusedHit> = fused
            .into_iter()
            .filter(|h| !exclude.contains(&h.id))
            .collect();
        let ids: Vec<&str> = fused.iter().map(|h| h.id.as_str()).collect();
        let cards = self.snapshot.cards(&ids)?;
        let preferred: &[IpcCode] = profile.map_or(&[], |p| &p.ipc_prefixes);
        let dropped: HashSet<(String, String)> = drop_like.iter().map(fold_key).collect();
        let mut candidates: Vec<Candidate> = fused
            .into_iter()
            .zip(cards)
            .filter_map(|(hit, card)| card.map(|card| (hit, card)))
            .filter(|(_, card)| !dropped.contains(&fold_key(card)))
            .map(|(mut hit, card)| {
                let ipc_preferred = card
                    .ipc
                    .iter()
                    .any(|code| preferred.iter().any(|p| code.starts_with(p)));
                if ipc_preferred {
                    hit.fused *= self.config.ipc_preference_boost;
                }
                Candidate {
                    hit,
                    card,
                    ipc_preferred,
                    folded: Vec::new(),
                }
            })
            .collect();
        candidates.sort_by(|a, b| {
            b.hit
                .fused
                .total_cmp(&a.hit.fused)
                .then_with(|| a.hit.id.cmp(&b.hit.id))
        });
        let kept = fold(candidates);
        let facets = Facets::count(kept.iter().map(|c| &c.card));
        let total = kept.len();
        let page: Vec<Candidate> = kept.into_iter().skip(offset).take(limit).collect();
        let mut hits: Vec<Hit> = page
            .into_iter()
            .enumerate()
            .map(|(i, c)| Hit {
                id: c.hit.id,
                rank: offset + i + 1,
                fee_negotiable: filter.max_fee.is_some() && c.card.fee_min.is_none(),
                card: c.card,
                score: ScoreDetails {
                    bm25: c.hit.lexical,
                    cosine: c.hit.semantic,
                    fused: c.hit.fused,
                    fusion,
                    ipc_preferred: c.ipc_preferred,
                },
                folded: c.folded,
                explanation: None,
            })
            .collect();
        if let Some(with) = explain {
            self.attach_explanations(&mut hits, with.text, with.syntax, filter)?;
        }
        Ok(SearchResponse {
            total,
            offset,
            limit,
            hits,
            facets,
            terms: Vec::new(),
        })
    }

    /// Attaches explanations to hits of `request`'s search that were
    /// returned without them: the push explains only what it sends.
    pub fn explain(&self, request: &SearchRequest, hits: &mut [Hit]) -> Result<()> {
        let text = query_text(&request.text, request.profile.as_ref());
        self.attach_explanations(hits, &text, syntax_of(request), &request.filter)
    }

    /// The matched terms, snippet and filters passed of each hit, for the
    /// query `text` as searched.
    fn attach_explanations(
        &self,
        hits: &mut [Hit],
        text: &str,
        syntax: QuerySyntax,
        filter: &Filter,
    ) -> Result<()> {
        let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
        let texts = match self.snapshot.explain_many(&ids, text, syntax) {
            Ok(texts) => texts,
            // Nothing lexical to explain; the filters still are.
            Err(indexer::Error::Query(_)) => vec![None; ids.len()],
            Err(e) => return Err(e.into()),
        };
        for (hit, text) in hits.iter_mut().zip(texts) {
            hit.explanation = Some(Explanation {
                matched: text.as_ref().map_or_else(Vec::new, |t| t.matched.clone()),
                snippet: text.and_then(|t| t.snippet),
                filters: filters_passed(filter, &hit.card),
            });
        }
        Ok(())
    }

    fn check_page(&self, offset: usize, limit: usize) -> Result<()> {
        if limit == 0 || limit > self.config.max_limit {
            return Err(Error::Invalid {
                field: "limit",
                message: format!("{limit} is not within 1..={}", self.config.max_limit),
            });
        }
        // Deeper than this, candidates would be drawn by the thousands for
        // one page; nobody reads page 100 of a patent search.
        let deepest = 10 * self.config.candidates.max(self.config.max_limit);
        // Checked: an offset near `usize::MAX` is a request, not a bug.
        if offset.checked_add(limit).is_none_or(|end| end > deepest) {
            return Err(Error::Invalid {
                field: "offset",
                message: format!("offset + limit may be at most {deepest}"),
            });
        }
        Ok(())
    }

    /// Candidates to draw from each signal: enough that exclusions and
    /// folded duplicates cannot leave the page short while matches exist.
    fn depth(&self, offset: usize, limit: usize, excluded: usize) -> usize {
        self.config.candidates.max(2 * (offset + limit)) + excluded
    }

    /// Query embeddings of `texts`, in one model call.
    pub(crate) fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        Ok(self.embedder.embed_queries(texts)?)
    }

    fn embed_query(&self, text: &str) -> Result<Arc<[f32]>> {
        if let Some(vector) = self.queries.get(text) {
            return Ok(vector);
        }
        let vector: Arc<[f32]> = self
            .embedder
            .embed_queries(&[text])?
            .pop()
            .ok_or_else(|| Error::Query("the model returned no vector".into()))?
            .into();
        self.queries.put(text, Arc::clone(&vector));
        Ok(vector)
    }

    fn vector_of(&self, id: &str) -> Result<&[f32]> {
        self.snapshot
            .vector(id)
            .ok_or_else(|| Error::UnknownListing(id.to_string()))
    }

    fn mean_vector(&self, ids: &[String]) -> Result<Vec<f32>> {
        let mut sum = vec![0.0f32; self.embedder.dimensions()];
        for id in ids {
            for (s, v) in sum.iter_mut().zip(self.vector_of(id)?) {
                *s += v;
            }
        }
        let n = ids.len().max(1) as f32;
        Ok(sum.into_iter().map(|s| s / n).collect())
    }
}

/// How a request's query is read: a profile is prose whatever the request
/// says.
fn syntax_of(request: &SearchRequest) -> QuerySyntax {
    if request.profile.is_some() {
        QuerySyntax::Plain
    } else {
        request.syntax
    }
}

/// What makes two listings the same offer: title and holder, compared
/// without spaces, punctuation or letter case.
pub(crate) fn fold_key(card: &ListingCard) -> (String, String) {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    (
        squash(&card.title),
        card.holder.as_deref().map(squash).unwrap_or_default(),
    )
}

/// Folds near-duplicates into the best-ranked of their group, keeping
/// order.
fn fold(candidates: Vec<Candidate>) -> Vec<Candidate> {
    let mut kept: Vec<Candidate> = Vec::with_capacity(candidates.len());
    let mut group: HashMap<(String, String), usize> = HashMap::new();
    for c in candidates {
        let key = fold_key(&c.card);
        match group.get(&key) {
            Some(&i) => kept[i].folded.push(c.hit.id),
            None => {
                group.insert(key, kept.len());
                kept.push(c);
            }
        }
    }
    kept
}

/// The filters a hit passed, in words, so a person can see why it is
/// allowed here (and that a 面议 fee was kept, not compared).
pub(crate) fn filters_passed(filter: &Filter, card: &ListingCard) -> Vec<String> {
    let mut passed = Vec::new();
    if let Some(day) = filter.searchable_on {
        passed.push(format!("{day} 可检索（已公告、未撤回生效）"));
    }
    if !filter.modes.is_empty() {
        let offered: Vec<&str> = card
            .modes
            .iter()
            .filter(|m| filter.modes.contains(m))
            .map(|m| m.as_str())
            .collect();
        passed.push(format!("实施方式：{}", offered.join("、")));
    }
    if let Some(budget) = filter.max_fee {
        match card.fee_min {
            Some(fee) => passed.push(format!("费用 {fee} 元 ≤ 预算 {budget} 元")),
            None => passed.push("费用面议，预算内保留".to_string()),
        }
    }
    if !filter.holder_kinds.is_empty() {
        if let Some(kind) = card.holder_kind {
            passed.push(format!("持有人类型：{kind}"));
        }
    }
    if let Some(holder) = &filter.holder {
        passed.push(format!("持有人：{holder}"));
    }
    if let Some(prefix) = &filter.ipc_prefix {
        passed.push(format!("IPC：{prefix}"));
    }
    if !filter.patent_kinds.is_empty() {
        passed.push(format!("专利类型：{}", card.patent_kind));
    }
    if filter.announced_from.is_some() || filter.announced_to.is_some() {
        let day = card.announced.map_or("未知".to_string(), |d| d.to_string());
        passed.push(format!("公告日 {day} 在所选范围内"));
    }
    passed
}

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

fn normalized(v: Vec<f32>) -> Vec<f32> {
    let n = norm(&v);
    if n > 0.0 {
        v.into_iter().map(|x| x / n).collect()
    } else {
        v
    }
}

impl Fusion {
    /// BM25 candidates as a ranking of their own.
    pub(crate) fn single_lexical(hits: &[indexer::TextHit]) -> Vec<FusedHit> {
        hits.iter()
            .map(|h| FusedHit {
                id: h.id.clone(),
                fused: h.score,
                lexical: Some(Signal {
                    score: h.score,
                    rank: h.rank,
                }),
                semantic: None,
            })
            .collect()
    }

    /// Vector candidates as a ranking of their own.
    pub(crate) fn single_semantic(hits: &[indexer::NearestHit]) -> Vec<FusedHit> {
        hits.iter()
            .map(|h| FusedHit {
                id: h.id.clone(),
                fused: h.cosine,
                lexical: None,
                semantic: Some(Signal {
                    score: h.cosine,
                    rank: h.rank,
                }),
            })
            .collect()
    }
}
