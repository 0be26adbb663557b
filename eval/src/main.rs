//! `patmatch-eval`: relevance and classification benchmarks for patmatch.

mod commands;

use clap::{Args as ClapArgs, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Offline evaluation of patmatch: runs ranking variants over query sets,
/// writes TREC runs, and scores runs against graded judgments with
/// trec_eval's conventions.
///
/// Settings are layered: built-in defaults, then environment variables,
/// then flags.
#[derive(Debug, Parser)]
#[command(name = "patmatch-eval", version, propagate_version = true)]
struct Args {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, ClapArgs)]
struct Global {
    /// Directory holding the store and the indexes, as for `patmatch`; the
    /// index searched is `<DIR>/index`.
    #[arg(
        long,
        global = true,
        env = "PATMATCH_DATA_DIR",
        value_name = "DIR",
        default_value = "data"
    )]
    data_dir: PathBuf,

    /// Directory of the embedding model.
    /// Default: ~/.cache/patmatch/models, as for `patmatch`.
    #[arg(long, global = true, env = "PATMATCH_MODEL_DIR", value_name = "DIR")]
    model_dir: Option<PathBuf>,

    /// Log filter in tracing's syntax, e.g. `info`. RUST_LOG is used when
    /// this is not given; the default is `warn`.
    #[arg(long, global = true, env = "PATMATCH_LOG", value_name = "FILTER")]
    log: Option<String>,

    /// Where run files and reports are written.
    #[arg(long, global = true, value_name = "DIR", default_value = "target/eval")]
    out_dir: PathBuf,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run ranking variants over a query set and score them against qrels:
    /// one TREC run per variant, a table of metrics × variants with mean
    /// per-query latency, and a JSON report under `<out-dir>/<set>/`.
    Retrieval(RetrievalArgs),

    /// Known-item search: each query is a record's keyphrases, and its one
    /// target is that record. Reports MRR@10 and Recall@10 among the rest.
    KnownItem(KnownItemArgs),

    /// Write one TREC run (top 100) of one variant for any query file, no
    /// qrels needed, for scoring with outside tools.
    Run(RunArgs),

    /// Calibrate and check the daily push on a query set whose queries name
    /// their demand (`demand_id`, imported into the data dir's store): what
    /// a first push would send each demand, scored at the calibrated
    /// threshold and at fixed ones — precision on answerable demands and
    /// false alarms on those the corpus cannot serve.
    Push(PushArgs),

    /// Score an existing TREC run against qrels.
    Score(ScoreArgs),

    /// Compare two runs query by query: the queries that gained and lost
    /// most, side by side.
    Diff(DiffArgs),

    /// IPC subclass classification on the labelled titles: micro-F1 and
    /// top-1/top-3 accuracy on fold 5 and over all folds, for the published
    /// TF-IDF + linear SVM baseline and for a classifier's predictions file;
    /// and holder-kind accuracy against hand labels.
    Classify(ClassifyArgs),
}

#[derive(Debug, ClapArgs)]
struct VariantsArg {
    /// Comma-separated variants: `bm25`, `dense`, `rrf` (k = 60), `rrf:K`,
    /// `convex:W` (W = weight of the vector signal, 0–1).
    #[arg(
        long,
        value_name = "LIST",
        default_value = "bm25,dense,rrf,convex:0.3,convex:0.5,convex:0.7"
    )]
    variants: String,

    /// Documents kept per query, and candidates drawn from each signal by
    /// fused variants.
    #[arg(long, value_name = "N", default_value_t = 100)]
    depth: usize,

    /// Name of the set, used for the output directory. Default: the name of
    /// the directory holding the query file (`dev` for eval/dev/queries.jsonl).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,

    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, ClapArgs)]
struct RetrievalArgs {
    /// JSONL queries with `query_id` and `text`.
    #[arg(long, value_name = "FILE")]
    queries: PathBuf,

    /// TREC qrels: `query_id 0 doc_id grade`.
    #[arg(long, value_name = "FILE")]
    qrels: PathBuf,

    #[command(flatten)]
    variants: VariantsArg,

    /// Most items a push sends per demand, when measuring silence on
    /// unanswerable queries.
    #[arg(long, value_name = "N", default_value_t = 5)]
    push_limit: usize,

    /// Precision on the answerable queries that each variant's push
    /// threshold is calibrated to reach.
    #[arg(long, value_name = "SHARE", default_value_t = 0.5)]
    push_precision: f64,
}

