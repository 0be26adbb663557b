use crate::{Error, Query, Result, Retrieved, Run};
use chrono::NaiveDate;
use corpus::Store;
use ranker::{PushConfig, PushProgress, Pusher, Ranker};

/// What the push would send each query's demand profile on `date` as a
/// first push, as a run: the items, best first, with the scores the push
/// threshold is compared with. The threshold is left out (every candidate
/// up to the limit is kept) so that any threshold can be scored from the
/// run with [`PushCheck`](crate::PushCheck). Nothing is recorded.
/// `progress` is told how many profiles have been embedded.
pub fn push_run(
    ranker: &Ranker,
    store: &dyn Store,
    queries: &[Query],
    date: NaiveDate,
    limit: usize,
    progress: impl Fn(usize) + Sync,
) -> Result<Run> {
    let pusher = Pusher::new(
        ranker,
        PushConfig {
            limit,
            threshold: f32::NEG_INFINITY,
            ..PushConfig::default()
        },
    );
    let mut profiles = Vec::with_capacity(queries.len());
    for query in queries {
        let demand = query
            .demand_id
            .as_deref()
            .ok_or_else(|| Error::Mismatch(format!("query `{}` names no demand_id", query.id)))?;
        let profile = store
            .profile(demand)
            .map_err(ranker::Error::from)?
            .ok_or_else(|| {
                Error::Mismatch(format!(
                    "demand `{demand}` of query `{}` is not in the store (import the demands file)",
                    query.id
                ))
            })?;
        profiles.push(profile);
    }
    // One batch, as the daily run plans it.
    let pushes = pusher.plan_many(store, &profiles, date, &|stage| {
        // Embedding each profile is what takes the time.
        if let PushProgress::Embedded { done, .. } = stage {
            progress(done);
        }
    })?;
    let mut run = Run::default();
    for (query, push) in queries.iter().zip(pushes) {
        run.insert(
            &query.id,
            push.items
                .into_iter()
                .map(|item| Retrieved {
                    doc: item.listing_id,
                    score: item.score,
                })
                .collect(),
        );
    }
    Ok(run)
}
