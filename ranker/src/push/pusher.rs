use super::candidate_set::CandidateSet;
use super::reference::Reference;
use super::{ProfilePush, PushConfig, PushProgress, PushReport};
use crate::profile_query::query_text;
use crate::ranker::{filters_passed, fold_key};
use crate::{Explanation, Ranker, Result, ScoreDetails, Signal};
use chrono::NaiveDate;
use corpus::{DemandProfile, ProfileBaseline, PushHistory, PushItem, PushedTerms, Store};
use indexer::{dot, Filter, ListingCard, MatchedTerm, QuerySyntax, QueryTerms, TextHash};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Decides and records the daily push for demand profiles, over one ranker
/// (one index generation) and the store that remembers what was sent.
///
/// A profile's first push ranks the whole searchable corpus for it, and
/// keeps what that search saw as the profile's [`ProfileBaseline`]: its
/// query embedding, its BM25 terms and the scores of its best matches.
/// Every later push scores only the listings announced or changed since
/// the profile's last push, against that baseline, so a day's run is one
/// batch: each group of profiles sharing a last push day scores the same
/// candidate listings, embedding nothing and searching nothing, on all
/// cores. The scores mean what the first push's scores mean, so the one
/// calibrated threshold holds for both.
#[derive(Debug)]
pub struct Pusher<'a> {
    ranker: &'a Ranker,
    config: PushConfig,
}

/// Below this many profiles, history and baselines are read per profile;
/// above, in one pass over the store.
const BULK_READ: usize = 64;

/// Profiles embedded per model call.
const EMBED_CHUNK: usize = 32;

/// A profile's baseline and the ids its full-corpus search found.
type Searched = (ProfileBaseline, Vec<String>);

/// A progress callback that may be called from any thread.
type Progress<'f> = &'f (dyn Fn(PushProgress<'_>) + Sync);

/// One profile's push to decide.
struct Case<'p> {
    profile: &'p DemandProfile,
    history: PushHistory,
    /// The profile's last push before the day; `None` for a first push.
    last: Option<NaiveDate>,
    baseline: Option<ProfileBaseline>,
    /// The baseline's terms, moved out of it once rather than copied.
    terms: QueryTerms,
}

/// Where a case's candidates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    /// Its own first-push search, by case index.
    Own(usize),
    /// The listings announced or changed after this day.
    Since(NaiveDate),
}

/// A candidate scored for one profile.
struct Scored {
    doc: usize,
    fused: f32,
    lexical: Option<Signal>,
    semantic: Option<Signal>,
    ipc_preferred: bool,
    folded: Vec<String>,
}

/// A scored candidate after the push's own rules.
struct Chosen {
    scored: Scored,
    score: f32,
    repush: bool,
    liked: bool,
}

/// The pushes of a day, before recording, and the baselines computed for
/// them.
struct Planned {
    pushes: Vec<ProfilePush>,
    baselines: Vec<ProfileBaseline>,
}

impl<'a> Pusher<'a> {
    pub fn new(ranker: &'a Ranker, config: PushConfig) -> Self {
        Self { ranker, config }
    }

    /// Pushes every stored profile for `date`, reporting its progress.
    pub fn run(
        &self,
        store: &mut dyn Store,
        date: NaiveDate,
        progress: Progress<'_>,
    ) -> Result<PushReport> {
        let profiles = store.profiles()?;
        self.run_for(store, &profiles, date, progress)
    }

    /// Pushes `profiles` for `date`: decides every push, then records them
    /// all, with any new baselines, in one transaction each.
    pub fn run_for(
        &self,
        store: &mut dyn Store,
        profiles: &[DemandProfile],
        date: NaiveDate,
        progress: Progress<'_>,
    ) -> Result<PushReport> {
        let started = Instant::now();
        let pushes = self.execute(store, profiles, date, progress)?;
        let mut report = PushReport::default();
        for push in &pushes {
            report.profiles += 1;
            report.already_pushed += usize::from(push.already_pushed);
            report.served += usize::from(!push.items.is_empty());
            report.items += push.items.len();
            report.repushed += push
                .items
                .iter()
                .filter(|i| i.reasons.iter().any(|r| r == REPUSH_REASON))
                .count();
            progress(PushProgress::Pushed(push));
        }
        report.seconds = started.elapsed().as_secs_f64();
        tracing::info!(?report, %date, "push done");
        Ok(report)
    }