#[derive(Debug, ClapArgs)]
struct KnownItemArgs {
    /// JSONL with `query_id`, `keyphrases` and `target`.
    #[arg(long, value_name = "FILE")]
    queries: PathBuf,

    #[command(flatten)]
    variants: VariantsArg,
}

#[derive(Debug, ClapArgs)]
struct RunArgs {
    /// JSONL queries with `query_id` and `text`.
    #[arg(long, value_name = "FILE")]
    queries: PathBuf,

    /// The variant to run (see `retrieval --help`).
    #[arg(long, value_name = "VARIANT", default_value = "rrf")]
    variant: String,

    /// The TREC run file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,

    /// Documents per query.
    #[arg(long, value_name = "N", default_value_t = 100)]
    depth: usize,
}

#[derive(Debug, ClapArgs)]
struct PushArgs {
    /// JSONL queries with `query_id`, `text` and `demand_id`.
    #[arg(long, value_name = "FILE")]
    queries: PathBuf,

    /// TREC qrels.
    #[arg(long, value_name = "FILE")]
    qrels: PathBuf,

    /// The day pushed (a first push: every listing searchable that day).
    /// Default: today.
    #[arg(long, value_name = "DATE")]
    date: Option<chrono::NaiveDate>,

    /// Items per demand.
    #[arg(long, value_name = "N", default_value_t = 5)]
    limit: usize,

    /// Precision on the answerable demands the calibrated threshold must
    /// reach.
    #[arg(long, value_name = "SHARE", default_value_t = 0.5)]
    precision: f64,

    /// Fixed thresholds to report beside the calibrated one.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "0.7,0.75,0.8,0.85,0.9"
    )]
    thresholds: Vec<f32>,

    /// Name of the set, for the output directory. Default: the query file's
    /// directory name.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
}

#[derive(Debug, ClapArgs)]
struct ScoreArgs {
    /// The TREC run to score.
    run: PathBuf,

    /// TREC qrels.
    #[arg(long, value_name = "FILE")]
    qrels: PathBuf,

    /// Print per-query and mean scores as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, ClapArgs)]
struct DiffArgs {
    /// The baseline run.
    run_a: PathBuf,
    /// The run compared with it.
    run_b: PathBuf,

    /// TREC qrels.
    #[arg(long, value_name = "FILE")]
    qrels: PathBuf,

    /// The metric compared (ndcg@10, recall@10, recall@100, mrr@10, p@10,
    /// judged@10).
    #[arg(long, value_name = "METRIC", default_value = "ndcg@10")]
    metric: String,

    /// How many gaining and losing queries to list.
    #[arg(long, value_name = "N", default_value_t = 10)]
    top: usize,

    /// JSONL queries, to show each query's text beside its id.
    #[arg(long, value_name = "FILE")]
    queries: Option<PathBuf>,
}

#[derive(Debug, ClapArgs)]
struct ClassifyArgs {
    /// ipc_titles.jsonl: titles with their true IPC subclasses, folds 1–5
    /// and the baseline's out-of-fold predictions.
    #[arg(long, value_name = "FILE")]
    titles: PathBuf,

    /// A classifier's IPC predictions to score beside the baseline: JSONL
    /// with `publication_number`, `ranked` (best first) and `chosen` (the
    /// committed set). Scored on fold 5 and on every fold it covers.
    #[arg(long, value_name = "FILE")]
    predictions: Option<PathBuf>,

    /// Hand-labelled holders (JSONL `holder`, `kind`, `province`, `city`),
    /// for holder-kind accuracy.
    #[arg(long, value_name = "FILE", requires = "holder_predictions")]
    holder_labels: Option<PathBuf>,

    /// A classifier's holder kinds: JSONL `holder`, `kind` (null to
    /// abstain). Needs --holder-labels.
    #[arg(long, value_name = "FILE", requires = "holder_labels")]
    holder_predictions: Option<PathBuf>,

    /// Print the scores as JSON.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    models::pin_thread_count();
    let args = Args::parse();
    init_logging(args.global.log.as_deref());
    match commands::dispatch(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr so that stdout stays clean for JSON and tables.
fn init_logging(filter: Option<&str>) {
    use tracing_subscriber::EnvFilter;
    let filter = match filter {
        Some(filter) => EnvFilter::new(filter),
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
