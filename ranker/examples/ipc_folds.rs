//! Regenerates the IPC classifier's evaluation on
//! `classification/ipc_titles.jsonl`, and the trained classifiers.
//!
//! ```text
//! cargo run --release -p patmatch-ranker --example ipc_folds -- OUT_DIR
//! patmatch-eval classify --titles ../shared/data/classification/ipc_titles.jsonl \
//!     --predictions OUT_DIR/fold5.jsonl      # and OUT_DIR/oof.jsonl
//! ```
//!
//! Writes to OUT_DIR:
//! - `fold5.jsonl`: fold 5 predicted by a classifier tuned and trained on
//!   folds 1–4 only;
//! - `oof.jsonl`: every title predicted by a classifier tuned and trained
//!   on the other four folds (nested: each outer fold's settings come from
//!   an inner cross-validation over its four training folds);
//! - `report.json`: the tuned settings, inner scores and calibration of
//!   every run, and timings;
//! - `ipc_classifier.bin`: a classifier tuned and trained on all titles,
//!   for `patmatch` to load.
//!
//! The scored predictions never abstain (the published baseline always
//! answers); the report says what `--abstain-below` (default: the library
//! default) would do to them.
//!
//! Options: `--titles PATH` (default `$PATMATCH_SHARED_DIR` or
//! `../shared`, then `data/classification/ipc_titles.jsonl`),
//! `--model-dir PATH` (default `target/test-models`), `--cache PATH`
//! (default `target/test-embeddings/cache.db`), `--explore` (only tune on
//! folds 1–4 and print what each learner scores), and the training
//! settings `--epochs N --runs N --seed N --prune-below X
//! --initial-accumulator X --learning-rate X --embedding-scale X
//! --max-ngram N --min-df N --embedding query|passage`, and the set rule's
//! `--selector-folds N` (below 2: the fused-score threshold decides) and
//! `--no-ovr` (no one-vs-rest head).

use patmatch_ranker::{
    embed_titles_cached, tune_ipc_classifier, IpcClassifier, IpcClassifierConfig, IpcExample,
    IpcTuning, IpcTuningGrid, TitleEmbedding,
};
use serde_json::json;
use std::error::Error;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

struct Title {
    publication_number: String,
    example: IpcExample,
    fold: u8,
}

struct Args {
    out: PathBuf,
    titles: PathBuf,
    model_dir: PathBuf,
    cache: PathBuf,
    explore: bool,
    config: IpcClassifierConfig,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args()?;
    std::fs::create_dir_all(&args.out)?;
    let titles = read_titles(&args.titles)?;
    eprintln!("{} titles", titles.len());

    let started = Instant::now();
    let embedder = models::Embedder::load(&models::ModelConfig::new(&args.model_dir))?;
    let mut cache = indexer::EmbeddingCache::open(&args.cache)?;
    let texts: Vec<String> = titles.iter().map(|t| t.example.text.clone()).collect();
    let vectors = embed_titles_cached(&embedder, &mut cache, &texts, args.config.embedding)?;
    let embed_seconds = started.elapsed().as_secs_f64();
    eprintln!("embedded (or read from the cache) in {embed_seconds:.1} s");

    // Scored against a baseline that always answers, so never abstain
    // here; what the floor would do is reported beside.
    let floor = args.config.abstain_below;
    let base = IpcClassifierConfig {
        abstain_below: 0.0,
        ..args.config.clone()
    };
    let grid = IpcTuningGrid::default();
    let mut report = serde_json::Map::new();
    report.insert("embed_seconds".into(), json!(embed_seconds));

    if args.explore {
        // Folds 1–4 only: fold 5 is not read, so settings chosen from
        // this output never saw it.
        let examples: Vec<IpcExample> = titles
            .iter()
            .filter(|t| t.fold != 5)
            .map(|t| t.example.clone())
            .collect();
        let inner: Vec<Vec<f32>> = titles
            .iter()
            .zip(&vectors)
            .filter(|(t, _)| t.fold != 5)
            .map(|(_, v)| v.clone())
            .collect();
        let folds: Vec<u8> = titles.iter().map(|t| t.fold).filter(|&f| f != 5).collect();
        let started = Instant::now();
        let tuning = tune_ipc_classifier(&examples, &inner, &folds, &base, &grid)?;
        eprintln!("tuned in {:.1} s", started.elapsed().as_secs_f64());
        print_tuning("folds 1–4", &tuning);
        return Ok(());
    }