    /// Decides one profile's push for `date` and records it. A day already
    /// pushed sends nothing new.
    pub fn push(
        &self,
        store: &mut dyn Store,
        profile: &DemandProfile,
        date: NaiveDate,
    ) -> Result<ProfilePush> {
        let mut pushes = self.execute(store, std::slice::from_ref(profile), date, &|_| {})?;
        Ok(pushes.remove(0))
    }

    /// What `push` would send, without recording anything.
    pub fn plan(
        &self,
        store: &dyn Store,
        profile: &DemandProfile,
        date: NaiveDate,
    ) -> Result<ProfilePush> {
        let mut planned = self.prepare(store, std::slice::from_ref(profile), date, &|_| {})?;
        Ok(planned.pushes.remove(0))
    }

    /// What `run_for` would send, without recording anything.
    pub fn plan_many(
        &self,
        store: &dyn Store,
        profiles: &[DemandProfile],
        date: NaiveDate,
        progress: Progress<'_>,
    ) -> Result<Vec<ProfilePush>> {
        Ok(self.prepare(store, profiles, date, progress)?.pushes)
    }

    fn execute(
        &self,
        store: &mut dyn Store,
        profiles: &[DemandProfile],
        date: NaiveDate,
        progress: Progress<'_>,
    ) -> Result<Vec<ProfilePush>> {
        let Planned {
            mut pushes,
            baselines,
        } = self.prepare(&*store, profiles, date, progress)?;
        store.save_baselines(&baselines)?;
        let pending: Vec<(&str, &[PushItem])> = pushes
            .iter()
            .filter(|p| !p.already_pushed)
            .map(|p| (p.profile_id.as_str(), p.items.as_slice()))
            .collect();
        let mut recorded = store.record_pushes(date, &pending)?.into_iter();
        for push in pushes.iter_mut().filter(|p| !p.already_pushed) {
            if !recorded.next().unwrap_or(false) {
                // Another run recorded this day between plan and record.
                push.already_pushed = true;
                push.items.clear();
            }
        }
        Ok(pushes)
    }

    fn prepare(
        &self,
        store: &dyn Store,
        profiles: &[DemandProfile],
        date: NaiveDate,
        progress: Progress<'_>,
    ) -> Result<Planned> {
        let started = Instant::now();
        let (mut histories, mut stored) = read_state(store, profiles)?;
        // `None` marks a profile whose push is decided below, in order.
        let mut pushes: Vec<Option<ProfilePush>> = Vec::with_capacity(profiles.len());
        let mut cases: Vec<Case<'_>> = Vec::new();
        for profile in profiles {
            let history = histories.remove(&profile.id).unwrap_or_default();
            if history.dates.contains(&date) {
                pushes.push(Some(ProfilePush {
                    profile_id: profile.id.clone(),
                    date,
                    already_pushed: true,
                    items: Vec::new(),
                }));
                continue;
            }
            let last = history.dates.iter().copied().filter(|d| *d < date).max();
            let baseline = stored
                .remove(&profile.id)
                .filter(|b| b.fingerprint == self.fingerprint(profile));
            pushes.push(None);
            cases.push(Case {
                profile,
                history,
                last,
                baseline,
                terms: QueryTerms::default(),
            });
        }

        // A first push searches the corpus, so its baseline is always
        // today's; a later one keeps its baseline unless the profile
        // changed.
        let stale: Vec<usize> = (0..cases.len())
            .filter(|&i| cases[i].last.is_none() || cases[i].baseline.is_none())
            .collect();
        let searched = self.search_baselines(
            &stale.iter().map(|&i| cases[i].profile).collect::<Vec<_>>(),
            date,
            progress,
        )?;
        let mut own: HashMap<usize, Vec<String>> = HashMap::new();
        let mut baselines = Vec::new();
        for (&i, found) in stale.iter().zip(searched) {
            if let Some((baseline, ids)) = found {
                baselines.push(baseline.clone());
                cases[i].baseline = Some(baseline);
                if cases[i].last.is_none() {
                    own.insert(i, ids);
                }
            }
        }

        for case in &mut cases {
            if let Some(baseline) = &mut case.baseline {
                case.terms = QueryTerms {
                    terms: std::mem::take(&mut baseline.terms),
                };
            }
        }
        let sets = self.candidate_sets(store, &cases, own, date)?;
        let scored = AtomicUsize::new(0);
        let total = cases.len();
        let decided: Vec<Result<ProfilePush>> = cases
            .par_iter()
            .enumerate()
            .map(|(i, case)| {
                let source = match case.last {
                    Some(last) => Source::Since(last),
                    None => Source::Own(i),
                };
                let push = self.decide(case, sets.get(&source), date);
                let done = scored.fetch_add(1, Ordering::Relaxed) + 1;
                if done.is_multiple_of(1024) || done == total {
                    progress(PushProgress::Scored { done, total });
                }
                push
            })
            .collect();
        let mut decided = decided.into_iter();
        let pushes = pushes
            .into_iter()
            .map(|push| push.map_or_else(|| decided.next().expect("one per case"), Ok))
            .collect::<Result<Vec<_>>>()?;
        tracing::debug!(
            profiles = profiles.len(),
            baselines = baselines.len(),
            candidate_sets = sets.len(),
            seconds = started.elapsed().as_secs_f64(),
            "push planned"
        );
        Ok(Planned { pushes, baselines })
    }

