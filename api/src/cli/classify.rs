use super::args::{ClassifyArgs, ClassifyCommand, ClassifyCommandArgs, ClassifyTrainArgs};
use super::index::Bars;
use super::ipc::{open_cache, read_titles, train, IpcSource};
use super::settings::Settings;
use anyhow::{bail, Context, Result};
use models::Embedder;
use ranker::{classify_holder, read_modes, IpcClassifierConfig, IpcSuggestions};
use serde::Serialize;
use std::process::ExitCode;
use std::time::Instant;

pub fn run(settings: &Settings, args: &ClassifyCommandArgs) -> Result<ExitCode> {
    match &args.command {
        Some(ClassifyCommand::Train(train)) => run_train(settings, train),
        None => classify(settings, &args.args),
    }
}

fn classify(settings: &Settings, args: &ClassifyArgs) -> Result<ExitCode> {
    if args.holders.is_empty() && args.modes.is_empty() && args.titles.is_empty() {
        bail!("give at least one --holder NAME, --modes TEXT or --title TEXT");
    }
    let holders: Vec<_> = args
        .holders
        .iter()
        .map(|name| (name, classify_holder(name)))
        .collect();
    let modes: Vec<_> = args
        .modes
        .iter()
        .map(|text| (text, read_modes(text)))
        .collect();
    let (titles, floor) = suggest_ipc(settings, args)?;
    if args.json {
        let holders: Vec<_> = holders
            .iter()
            .map(|(name, class)| serde_json::json!({"holder": name, "class": class}))
            .collect();
        let modes: Vec<_> = modes
            .iter()
            .map(|(text, reading)| serde_json::json!({"text": text, "reading": reading}))
            .collect();
        let titles: Vec<_> = titles
            .iter()
            .map(|(title, ipc)| serde_json::json!({"title": title, "ipc": ipc}))
            .collect();
        say!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "holders": holders,
                "modes": modes,
                "titles": titles,
            }))?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    for (name, class) in &holders {
        let kind = class
            .kind
            .map_or("（不确定）".to_string(), |k| k.to_string());
        let region: Vec<&str> = class.province.iter().chain(&class.city).copied().collect();
        say!(
            "{name}: {kind} (confidence {:.2}, rule {}){}",
            class.confidence,
            class.rule,
            if region.is_empty() {
                String::new()
            } else {
                format!(" · {}", region.join(" "))
            }
        )?;
    }
    for (text, reading) in &modes {
        let found: Vec<&str> = reading.modes.iter().map(|m| m.as_str()).collect();
        say!(
            "{text}: {} (confidence {:.2}){}",
            if found.is_empty() {
                "（无法识别）".to_string()
            } else {
                found.join("、")
            },
            reading.confidence,
            if reading.unparsed.is_empty() {
                String::new()
            } else {
                format!(" · unparsed: {}", reading.unparsed.join("、"))
            }
        )?;
    }
    for (title, ipc) in &titles {
        say!("{title}: {}", describe(ipc, floor))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `IPC G06F 0.62, G06Q 0.21, H04L 0.08 · chosen G06F、G06Q`, or the
/// leanings with `abstained` when even the best is below `floor`.
fn describe(ipc: &IpcSuggestions, floor: f32) -> String {
    let ranked: Vec<String> = ipc
        .ranked
        .iter()
        .map(|s| format!("{} {:.2}", s.subclass, s.confidence))
        .collect();
    let decision = if ipc.abstained {
        format!("abstained (best below {floor:.2})")
    } else {
        let chosen: Vec<String> = ipc.chosen.iter().map(|c| c.to_string()).collect();
        format!("chosen {}", chosen.join("、"))
    };
    format!("IPC {} · {decision}", ranked.join(", "))
}

/// Each `--title` with the IPC classifier's suggestions, and its
/// abstention floor; nothing to do (and no model loaded) without titles.
fn suggest_ipc<'a>(
    settings: &Settings,
    args: &'a ClassifyArgs,
) -> Result<(Vec<(&'a String, IpcSuggestions)>, f32)> {
    if args.titles.is_empty() {
        return Ok((Vec::new(), 0.0));
    }
    let source = IpcSource::resolve(settings, &args.ipc);
    let embedder = load_embedder(settings)?;
    let cache = settings.index_config().embedding_cache;
    let Some(classifier) = source.classifier(&embedder, &cache, &Bars::default())? else {
        bail!(
            "--title needs an IPC classifier: give --ipc-classifier FILE or \
             --ipc-titles FILE (and not --no-ipc)"
        );
    };
    let titles: Vec<&str> = args.titles.iter().map(|t| t.trim()).collect();
    let answers = classifier
        .classify_titles(&embedder, &titles)
        .context("suggesting IPC subclasses")?;
    let floor = classifier.config().abstain_below;
    Ok((args.titles.iter().zip(answers).collect(), floor))
}

/// What `classify train` did.
#[derive(Debug, Serialize)]
struct TrainSummary {
    titles: usize,
    subclasses: usize,
    out: String,
    bytes: u64,
    seconds: f64,
}

fn run_train(settings: &Settings, args: &ClassifyTrainArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let titles = args
        .titles
        .clone()
        .or_else(|| settings.ipc_titles.clone())
        .unwrap_or_else(|| settings.shared_ipc_titles());
    let mut config = IpcClassifierConfig::default();
    if let Some(runs) = args.runs {
        config.linear.runs = usize::from(runs);
    }
    let examples = read_titles(&titles)?;
    let embedder = load_embedder(settings)?;
    let mut cache = open_cache(&settings.index_config().embedding_cache)?;
    let classifier = train(&examples, config, &embedder, &mut cache, &Bars::default())
        .with_context(|| format!("training on {}", titles.display()))?;
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating directory {}", dir.display()))?;
    }
    classifier
        .save(&args.out)
        .with_context(|| format!("saving the IPC classifier to {}", args.out.display()))?;
    let summary = TrainSummary {
        titles: examples.len(),
        subclasses: classifier.subclasses().len(),
        out: args.out.display().to_string(),
        bytes: std::fs::metadata(&args.out)?.len(),
        seconds: started.elapsed().as_secs_f64(),
    };
    if args.json {
        say!("{}", serde_json::to_string_pretty(&summary)?)?;
    } else {
        say!(
            "trained on {} titles ({} subclasses) in {:.1} s; saved {} ({:.1} MB)",
            summary.titles,
            summary.subclasses,
            summary.seconds,
            summary.out,
            summary.bytes as f64 / 1e6
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn load_embedder(settings: &Settings) -> Result<Embedder> {
    Embedder::load(&settings.model_config())
        .context("loading the embedding model (fetch it with `patmatch model fetch`)")
}
