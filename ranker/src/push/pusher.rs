use super::{ProfilePush, PushConfig, PushReport};
use crate::{Hit, Ranker, Result, SearchRequest};
use chrono::NaiveDate;
use corpus::{DemandProfile, LifecycleEvent, PushItem, PushedTerms, Store};
use indexer::{Filter, QuerySyntax};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

/// Decides and records the daily push for demand profiles, over one ranker
/// (one index generation) and the store that remembers what was sent.
#[derive(Debug)]
pub struct Pusher<'a> {
    ranker: &'a Ranker,
    config: PushConfig,
}

/// A candidate on its way to becoming a push item.
struct Candidate {
    hit: Hit,
    score: f32,
    repush: bool,
    liked: bool,
}

impl<'a> Pusher<'a> {
    pub fn new(ranker: &'a Ranker, config: PushConfig) -> Self {
        Self { ranker, config }
    }

    /// Pushes every stored profile for `date`. `progress` is called after
    /// each profile.
    pub fn run(
        &self,
        store: &mut dyn Store,
        date: NaiveDate,
        progress: &dyn Fn(&ProfilePush),
    ) -> Result<PushReport> {
        let profiles = store.profiles()?;
        self.run_for(store, &profiles, date, progress)
    }

    /// Pushes `profiles` for `date`.
    pub fn run_for(
        &self,
        store: &mut dyn Store,
        profiles: &[DemandProfile],
        date: NaiveDate,
        progress: &dyn Fn(&ProfilePush),
    ) -> Result<PushReport> {
        let started = Instant::now();
        let mut report = PushReport::default();
        for profile in profiles {
            let push = self.push(store, profile, date)?;
            report.profiles += 1;
            report.already_pushed += usize::from(push.already_pushed);
            report.served += usize::from(!push.items.is_empty());
            report.items += push.items.len();
            report.repushed += push
                .items
                .iter()
                .filter(|i| i.reasons.iter().any(|r| r == REPUSH_REASON))
                .count();
            progress(&push);
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
        let mut push = self.plan(store, profile, date)?;
        if !push.already_pushed && !store.record_push(&profile.id, date, &push.items)? {
            // Another run recorded this day between plan and record.
            push.already_pushed = true;
            push.items.clear();
        }
        Ok(push)
    }

    /// What `push` would send, without recording it.
    pub fn plan(
        &self,
        store: &dyn Store,
        profile: &DemandProfile,
        date: NaiveDate,
    ) -> Result<ProfilePush> {
        let dates = store.push_dates(&profile.id)?;
        if dates.contains(&date) {
            return Ok(ProfilePush {
                profile_id: profile.id.clone(),
                date,
                already_pushed: true,
                items: Vec::new(),
            });
        }
        let last = dates.into_iter().filter(|d| *d < date).max();
        // The terms each listing had when it was last sent.
        let sent: HashMap<String, PushedTerms> = store
            .pushed_items(&profile.id)?
            .into_iter()
            .map(|item| (item.listing_id, item.terms))
            .collect();
        let mut liked = Vec::new();
        let mut disliked = HashSet::new();
        for verdict in store.feedback(&profile.id)? {
            if verdict.relevant {
                liked.push(verdict.listing_id);
            } else {
                disliked.insert(verdict.listing_id);
            }
        }

        let filter = Filter {
            searchable_on: Some(date),
            modes: profile.acceptable_modes.iter().copied().collect(),
            max_fee: profile.budget_max_yuan,
            ..Filter::default()
        };
        let request = |filter: Filter| SearchRequest {
            profile: Some(profile.clone()),
            filter,
            syntax: QuerySyntax::Plain,
            limit: self.config.depth,
            ..SearchRequest::new("")
        };
        let hits = match last {
            None => self.ranker.search(&request(filter.clone()))?.hits,
            Some(last) => {
                // New since the last push: drawn after the filter, so none
                // is crowded out by older listings.
                let fresh = Filter {
                    announced_from: last.succ_opt(),
                    ..filter.clone()
                };
                let mut hits = self.ranker.search(&request(fresh))?.hits;
                let seen: HashSet<String> = hits.iter().map(|h| h.id.clone()).collect();
                // Changed since the last push: among the profile's best
                // matches, those whose terms changed after it.
                for hit in self.ranker.search(&request(filter.clone()))?.hits {
                    if !seen.contains(&hit.id) && changed_between(store, &hit.id, last, date)? {
                        hits.push(hit);
                    }
                }
                hits
            }
        };

        let centroid = |ids: &mut dyn Iterator<Item = &String>| self.centroid(ids);
        let liked_centre = centroid(&mut liked.iter());
        let disliked_centre = centroid(&mut disliked.iter());
        let mut candidates: Vec<Candidate> = Vec::new();
        for hit in hits {
            if disliked.contains(&hit.id) {
                continue;
            }
            let now = terms_of(&hit);
            let repush = match sent.get(&hit.id) {
                Some(then) if then.improved_by(&now, &profile.acceptable_modes) => true,
                Some(_) => continue,
                None => false,
            };
            let vector = self.ranker.snapshot().vector(&hit.id);
            let pull = |centre: &Option<Vec<f32>>| match (centre, vector) {
                (Some(c), Some(v)) => dot(c, v),
                _ => 0.0,
            };
            let shift =
                self.config.feedback_weight * (pull(&liked_centre) - pull(&disliked_centre));
            candidates.push(Candidate {
                score: hit.score.fused + shift,
                liked: shift > 0.01,
                repush,
                hit,
            });
        }
        candidates.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.hit.id.cmp(&b.hit.id))
        });
        candidates.retain(|c| c.score >= self.config.threshold);
        candidates.truncate(self.config.limit);

        let mut chosen: Vec<Hit> = candidates.iter().map(|c| c.hit.clone()).collect();
        self.ranker.explain(&request(filter), &mut chosen)?;
        let items = candidates
            .iter()
            .zip(chosen)
            .map(|(c, hit)| PushItem {
                profile_id: profile.id.clone(),
                listing_id: hit.id.clone(),
                date,
                score: c.score,
                reasons: reasons(profile, &hit, c),
                terms: terms_of(&hit),
                explanation: serde_json::json!({
                    "score": hit.score,
                    "explanation": hit.explanation,
                    "folded": hit.folded,
                }),
            })
            .collect();
        Ok(ProfilePush {
            profile_id: profile.id.clone(),
            date,
            already_pushed: false,
            items,
        })
    }

    /// The normalised mean of the listings' vectors; `None` without any.
    fn centroid(&self, ids: &mut dyn Iterator<Item = &String>) -> Option<Vec<f32>> {
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

fn terms_of(hit: &Hit) -> PushedTerms {
    PushedTerms {
        fee_min: hit.card.fee_min,
        modes: hit.card.modes.iter().copied().collect(),
    }
}

/// Whether the listing's terms changed after `last` and by `date`.
fn changed_between(store: &dyn Store, id: &str, last: NaiveDate, date: NaiveDate) -> Result<bool> {
    Ok(store.lifecycle(id)?.events.iter().any(|event| {
        matches!(event, LifecycleEvent::TermsChanged { on, .. } if *on > last && *on <= date)
    }))
}

/// Why the enterprise is sent this listing, in its words.
fn reasons(profile: &DemandProfile, hit: &Hit, candidate: &Candidate) -> Vec<String> {
    let mut reasons = Vec::new();
    if candidate.repush {
        reasons.push(REPUSH_REASON.to_string());
    }
    if let Some(explanation) = &hit.explanation {
        let terms: Vec<&str> = explanation
            .matched
            .iter()
            .take(5)
            .map(|m| m.term.as_str())
            .collect();
        if !terms.is_empty() {
            reasons.push(format!("匹配词：{}", terms.join("、")));
        }
    }
    if let Some(cosine) = hit.score.cosine {
        reasons.push(format!(
            "语义相近（相似度 {:.2}，第 {} 位）",
            cosine.score, cosine.rank
        ));
    }
    if !profile.acceptable_modes.is_empty() {
        let modes: Vec<&str> = hit
            .card
            .modes
            .iter()
            .filter(|m| profile.acceptable_modes.contains(m))
            .map(|m| m.as_str())
            .collect();
        reasons.push(format!("实施方式符合：{}", modes.join("、")));
    }
    if let Some(budget) = profile.budget_max_yuan {
        reasons.push(match hit.card.fee_min {
            Some(fee) => format!("费用 {fee} 元，在预算 {budget} 元内"),
            None => "费用面议".to_string(),
        });
    }
    if candidate.liked {
        reasons.push("与您标记为相关的成果相近".to_string());
    }
    reasons
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