    /// Each profile's baseline from a full-corpus search on `date`, with
    /// the ids that search found (a first push's candidates); `None` for a
    /// profile with nothing to search.
    fn search_baselines(
        &self,
        profiles: &[&DemandProfile],
        date: NaiveDate,
        progress: Progress<'_>,
    ) -> Result<Vec<Option<Searched>>> {
        if profiles.is_empty() {
            return Ok(Vec::new());
        }
        let texts: Vec<String> = profiles.iter().map(|p| Self::profile_text(p)).collect();
        let wanted: Vec<usize> = (0..texts.len())
            .filter(|&i| !texts[i].trim().is_empty())
            .collect();
        let started = Instant::now();
        let mut vectors = Vec::with_capacity(wanted.len());
        for chunk in wanted.chunks(EMBED_CHUNK) {
            let texts: Vec<&str> = chunk.iter().map(|&i| texts[i].as_str()).collect();
            vectors.extend(self.ranker.embed_queries(&texts)?);
            progress(PushProgress::Embedded {
                done: vectors.len(),
                total: wanted.len(),
            });
        }
        tracing::info!(
            profiles = wanted.len(),
            seconds = started.elapsed().as_secs_f64(),
            "push: profiles embedded"
        );
        let mut vector_of: HashMap<usize, Vec<f32>> = wanted.into_iter().zip(vectors).collect();
        let vectors: Vec<Option<Vec<f32>>> =
            (0..texts.len()).map(|i| vector_of.remove(&i)).collect();
        self.search_with_vectors(profiles, &texts, vectors, date)
    }

    /// The text a profile is searched and embedded with: its title,
    /// statement and keywords.
    pub fn profile_text(profile: &DemandProfile) -> String {
        query_text("", Some(profile))
    }

    /// Baselines for profiles whose query embeddings were computed
    /// elsewhere (a separate embedding job, or synthetic profiles in a
    /// benchmark): `vectors[i]` must be the `query: ` embedding of
    /// [`profile_text`](Self::profile_text) of profile `i` by this index's
    /// model. The search part of a first push, without the model.
    pub fn baselines_from_vectors(
        &self,
        profiles: &[&DemandProfile],
        vectors: Vec<Vec<f32>>,
        date: NaiveDate,
    ) -> Result<Vec<ProfileBaseline>> {
        if vectors.len() != profiles.len() {
            return Err(crate::Error::Invalid {
                field: "vectors",
                message: format!("{} vectors for {} profiles", vectors.len(), profiles.len()),
            });
        }
        let texts: Vec<String> = profiles.iter().map(|p| Self::profile_text(p)).collect();
        let vectors = vectors.into_iter().map(Some).collect();
        Ok(self
            .search_with_vectors(profiles, &texts, vectors, date)?
            .into_iter()
            .flatten()
            .map(|(baseline, _)| baseline)
            .collect())
    }

