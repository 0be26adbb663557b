use crate::{
    evaluate, Error, Evaluation, PushCheck, Qrels, Query, Result, Retrieved, Run, Variant,
};
use indexer::QuerySyntax;
use ranker::{Ranker, SearchRequest};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How a retrieval evaluation is run and reported.
#[derive(Debug, Clone, PartialEq)]
pub struct RetrievalConfig {
    /// Documents kept per query in each run (and candidates drawn from each
    /// signal by fused variants).
    pub depth: usize,
    /// Where runs and the report are written.
    pub out_dir: PathBuf,
    /// Pushes per query when measuring silence (the push's default limit).
    pub push_limit: usize,
    /// Precision the push threshold is calibrated to reach on the
    /// answerable queries.
    pub push_precision: f64,
    /// The fewest pushes a calibrated threshold must send, so that one
    /// lucky hit cannot set it.
    pub push_min: usize,
}

impl Default for RetrievalConfig {
    fn default() -> Self {
        Self {
            depth: 100,
            out_dir: PathBuf::from("target/eval"),
            push_limit: 5,
            push_precision: 0.5,
            push_min: 10,
        }
    }
}

/// One variant's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantReport {
    pub variant: String,
    pub run_file: PathBuf,
    /// Mean wall time per query, query embedding included.
    pub mean_latency_ms: f64,
    pub evaluation: Evaluation,
    /// Present when the set has unanswerable queries to stay silent on.
    pub push: Option<PushCheck>,
}

/// A retrieval evaluation of several variants on one set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetrievalReport {
    pub set: String,
    pub queries: usize,
    pub index_generation: u64,
    pub listings: usize,
    pub depth: usize,
    pub variants: Vec<VariantReport>,
}

/// The top `depth` listings for `text` under `variant`, best first, through
/// the ranker's search: what a user would see, near-duplicates folded.
/// Evaluation queries are demand statements, so quotes in them are prose.
pub fn search(
    ranker: &Ranker,
    variant: Variant,
    text: &str,
    depth: usize,
) -> Result<Vec<Retrieved>> {
    let request = SearchRequest {
        syntax: QuerySyntax::Plain,
        retrieval: Some(variant),
        limit: depth,
        ..SearchRequest::new(text)
    };
    let response = ranker.search(&request)?;
    Ok(response
        .hits
        .into_iter()
        .map(|hit| Retrieved {
            doc: hit.id,
            score: hit.score.fused,
        })
        .collect())
}

/// Runs `variant` over `queries`: the run, and the total search time in
/// seconds (query embedding included). `progress` is called after each
/// query.
pub fn run_queries(
    ranker: &Ranker,
    variant: Variant,
    queries: &[Query],
    depth: usize,
    mut progress: impl FnMut(),
) -> Result<(Run, f64)> {
    let mut run = Run::default();
    let mut seconds = 0.0;
    for query in queries {
        let start = Instant::now();
        let hits = search(ranker, variant, &query.text, depth)
            .map_err(|e| Error::Mismatch(format!("query `{}` under {variant}: {e}", query.id)))?;
        seconds += start.elapsed().as_secs_f64();
        run.insert(&query.id, hits);
        progress();
    }
    Ok((run, seconds))
}

/// The file a variant's run is written to: `<out>/<set>/<variant>.trec`,
/// with `:` spelled `-` so the name is portable.
pub fn run_path(out_dir: &Path, set: &str, variant: Variant) -> PathBuf {
    let name = variant.to_string().replace(':', "-");
    out_dir.join(set).join(format!("{name}.trec"))
}

/// Runs every variant, writes its run file and scores it. The report is
/// written to `<out>/<set>/report.json`.
pub fn evaluate_retrieval(
    ranker: &Ranker,
    set: &str,
    queries: &[Query],
    qrels: &Qrels,
    variants: &[Variant],
    config: &RetrievalConfig,
    mut progress: impl FnMut(Variant),
) -> Result<RetrievalReport> {
    if queries.is_empty() {
        return Err(Error::Mismatch("the query file holds no query".into()));
    }
    let mut reports = Vec::new();
    for &variant in variants {
        let (run, seconds) =
            run_queries(ranker, variant, queries, config.depth, || progress(variant))?;
        let run_file = run_path(&config.out_dir, set, variant);
        run.write(&run_file, &variant.to_string())?;
        let evaluation = evaluate(&run, qrels)?;
        let push = (evaluation.skipped > 0).then(|| {
            PushCheck::calibrate(
                &run,
                qrels,
                config.push_limit,
                config.push_precision,
                config.push_min,
            )
        });
        tracing::info!(%variant, ndcg10 = evaluation.mean.ndcg10, "evaluated");
        reports.push(VariantReport {
            variant: variant.to_string(),
            run_file,
            mean_latency_ms: seconds * 1000.0 / queries.len() as f64,
            evaluation,
            push,
        });
    }
    let report = RetrievalReport {
        set: set.to_string(),
        queries: queries.len(),
        index_generation: ranker.snapshot().generation(),
        listings: ranker.snapshot().len(),
        depth: config.depth,
        variants: reports,
    };
    let path = config.out_dir.join(set).join("report.json");
    let json = serde_json::to_string_pretty(&report)
        .map_err(|e| Error::Mismatch(format!("report: {e}")))?;
    std::fs::write(&path, json).map_err(|source| Error::Io { path, source })?;
    Ok(report)
}

impl RetrievalReport {
    /// The report as a Markdown table: metrics down, variants across.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let head: Vec<&str> = self.variants.iter().map(|v| v.variant.as_str()).collect();
        let _ = writeln!(out, "| metric | {} |", head.join(" | "));
        let _ = writeln!(out, "|---|{}", "---:|".repeat(head.len()));
        let mut row = |name: &str, cell: &dyn Fn(&VariantReport) -> String| {
            let cells: Vec<String> = self.variants.iter().map(cell).collect();
            let _ = writeln!(out, "| {name} | {} |", cells.join(" | "));
        };
        for (i, name) in crate::METRIC_NAMES.iter().enumerate() {
            row(name, &|v| format!("{:.4}", v.evaluation.mean.values()[i]));
        }
        row("mean latency (ms)", &|v| {
            format!("{:.2}", v.mean_latency_ms)
        });
        if self.variants.iter().any(|v| v.push.is_some()) {
            let cell = |v: &VariantReport, f: fn(&PushCheck) -> String| {
                v.push.as_ref().map_or_else(|| "–".to_string(), f)
            };
            row("push threshold", &|v| {
                cell(v, |p| format!("{:.4}", p.threshold))
            });
            row("push precision (answerable)", &|v| {
                cell(v, |p| format!("{:.3}", p.precision))
            });
            row("answerable served", &|v| {
                cell(v, |p| format!("{:.3}", p.served))
            });
            row("false alarms (no-match)", &|v| {
                cell(v, |p| format!("{:.3}", p.false_alarms))
            });
            row("top-score separation", &|v| {
                cell(v, |p| format!("{:.3}", p.separation))
            });
        }
        if let Some(first) = self.variants.first() {
            let e = &first.evaluation;
            let _ = writeln!(
                out,
                "\n{} queries: {} evaluated, {} skipped (no relevant document); index generation {}, {} listings.",
                self.queries, e.evaluated, e.skipped, self.index_generation, self.listings
            );
        }
        out
    }
}
