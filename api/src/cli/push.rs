use super::args::{PushFeedbackArgs, PushListArgs, PushRunArgs};
use super::import::open_store;
use super::search::open_ranker;
use super::settings::Settings;
use anyhow::{Context, Result};
use corpus::{PushFeedback, Store};
use indicatif::{ProgressBar, ProgressStyle};
use ranker::{PushConfig, PushProgress, Pusher};
use std::process::ExitCode;
use std::sync::Mutex;

pub fn run(settings: &Settings, args: &PushRunArgs) -> Result<ExitCode> {
    let mut store = open_store(settings)?;
    let ranker = open_ranker(settings)?;
    let defaults = PushConfig::default();
    let config = PushConfig {
        limit: args.limit,
        threshold: args.threshold.unwrap_or(defaults.threshold),
        ..defaults
    };
    let date = args
        .date
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let pusher = Pusher::new(&ranker, config);
    let profiles = match &args.profile {
        Some(id) => vec![store
            .profile(id)?
            .with_context(|| format!("no demand profile with id {id:?}"))?],
        None => store.profiles()?,
    };
    let bar = ProgressBar::new(profiles.len() as u64);
    if let Ok(style) =
        ProgressStyle::with_template("push {msg} [{bar:30}] {pos}/{len} ({per_sec}, {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    let pushes = Mutex::new(Vec::new());
    let report = pusher.run_for(&mut store, &profiles, date, &|progress| match progress {
        // First pushes embed each profile once; that is the slow part.
        PushProgress::Embedded { done, total } => {
            bar.set_message(format!("{date}: embedding profiles"));
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
        PushProgress::Scored { done, total } => {
            bar.set_message(format!("{date}: scoring"));
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
        PushProgress::Pushed(push) => {
            if !push.items.is_empty() {
                if let Ok(mut pushes) = pushes.lock() {
                    pushes.push(push.clone());
                }
            }
        }
    })?;
    bar.finish_and_clear();
    let pushes = pushes.into_inner().unwrap_or_default();
    if args.json {
        say!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"date": date, "report": report, "pushes": pushes})
            )?
        )?;
    } else {
        say!(
            "push {date}: {} profiles, {} served, {} items ({} 条款变更), {} already pushed that day",
            report.profiles, report.served, report.items, report.repushed, report.already_pushed
        )?;
        for push in &pushes {
            for item in &push.items {
                say!(
                    "  {} → {}  {:.3}  {}",
                    push.profile_id,
                    item.listing_id,
                    item.score,
                    item.reasons.join("；")
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn list(settings: &Settings, args: &PushListArgs) -> Result<ExitCode> {
    let store = open_store(settings)?;
    store
        .profile(&args.profile)?
        .with_context(|| format!("no demand profile with id {:?}", args.profile))?;
    let items = store.pushed_items(&args.profile)?;
    let feedback = store.feedback(&args.profile)?;
    if args.json {
        say!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"items": items, "feedback": feedback})
            )?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    for item in &items {
        let verdict = feedback
            .iter()
            .find(|f| f.listing_id == item.listing_id && f.date == item.date)
            .map_or("", |f| {
                if f.relevant {
                    "  [相关]"
                } else {
                    "  [不相关]"
                }
            });
        say!(
            "{}  {}  {:.3}  {}{verdict}",
            item.date,
            item.listing_id,
            item.score,
            item.reasons.join("；")
        )?;
    }
    if items.is_empty() {
        say!("nothing pushed to {} yet", args.profile)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn feedback(settings: &Settings, args: &PushFeedbackArgs) -> Result<ExitCode> {
    let mut store = open_store(settings)?;
    store.record_feedback(&PushFeedback {
        profile_id: args.profile.clone(),
        listing_id: args.listing.clone(),
        date: args.date,
        relevant: args.relevant,
        reason: args.reason.clone(),
    })?;
    say!("recorded")?;
    Ok(ExitCode::SUCCESS)
}