    /// Each profile's full-corpus search with its vector; `None` where
    /// there is no vector.
    fn search_with_vectors(
        &self,
        profiles: &[&DemandProfile],
        texts: &[String],
        vectors: Vec<Option<Vec<f32>>>,
        date: NaiveDate,
    ) -> Result<Vec<Option<Searched>>> {
        let jobs: Vec<(usize, Vec<f32>)> = vectors
            .into_iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
            .collect();
        let snapshot = self.ranker.snapshot();
        let depth = self.reference_depth();
        let found: Vec<Result<(usize, ProfileBaseline, Vec<String>)>> = jobs
            .into_par_iter()
            .map(|(i, vector)| {
                let profile = profiles[i];
                let filter = profile_filter(profile, date);
                let lexical = match snapshot.text_search_with(
                    &texts[i],
                    QuerySyntax::Plain,
                    &filter,
                    depth,
                ) {
                    Ok(results) => results.hits,
                    // Only boilerplate: nothing lexical, the meaning remains.
                    Err(indexer::Error::Query(_)) => Vec::new(),
                    Err(e) => return Err(e.into()),
                };
                let semantic = snapshot.vector_search(&vector, &filter, depth)?;
                let mut seen = HashSet::new();
                let ids: Vec<String> = lexical
                    .iter()
                    .map(|h| &h.id)
                    .chain(semantic.iter().map(|h| &h.id))
                    .filter(|id| seen.insert(id.as_str()))
                    .cloned()
                    .collect();
                let baseline = ProfileBaseline {
                    profile_id: profile.id.clone(),
                    fingerprint: self.fingerprint(profile),
                    computed_on: date,
                    terms: snapshot.query_terms(&texts[i]).terms,
                    lexical: lexical.iter().map(|h| h.score).collect(),
                    semantic: semantic.iter().map(|h| h.cosine).collect(),
                    vector,
                };
                Ok((i, baseline, ids))
            })
            .collect();
        let mut out: Vec<Option<Searched>> = vec![None; profiles.len()];
        for result in found {
            let (i, baseline, ids) = result?;
            out[i] = Some((baseline, ids));
        }
        Ok(out)
    }

    /// The candidate listings of every source the cases need: a first
    /// push's own search results, or what was announced or changed after
    /// a last push day, up to `date`.
    fn candidate_sets(
        &self,
        store: &dyn Store,
        cases: &[Case<'_>],
        own: HashMap<usize, Vec<String>>,
        date: NaiveDate,
    ) -> Result<BTreeMap<Source, CandidateSet<'a>>> {
        let snapshot = self.ranker.snapshot();
        let mut sets = own
            .into_par_iter()
            .map(|(i, ids)| {
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                Ok((Source::Own(i), CandidateSet::new(snapshot, &ids)?))
            })
            .collect::<Result<BTreeMap<_, _>>>()?;
        let lasts: Vec<NaiveDate> = cases
            .iter()
            .filter_map(|c| c.last)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if lasts.is_empty() {
            return Ok(sets);
        }
        // Announcement days are on the cards: one read of them serves
        // every last-push day.
        let all: Vec<&str> = snapshot.ids().collect();
        let announced: Vec<(String, NaiveDate)> = snapshot
            .cards(&all)?
            .into_iter()
            .flatten()
            .filter_map(|card| card.announced.map(|on| (card.id, on)))
            .filter(|(_, on)| *on <= date)
            .collect();
        for last in lasts {
            let mut ids: Vec<String> = announced
                .iter()
                .filter(|(_, on)| *on > last)
                .map(|(id, _)| id.clone())
                .collect();
            ids.extend(store.terms_changed_between(last, date)?);
            ids.sort();
            ids.dedup();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            sets.insert(Source::Since(last), CandidateSet::new(snapshot, &ids)?);
        }
        Ok(sets)
    }