    // Fold 5 held out: tune and train on folds 1–4.
    let (run, predictions) = run_fold(&titles, &vectors, 5, &base, &grid)?;
    print_tuning("folds 1–4 (for fold 5)", &run.tuning);
    let abstention = abstention_at(&titles, &predictions, floor);
    println!("fold 5 with abstain_below {floor}: {abstention}");
    report.insert("fold5".into(), run.to_json(abstention));
    write_predictions(&args.out.join("fold5.jsonl"), &titles, &predictions)?;

    // Five-fold, nested.
    let mut oof = Vec::with_capacity(titles.len());
    let mut runs = Vec::new();
    for fold in 1..=5u8 {
        let (run, predictions) = run_fold(&titles, &vectors, fold, &base, &grid)?;
        print_tuning(&format!("outer fold {fold}"), &run.tuning);
        let abstention = abstention_at(&titles, &predictions, floor);
        runs.push(run.to_json(abstention));
        oof.extend(predictions);
    }
    let abstention = abstention_at(&titles, &oof, floor);
    println!("five folds with abstain_below {floor}: {abstention}");
    report.insert(
        "five_fold".into(),
        json!({"runs": runs, "abstention": abstention}),
    );
    write_predictions(&args.out.join("oof.jsonl"), &titles, &oof)?;

    // The classifier to ship: tuned by five-fold CV over all titles.
    let started = Instant::now();
    let examples: Vec<IpcExample> = titles.iter().map(|t| t.example.clone()).collect();
    let folds: Vec<u8> = titles.iter().map(|t| t.fold).collect();
    let tuning = tune_ipc_classifier(&examples, &vectors, &folds, &base, &grid)?;
    print_tuning("all five folds (shipped)", &tuning);
    let config = IpcClassifierConfig {
        abstain_below: floor,
        ..tuning.config.clone()
    };
    let classifier = IpcClassifier::train(&examples, &vectors, config)?;
    let path = args.out.join("ipc_classifier.bin");
    classifier.save(&path)?;
    report.insert(
        "shipped".into(),
        json!({"tuning": tuning, "seconds": started.elapsed().as_secs_f64(),
               "bytes": std::fs::metadata(&path)?.len()}),
    );
    std::fs::write(
        args.out.join("report.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}

/// One title's prediction: its row, the ranked subclasses with their
/// confidences, and the chosen set.
struct Prediction {
    row: usize,
    ranked: Vec<(String, f32)>,
    chosen: Vec<String>,
}

/// One outer fold: tuning, training and classifying, with timings.
struct FoldRun {
    tuning: IpcTuning,
    tune_seconds: f64,
    train_seconds: f64,
    classify_seconds: f64,
    classified: usize,
}

impl FoldRun {
    fn to_json(&self, abstention: Abstention) -> serde_json::Value {
        json!({
            "tuning": self.tuning,
            "tune_seconds": self.tune_seconds,
            "train_seconds": self.train_seconds,
            "classify_seconds": self.classify_seconds,
            "classified": self.classified,
            "abstention": abstention,
        })
    }
}

/// Tunes on the titles outside `fold` (inner CV over their folds), trains
/// on all of them and classifies the titles of `fold`.
fn run_fold(
    titles: &[Title],
    vectors: &[Vec<f32>],
    fold: u8,
    base: &IpcClassifierConfig,
    grid: &IpcTuningGrid,
) -> Result<(FoldRun, Vec<Prediction>), Box<dyn Error>> {
    let train: Vec<usize> = (0..titles.len())
        .filter(|&i| titles[i].fold != fold)
        .collect();
    let test: Vec<usize> = (0..titles.len())
        .filter(|&i| titles[i].fold == fold)
        .collect();
    let examples: Vec<IpcExample> = train.iter().map(|&i| titles[i].example.clone()).collect();
    let train_vectors: Vec<Vec<f32>> = train.iter().map(|&i| vectors[i].clone()).collect();
    let folds: Vec<u8> = train.iter().map(|&i| titles[i].fold).collect();

    let started = Instant::now();
    let tuning = tune_ipc_classifier(&examples, &train_vectors, &folds, base, grid)?;
    let tune_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let classifier = IpcClassifier::train(&examples, &train_vectors, tuning.config.clone())?;
    let train_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut out = Vec::with_capacity(test.len());
    for &row in &test {
        let s = classifier.classify(&vectors[row], &titles[row].example.text)?;
        out.push(Prediction {
            row,
            ranked: s
                .ranked
                .iter()
                .map(|r| (r.subclass.to_string(), r.confidence))
                .collect(),
            chosen: s.chosen.iter().map(|c| c.to_string()).collect(),
        });
    }
    let classify_seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "fold {fold}: tuned in {tune_seconds:.1} s, trained in {train_seconds:.1} s, \
         classified {} in {classify_seconds:.2} s",
        test.len()
    );
    Ok((
        FoldRun {
            tuning,
            tune_seconds,
            train_seconds,
            classify_seconds,
            classified: test.len(),
        },
        out,
    ))
}

/// What abstaining below a floor does to predictions made without one.
#[derive(Debug, Clone, Copy, serde::Serialize)]
struct Abstention {
    floor: f32,
    titles: usize,
    /// Share of titles still answered.
    answered: f64,
    /// Top-1 accuracy on the answered titles, and on the abstained ones.
    top1_answered: f64,
    top1_abstained: f64,
    /// Micro precision of the chosen sets of answered titles.
    precision_answered: f64,
}

impl std::fmt::Display for Abstention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "answers {:.1} % of {} titles, top-1 right {:.3} on those (micro-P {:.3}) and {:.3} \
             on the rest",
            100.0 * self.answered,
            self.titles,
            self.top1_answered,
            self.precision_answered,
            self.top1_abstained
        )
    }
}

