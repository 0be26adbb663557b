use crate::{
    Args, ClassifyArgs, Command, DiffArgs, Global, KnownItemArgs, PushArgs, RetrievalArgs, RunArgs,
    ScoreArgs, VariantsArg,
};
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use patmatch_eval::{
    baseline_scores, diff, evaluate, evaluate_retrieval, parse_variants, read_holder_predictions,
    read_ipc_predictions, read_ipc_titles, read_known_items, read_labelled_holders, read_queries,
    run_queries, score_holder_predictions, score_ipc_predictions, PushCheck, Qrels, Query,
    RetrievalConfig, RetrievalReport, Run, Variant,
};
use ranker::{Ranker, RankerConfig};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

pub fn dispatch(args: Args) -> Result<ExitCode> {
    match args.command {
        Command::Retrieval(cmd) => retrieval(&args.global, cmd),
        Command::KnownItem(cmd) => known_item(&args.global, cmd),
        Command::Run(cmd) => run(&args.global, cmd),
        Command::Push(cmd) => push(&args.global, cmd),
        Command::Score(cmd) => score(cmd),
        Command::Diff(cmd) => run_diff(cmd),
        Command::Classify(cmd) => classify(cmd),
    }
}

fn open_ranker(global: &Global) -> Result<Ranker> {
    let index = indexer::IndexConfig::new(global.data_dir.join("index"));
    let snapshot = indexer::Snapshot::open(&index)
        .with_context(|| format!("opening the index of {}", global.data_dir.display()))?;
    let model_dir = match &global.model_dir {
        Some(dir) => dir.clone(),
        None => dirs::cache_dir()
            .context(
                "no user cache directory is known here; set --model-dir or PATMATCH_MODEL_DIR",
            )?
            .join("patmatch")
            .join("models"),
    };
    let embedder =
        models::Embedder::load(&models::ModelConfig::new(&model_dir)).with_context(|| {
            format!(
                "loading the model from {} (run `patmatch model fetch`)",
                model_dir.display()
            )
        })?;
    tracing::info!(
        generation = snapshot.generation(),
        listings = snapshot.len(),
        "index opened"
    );
    Ok(Ranker::new(
        Arc::new(snapshot),
        Arc::new(embedder),
        RankerConfig::default(),
    ))
}