    /// One profile's push from its candidates.
    fn decide(
        &self,
        case: &Case<'_>,
        set: Option<&CandidateSet<'_>>,
        date: NaiveDate,
    ) -> Result<ProfilePush> {
        let profile = case.profile;
        let empty = ProfilePush {
            profile_id: profile.id.clone(),
            date,
            already_pushed: false,
            items: Vec::new(),
        };
        let (Some(baseline), Some(set)) = (&case.baseline, set) else {
            return Ok(empty);
        };
        let filter = profile_filter(profile, date);
        let terms = &case.terms;
        let scored = self.score(profile, baseline, set, &filter, terms);

        // The terms each listing had when it was last sent.
        let sent: HashMap<&str, &PushedTerms> = case
            .history
            .sent
            .iter()
            .map(|(id, terms)| (id.as_str(), terms))
            .collect();
        let mut liked = Vec::new();
        let mut disliked = HashSet::new();
        for verdict in &case.history.feedback {
            if verdict.relevant {
                liked.push(verdict.listing_id.as_str());
            } else {
                disliked.insert(verdict.listing_id.as_str());
            }
        }
        let liked_centre = self.centroid(liked.iter().copied());
        let disliked_centre = self.centroid(disliked.iter().copied());
        let mut chosen: Vec<Chosen> = Vec::new();
        for scored in scored {
            let card = &set.cards[scored.doc];
            if disliked.contains(card.id.as_str()) {
                continue;
            }
            let repush = match sent.get(card.id.as_str()) {
                Some(then) if then.improved_by(&terms_of(card), &profile.acceptable_modes) => true,
                Some(_) => continue,
                None => false,
            };
            let vector = set.vectors[scored.doc];
            let pull = |centre: &Option<Vec<f32>>| centre.as_ref().map_or(0.0, |c| dot(c, vector));
            let shift =
                self.config.feedback_weight * (pull(&liked_centre) - pull(&disliked_centre));
            chosen.push(Chosen {
                score: scored.fused + shift,
                liked: shift > 0.01,
                repush,
                scored,
            });
        }
        chosen.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| set.cards[a.scored.doc].id.cmp(&set.cards[b.scored.doc].id))
        });
        chosen.retain(|c| c.score >= self.config.threshold);
        chosen.truncate(self.config.limit);

        let fusion = self.ranker.config().fusion;
        let items = chosen
            .into_iter()
            .map(|c| {
                let card = &set.cards[c.scored.doc];
                let matched = set.lexical.matched(terms, c.scored.doc);
                let details = ScoreDetails {
                    bm25: c.scored.lexical,
                    cosine: c.scored.semantic,
                    fused: c.scored.fused,
                    fusion: Some(fusion),
                    ipc_preferred: c.scored.ipc_preferred,
                };
                let explanation = Explanation {
                    matched,
                    snippet: None,
                    filters: filters_passed(&filter, card),
                };
                PushItem {
                    profile_id: profile.id.clone(),
                    listing_id: card.id.clone(),
                    date,
                    score: c.score,
                    reasons: reasons(profile, card, &details, &explanation.matched, &c),
                    terms: terms_of(card),
                    explanation: serde_json::json!({
                        "score": details,
                        "explanation": explanation,
                        "folded": c.scored.folded,
                        "baseline_computed_on": baseline.computed_on,
                    }),
                }
            })
            .collect();
        Ok(ProfilePush { items, ..empty })
    }

    /// The profile's candidates that pass its filter, scored against its
    /// baseline as its search would score them, near-duplicates folded,
    /// best first, at most the push's depth.
    fn score(
        &self,
        profile: &DemandProfile,
        baseline: &ProfileBaseline,
        set: &CandidateSet<'_>,
        filter: &Filter,
        terms: &QueryTerms,
    ) -> Vec<Scored> {
        let reference = Reference {
            lexical: &baseline.lexical,
            semantic: &baseline.semantic,
            depth: self.reference_depth(),
        };
        let fusion = self.ranker.config().fusion;
        let boost = self.ranker.config().ipc_preference_boost;
        let mut bm25: Vec<Option<f32>> = vec![None; set.len()];
        for (doc, score) in set.lexical.score(terms) {
            bm25[doc] = Some(score);
        }
        let mut scored: Vec<Scored> = (0..set.len())
            .filter(|&doc| filter.admits(&set.cards[doc]))
            .filter_map(|doc| {
                let card = &set.cards[doc];
                let cosine = dot(&baseline.vector, set.vectors[doc]);
                let placed = reference.place(fusion, bm25[doc], cosine)?;
                let ipc_preferred = card
                    .ipc
                    .iter()
                    .any(|code| profile.ipc_prefixes.iter().any(|p| code.starts_with(p)));
                Some(Scored {
                    doc,
                    fused: if ipc_preferred {
                        placed.fused * boost
                    } else {
                        placed.fused
                    },
                    lexical: placed.lexical,
                    semantic: placed.semantic,
                    ipc_preferred,
                    folded: Vec::new(),
                })
            })
            .collect();
        scored.sort_by(|a, b| {
            b.fused
                .total_cmp(&a.fused)
                .then_with(|| set.cards[a.doc].id.cmp(&set.cards[b.doc].id))
        });
        // Folding stops at the depth: what comes after is never sent, and
        // the keys cost two strings per candidate.
        let mut kept: Vec<Scored> = Vec::new();
        let mut group: HashMap<(String, String), usize> = HashMap::new();
        for s in scored {
            if kept.len() == self.config.depth {
                break;
            }
            let key = fold_key(&set.cards[s.doc]);
            match group.get(&key) {
                Some(&i) => kept[i].folded.push(set.cards[s.doc].id.clone()),
                None => {
                    group.insert(key, kept.len());
                    kept.push(s);
                }
            }
        }
        kept
    }

    /// How deep each signal's reference list is drawn: as deep as a
    /// search for the push's depth draws its candidates.
    fn reference_depth(&self) -> usize {
        self.ranker.config().candidates.max(2 * self.config.depth)
    }

    /// What a profile's baseline depends on: its query text, the filters
    /// that shaped its reference lists, their depth and the model.
    fn fingerprint(&self, profile: &DemandProfile) -> String {
        let text = Self::profile_text(profile);
        let modes: Vec<&str> = profile
            .acceptable_modes
            .iter()
            .map(|m| m.as_str())
            .collect();
        let key = format!(
            "{text}\u{1f}{}\u{1f}{:?}\u{1f}{}\u{1f}{}",
            modes.join(","),
            profile.budget_max_yuan,
            self.reference_depth(),
            self.ranker.snapshot().manifest().model_id,
        );
        TextHash::of(&key).to_string()
    }

    /// The normalised mean of the listings' vectors; `None` without any.
    fn centroid<'i>(&self, ids: impl Iterator<Item = &'i str>) -> Option<Vec<f32>> {
        let mut sum: Option<Vec<f32>> = None;
        for id in ids {
            let Some(v) = self.ranker.snapshot().vector(id) else {
                continue;
            };
            match &mut sum {
                Some(s) => s.iter_mut().zip(v).for_each(|(s, v)| *s += v),
                None => sum = Some(v.to_vec()),
            }
        }
        let mut sum = sum?;
        let norm = dot(&sum, &sum).sqrt();
        if norm > 0.0 {
            sum.iter_mut().for_each(|x| *x /= norm);
        }
        Some(sum)
    }
}