fn abstention_at(titles: &[Title], predictions: &[Prediction], floor: f32) -> Abstention {
    let (mut answered, mut right_answered, mut right_abstained) = (0usize, 0usize, 0usize);
    let (mut chosen, mut chosen_right) = (0usize, 0usize);
    for p in predictions {
        let truth: Vec<String> = titles[p.row]
            .example
            .codes
            .iter()
            .map(|c| c.to_string())
            .collect();
        let Some((best, confidence)) = p.ranked.first() else {
            continue;
        };
        let right = truth.contains(best);
        if *confidence >= floor {
            answered += 1;
            right_answered += usize::from(right);
            chosen += p.chosen.len();
            chosen_right += p.chosen.iter().filter(|c| truth.contains(c)).count();
        } else {
            right_abstained += usize::from(right);
        }
    }
    let share = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Abstention {
        floor,
        titles: predictions.len(),
        answered: share(answered, predictions.len()),
        top1_answered: share(right_answered, answered),
        top1_abstained: share(right_abstained, predictions.len() - answered),
        precision_answered: share(chosen_right, chosen),
    }
}

fn print_tuning(what: &str, tuning: &IpcTuning) {
    let c = &tuning.config;
    let line = |name: &str, s: &patmatch_ranker::IpcFoldScores| {
        println!(
            "  {name:16} P {:.3} R {:.3} F1 {:.3} top-1 {:.3} top-3 {:.3}",
            s.micro_precision, s.micro_recall, s.micro_f1, s.top1, s.top3
        );
    };
    println!(
        "{what}: k {} sharpness {} neighbour weight {} threshold {} selector threshold {}",
        c.neighbours, c.sharpness, c.neighbour_weight, c.threshold, c.selector_threshold
    );
    if c.selector_folds >= 2 {
        line("selector", &tuning.scores);
    }
    line("fused", &tuning.fused);
    if let Some(s) = &tuning.linear_only {
        line("linear only", s);
    }
    if let Some(s) = &tuning.neighbours_only {
        line("neighbours only", s);
    }
    for bin in &tuning.calibration {
        println!(
            "    confidence [{:.1}, {:.1}): {:5} titles, top-1 right {:.3}",
            bin.low, bin.high, bin.titles, bin.top1
        );
    }
}