fn bar(len: usize) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{msg:14} [{bar:30}] {pos}/{len} ({per_sec}, {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn set_name(explicit: &Option<String>, queries: &Path, fallback: &str) -> String {
    explicit.clone().unwrap_or_else(|| {
        queries
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty())
            .unwrap_or(fallback)
            .to_string()
    })
}

fn evaluate_set(
    global: &Global,
    set: String,
    queries: &[Query],
    qrels: &Qrels,
    args: &VariantsArg,
    config: RetrievalConfig,
) -> Result<RetrievalReport> {
    let variants = parse_variants(&args.variants)?;
    if variants.is_empty() {
        bail!("--variants names no variant");
    }
    let ranker = open_ranker(global)?;
    let bar = bar(queries.len() * variants.len());
    let report = evaluate_retrieval(&ranker, &set, queries, qrels, &variants, &config, |v| {
        bar.set_message(v.to_string());
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
        println!(
            "runs and report.json in {}",
            config.out_dir.join(&set).display()
        );
    }
    Ok(report)
}

fn retrieval(global: &Global, cmd: RetrievalArgs) -> Result<ExitCode> {
    let queries = read_queries(&cmd.queries)?;
    let qrels = Qrels::read(&cmd.qrels)?;
    let config = RetrievalConfig {
        depth: cmd.variants.depth,
        out_dir: global.out_dir.clone(),
        push_limit: cmd.push_limit,
        push_precision: cmd.push_precision,
        ..RetrievalConfig::default()
    };
    let set = set_name(&cmd.variants.name, &cmd.queries, "queries");
    evaluate_set(global, set, &queries, &qrels, &cmd.variants, config)?;
    Ok(ExitCode::SUCCESS)
}

fn known_item(global: &Global, cmd: KnownItemArgs) -> Result<ExitCode> {
    let (queries, qrels) = read_known_items(&cmd.queries)?;
    let config = RetrievalConfig {
        depth: cmd.variants.depth,
        out_dir: global.out_dir.clone(),
        ..RetrievalConfig::default()
    };
    let set = set_name(&cmd.variants.name, &cmd.queries, "known_item");
    evaluate_set(global, set, &queries, &qrels, &cmd.variants, config)?;
    Ok(ExitCode::SUCCESS)
}

fn run(global: &Global, cmd: RunArgs) -> Result<ExitCode> {
    let variant: Variant = cmd
        .variant
        .parse()
        .map_err(|_| patmatch_eval::Error::Variant(cmd.variant.clone()))?;
    let queries = read_queries(&cmd.queries)?;
    let ranker = open_ranker(global)?;
    let bar = bar(queries.len());
    bar.set_message(variant.to_string());
    let (run, seconds) = run_queries(&ranker, variant, &queries, cmd.depth, || bar.inc(1))?;
    bar.finish_and_clear();
    run.write(&cmd.out, &variant.to_string())?;
    eprintln!(
        "{} queries, {:.2} ms per query; run written to {}",
        queries.len(),
        seconds * 1000.0 / queries.len().max(1) as f64,
        cmd.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn push(global: &Global, cmd: PushArgs) -> Result<ExitCode> {
    let queries = read_queries(&cmd.queries)?;
    let qrels = Qrels::read(&cmd.qrels)?;
    let store_path = global.data_dir.join("patmatch.db");
    let store = corpus::SqliteStore::open(&corpus::StoreConfig::new(&store_path))
        .with_context(|| format!("opening the store {}", store_path.display()))?;
    let ranker = open_ranker(global)?;
    let date = cmd
        .date
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let bar = bar(queries.len());
    bar.set_message("push");
    let run = patmatch_eval::push_run(&ranker, &store, &queries, date, cmd.limit, |done| {
        bar.set_position(done as u64)
    })?;
    bar.finish_and_clear();
    let set = set_name(&cmd.name, &cmd.queries, "queries");
    let dir = global.out_dir.join(&set);
    run.write(&dir.join("push.trec"), "push")?;
    let calibrated = PushCheck::calibrate(&run, &qrels, cmd.limit, cmd.precision, 10);
    let mut checks = vec![("calibrated".to_string(), calibrated.clone())];
    for &t in &cmd.thresholds {
        checks.push((format!("{t}"), PushCheck::at(&run, &qrels, cmd.limit, t)));
    }
    println!("| threshold | precision (answerable) | judged | pushed | answerable served | false alarms (no-match) |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, c) in &checks {
        println!(
            "| {name} ({:.4}) | {:.3} | {:.3} | {} | {:.3} | {:.3} |",
            c.threshold, c.precision, c.judged, c.pushed, c.served, c.false_alarms
        );
    }
    println!(
        "top-score separation {:.3}; {} answerable, {} unanswerable demands",
        calibrated.separation, calibrated.answerable, calibrated.unanswerable
    );
    let json = serde_json::json!({"date": date, "limit": cmd.limit, "checks": checks});
    std::fs::write(dir.join("push.json"), serde_json::to_string_pretty(&json)?)?;
    Ok(ExitCode::SUCCESS)
}

fn score(cmd: ScoreArgs) -> Result<ExitCode> {
    let run = Run::read(&cmd.run)?;
    let qrels = Qrels::read(&cmd.qrels)?;
    let eval = evaluate(&run, &qrels)?;
    if cmd.json {
        let out = serde_json::json!({
            "run": cmd.run,
            "qrels": cmd.qrels,
            "evaluated": eval.evaluated,
            "skipped": eval.skipped,
            "missing": eval.missing,
            "unjudged": eval.unjudged,
            "mean": eval.mean,
            "queries": eval.per_query,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for (name, value) in patmatch_eval::METRIC_NAMES.iter().zip(eval.mean.values()) {
            println!("{name:<11} {value:.4}");
        }
        println!(
            "{} queries evaluated, {} skipped (no relevant document), {} missing from the run",
            eval.evaluated, eval.skipped, eval.missing
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn run_diff(cmd: DiffArgs) -> Result<ExitCode> {
    let qrels = Qrels::read(&cmd.qrels)?;
    let a = evaluate(&Run::read(&cmd.run_a)?, &qrels)?;
    let b = evaluate(&Run::read(&cmd.run_b)?, &qrels)?;
    let deltas = diff(&a, &b, &cmd.metric)?;
    let texts: HashMap<String, String> = match &cmd.queries {
        Some(path) => read_queries(path)?
            .into_iter()
            .map(|q| (q.id, q.text))
            .collect(),
        None => HashMap::new(),
    };
    let line = |d: &patmatch_eval::QueryDelta| {
        let text: String = texts
            .get(&d.query)
            .map_or(String::new(), |t| t.chars().take(12).collect());
        format!(
            "{:<8} {:.3} → {:.3} {:+.3} {}",
            d.query, d.a, d.b, d.delta, text
        )
    };
    let gains: Vec<String> = deltas
        .iter()
        .filter(|d| d.delta > 0.0)
        .take(cmd.top)
        .map(line)
        .collect();
    let losses: Vec<String> = deltas
        .iter()
        .rev()
        .filter(|d| d.delta < 0.0)
        .take(cmd.top)
        .map(line)
        .collect();
    let name = |p: &PathBuf| p.display().to_string();
    println!(
        "{} by query: A = {}, B = {}",
        cmd.metric,
        name(&cmd.run_a),
        name(&cmd.run_b)
    );
    println!(
        "mean {:.4} → {:.4}",
        a.mean.get(&cmd.metric).unwrap_or(0.0),
        b.mean.get(&cmd.metric).unwrap_or(0.0)
    );
    let width = gains.iter().map(|g| columns(g)).max().unwrap_or(0).max(22);
    println!("{:<width$} | lost most", "gained most (B over A)");
    for i in 0..gains.len().max(losses.len()) {
        let g = gains.get(i).map_or("", String::as_str);
        let l = losses.get(i).map_or("", String::as_str);
        let pad = width - columns(g);
        println!("{g}{} | {l}", " ".repeat(pad));
    }
    let same = deltas.iter().filter(|d| d.delta == 0.0).count();
    println!(
        "{} queries: {} gained, {} lost, {} unchanged",
        deltas.len(),
        deltas.iter().filter(|d| d.delta > 0.0).count(),
        deltas.iter().filter(|d| d.delta < 0.0).count(),
        same
    );
    Ok(ExitCode::SUCCESS)
}

fn classify(cmd: ClassifyArgs) -> Result<ExitCode> {
    let titles = read_ipc_titles(&cmd.titles)?;
    let baseline = "TF-IDF + linear SVM (published)";
    let mut rows = vec![
        (baseline, "5", baseline_scores(&titles, &[5])),
        (baseline, "1–5", baseline_scores(&titles, &[1, 2, 3, 4, 5])),
    ];
    if let Some(path) = &cmd.predictions {
        let predictions = read_ipc_predictions(path)?;
        rows.push((
            "predictions",
            "5",
            score_ipc_predictions(&titles, &predictions, &[5])?,
        ));
        let all = score_ipc_predictions(&titles, &predictions, &[1, 2, 3, 4, 5])?;
        if all.examples > rows[2].2.examples {
            rows.push(("predictions", "1–5", all));
        }
    }
    let holders = match (&cmd.holder_labels, &cmd.holder_predictions) {
        (Some(labels), Some(predicted)) => Some(score_holder_predictions(
            &read_labelled_holders(labels)?,
            &read_holder_predictions(predicted)?,
        )),
        _ => None,
    };
    if cmd.json {
        let ipc: Vec<_> = rows
            .iter()
            .map(|(who, folds, s)| serde_json::json!({"classifier": who, "folds": folds, "scores": s}))
            .collect();
        let out = serde_json::json!({ "ipc": ipc, "holder_kind": holders });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("| classifier | folds | titles | micro-P | micro-R | micro-F1 | exact set | top-1 | top-3 |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (who, folds, s) in &rows {
        println!(
            "| {who} | {folds} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
            s.examples,
            s.micro_precision,
            s.micro_recall,
            s.micro_f1,
            s.exact_match,
            s.top1,
            s.top3
        );
    }
    if let Some(h) = holders {
        println!(
            "\nholder kind: {} labelled, accuracy {:.3} (coverage {:.3}, precision when answering {:.3})",
            h.examples, h.accuracy, h.coverage, h.precision
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Terminal columns `text` takes: CJK and full-width characters take two.
fn columns(text: &str) -> usize {
    text.chars()
        .map(|c| {
            if ('\u{2e80}'..='\u{ffef}').contains(&c) {
                2
            } else {
                1
            }
        })
        .sum()
}