/// The reason an item is sent again: its terms improved for the profile.
pub const REPUSH_REASON: &str = "条款变更";

/// The profiles' push histories and stored baselines, by profile id: in
/// one pass over the store for a large run, per profile for a few.
type State = (
    HashMap<String, PushHistory>,
    HashMap<String, ProfileBaseline>,
);

fn read_state(store: &dyn Store, profiles: &[DemandProfile]) -> Result<State> {
    if profiles.len() > BULK_READ {
        let baselines = store
            .baselines()?
            .into_iter()
            .map(|b| (b.profile_id.clone(), b))
            .collect();
        return Ok((store.push_histories()?, baselines));
    }
    let mut histories = HashMap::new();
    let mut baselines = HashMap::new();
    for profile in profiles {
        let id = &profile.id;
        histories.insert(id.clone(), store.push_history(id)?);
        if let Some(baseline) = store.baseline(id)? {
            baselines.insert(id.clone(), baseline);
        }
    }
    Ok((histories, baselines))
}

/// What a profile accepts on `date`: searchable listings, its modes, its
/// budget (面议 kept).
fn profile_filter(profile: &DemandProfile, date: NaiveDate) -> Filter {
    Filter {
        searchable_on: Some(date),
        modes: profile.acceptable_modes.iter().copied().collect(),
        max_fee: profile.budget_max_yuan,
        ..Filter::default()
    }
}

fn terms_of(card: &ListingCard) -> PushedTerms {
    PushedTerms {
        fee_min: card.fee_min,
        modes: card.modes.iter().copied().collect(),
    }
}

/// Why the enterprise is sent this listing, in its words.
fn reasons(
    profile: &DemandProfile,
    card: &ListingCard,
    score: &ScoreDetails,
    matched: &[MatchedTerm],
    chosen: &Chosen,
) -> Vec<String> {
    let mut reasons = Vec::new();
    if chosen.repush {
        reasons.push(REPUSH_REASON.to_string());
    }
    let terms: Vec<&str> = matched.iter().take(5).map(|m| m.term.as_str()).collect();
    if !terms.is_empty() {
        reasons.push(format!("匹配词：{}", terms.join("、")));
    }
    if let Some(cosine) = score.cosine {
        reasons.push(format!(
            "语义相近（相似度 {:.2}，第 {} 位）",
            cosine.score, cosine.rank
        ));
    }
    if !profile.acceptable_modes.is_empty() {
        let modes: Vec<&str> = card
            .modes
            .iter()
            .filter(|m| profile.acceptable_modes.contains(m))
            .map(|m| m.as_str())
            .collect();
        reasons.push(format!("实施方式符合：{}", modes.join("、")));
    }
    if let Some(budget) = profile.budget_max_yuan {
        reasons.push(match card.fee_min {
            Some(fee) => format!("费用 {fee} 元，在预算 {budget} 元内"),
            None => "费用面议".to_string(),
        });
    }
    if chosen.liked {
        reasons.push("与您标记为相关的成果相近".to_string());
    }
    reasons
}