fn write_predictions(
    path: &Path,
    titles: &[Title],
    predictions: &[Prediction],
) -> Result<(), Box<dyn Error>> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    for p in predictions {
        let ranked: Vec<&str> = p.ranked.iter().map(|(code, _)| code.as_str()).collect();
        let line = json!({
            "publication_number": titles[p.row].publication_number,
            "ranked": ranked,
            "chosen": p.chosen,
        });
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

fn read_titles(path: &Path) -> Result<Vec<Title>, Box<dyn Error>> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut titles = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let record: serde_json::Value = serde_json::from_str(&line)?;
        let field = |name: &str| {
            record
                .get(name)
                .ok_or_else(|| format!("{}:{}: no `{name}`", path.display(), n + 1))
        };
        let codes = field("ipc_subclasses")?
            .as_array()
            .ok_or("ipc_subclasses is not a list")?
            .iter()
            .filter_map(|c| c.as_str())
            .map(corpus::IpcCode::parse)
            .collect::<Result<Vec<_>, _>>()?;
        titles.push(Title {
            publication_number: field("publication_number")?
                .as_str()
                .ok_or("publication_number is not a string")?
                .to_string(),
            example: IpcExample {
                text: field("title")?
                    .as_str()
                    .ok_or("title is not a string")?
                    .to_string(),
                codes,
            },
            fold: u8::try_from(field("fold")?.as_u64().ok_or("fold is not a number")?)?,
        });
    }
    Ok(titles)
}

fn parse_args() -> Result<Args, Box<dyn Error>> {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace")?
        .to_path_buf();
    let shared = std::env::var_os("PATMATCH_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("..").join("shared"));
    let mut out = None;
    let mut args = Args {
        out: PathBuf::new(),
        titles: shared.join("data/classification/ipc_titles.jsonl"),
        model_dir: workspace.join("target/test-models"),
        cache: workspace.join("target/test-embeddings/cache.db"),
        explore: false,
        config: IpcClassifierConfig::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--titles" => args.titles = value()?.into(),
            "--model-dir" => args.model_dir = value()?.into(),
            "--cache" => args.cache = value()?.into(),
            "--explore" => args.explore = true,
            "--epochs" => args.config.linear.epochs = value()?.parse()?,
            "--initial-accumulator" => args.config.linear.initial_accumulator = value()?.parse()?,
            "--runs" => args.config.linear.runs = value()?.parse()?,
            "--seed" => args.config.linear.seed = value()?.parse()?,
            "--abstain-below" => args.config.abstain_below = value()?.parse()?,
            "--prune-below" => args.config.linear.prune_below = value()?.parse()?,
            "--learning-rate" => args.config.linear.learning_rate = value()?.parse()?,
            "--embedding-scale" => args.config.linear.embedding_scale = value()?.parse()?,
            "--max-ngram" => args.config.max_ngram = value()?.parse()?,
            "--selector-folds" => args.config.selector_folds = value()?.parse()?,
            "--no-ovr" => args.config.one_vs_rest_head = false,
            "--min-df" => args.config.min_df = value()?.parse()?,
            "--embedding" => {
                args.config.embedding = match value()?.as_str() {
                    "query" => TitleEmbedding::Query,
                    "passage" => TitleEmbedding::Passage,
                    other => return Err(format!("--embedding {other}: query or passage").into()),
                }
            }
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}").into()),
            _ => out = Some(PathBuf::from(arg)),
        }
    }
    args.out = out.ok_or("usage: ipc_folds OUT_DIR [options]")?;
    Ok(args)
}
