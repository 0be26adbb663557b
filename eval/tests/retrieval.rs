//! The runner end to end on the real corpus and the dev set: runs written
//! by the library and by the binary agree, what the binary scores is what
//! the library reported, and ir_measures agrees with both.
#![allow(clippy::unwrap_used)]

#[path = "../../ranker/tests/common/mod.rs"]
mod common;

use patmatch_eval::{
    evaluate, evaluate_retrieval, parse_variants, push_run, read_known_items, read_queries,
    run_path, run_queries, PushCheck, Qrels, RetrievalConfig, Run, Scores, Variant,
};
use std::path::Path;
use std::process::{Command, Output};

fn eval_bin(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_patmatch-eval"))
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--model-dir")
        .arg(common::model_dir())
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn dev_set_runs_score_and_cross_check() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let (mut store, engine) = common::corpus_ranker(&data_dir);

    let queries_file = common::data("eval/dev/queries.jsonl");
    let qrels_file = common::data("eval/dev/qrels.tsv");
    let queries = read_queries(&queries_file).unwrap();
    let qrels = Qrels::read(&qrels_file).unwrap();
    let out_dir = dir.path().join("eval");
    let config = RetrievalConfig {
        out_dir: out_dir.clone(),
        ..RetrievalConfig::default()
    };
    let variants = parse_variants("bm25,rrf").unwrap();
    let mut calls = 0;
    let report = evaluate_retrieval(&engine, "dev", &queries, &qrels, &variants, &config, |_| {
        calls += 1
    })
    .unwrap();
    assert_eq!(calls, 2 * queries.len());
    assert_eq!(report.listings, engine.snapshot().len());
    assert!(out_dir.join("dev/report.json").is_file());
    for (variant, result) in variants.iter().zip(&report.variants) {
        let eval = &result.evaluation;
        // the dev set: 60 answerable queries, 40 the corpus cannot serve
        assert_eq!((eval.evaluated, eval.skipped, eval.missing), (60, 40, 0));
        // the run on disk is the run that was scored
        assert_eq!(result.run_file, run_path(&out_dir, "dev", *variant));
        let run = Run::read(&result.run_file).unwrap();
        assert_eq!(&evaluate(&run, &qrels).unwrap(), eval);
        assert!(queries
            .iter()
            .all(|q| run.ranking(&q.id).is_some_and(|r| r.len() <= 100)));
        let push = result.push.as_ref().unwrap();
        assert_eq!((push.answerable, push.unanswerable), (60, 40));
        assert!(result.mean_latency_ms > 0.0);
    }
    let table = report.table();
    assert!(table.contains("| metric | bm25 | rrf:60 |"), "{table}");

    // `score --json` reads the file back to the same figures
    let bm25_run = &report.variants[0].run_file;
    let score = eval_bin(
        &data_dir,
        &[
            "score",
            bm25_run.to_str().unwrap(),
            "--qrels",
            qrels_file.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(score.status.success(), "{}", text(&score.stderr));
    let json: serde_json::Value = serde_json::from_slice(&score.stdout).unwrap();
    let mean: Scores = serde_json::from_value(json["mean"].clone()).unwrap();
    assert_eq!(mean, report.variants[0].evaluation.mean);
    let scores_file = dir.path().join("bm25-scores.json");
    std::fs::write(&scores_file, &score.stdout).unwrap();

    // the reference implementation agrees to 4 decimals
    let script = common::workspace().join("eval/crosscheck/run.sh");
    let check = Command::new(&script)
        .args(["--run", bm25_run.to_str().unwrap()])
        .args(["--qrels", qrels_file.to_str().unwrap()])
        .args(["--patmatch", scores_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}\n{}",
        text(&check.stdout),
        text(&check.stderr)
    );

    // `run` writes the same ranking the runner wrote
    let own_run = dir.path().join("own.trec");
    let out = eval_bin(
        &data_dir,
        &[
            "run",
            "--queries",
            queries_file.to_str().unwrap(),
            "--variant",
            "bm25",
            "--out",
            own_run.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(Run::read(&own_run).unwrap(), Run::read(bm25_run).unwrap());

    // `diff` accounts for every evaluated query
    let rrf_run = &report.variants[1].run_file;
    let out = eval_bin(
        &data_dir,
        &[
            "diff",
            bm25_run.to_str().unwrap(),
            rrf_run.to_str().unwrap(),
            "--qrels",
            qrels_file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("gained most (B over A)"), "{stdout}");
    let last = stdout.lines().last().unwrap();
    let counts: Vec<usize> = last
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(counts.len(), 4, "{last}");
    assert_eq!(counts[0], 60);
    assert_eq!(counts[1] + counts[2] + counts[3], 60, "{last}");

    // the push, planned for the demands behind the dev queries
    corpus::import_files(
        &mut store,
        &[common::data("demands/demands.jsonl")],
        &corpus::ImportOptions::default(),
        &(),
    )
    .unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let pushed = push_run(&engine, &store, &queries[..12], day, 5, |_| {}).unwrap();
    for q in &queries[..12] {
        let items = pushed.ranking(&q.id).unwrap_or_default();
        assert!(items.len() <= 5);
        assert!(items.windows(2).all(|w| w[0].score >= w[1].score));
    }
    let strict = PushCheck::at(&pushed, &qrels, 5, 0.99);
    let loose = PushCheck::at(&pushed, &qrels, 5, 0.0);
    assert!(strict.pushed <= loose.pushed && loose.pushed > 0);
    assert!(
        corpus::Store::push_dates(&store, queries[0].demand_id.as_deref().unwrap())
            .unwrap()
            .is_empty(),
        "planning records nothing"
    );

    // known items: one target each, and that target is a listing of the index
    let (known, known_qrels) =
        read_known_items(&common::data("eval/known_item/keyphrase_queries.jsonl")).unwrap();
    let sample = &known[..40];
    for q in sample {
        let judged = known_qrels.judgments(&q.id).unwrap();
        assert_eq!(judged.len(), 1);
        assert!(engine.snapshot().contains(judged.keys().next().unwrap()));
    }
    let (run, _) = run_queries(&engine, Variant::Lexical, sample, 100, || {}).unwrap();
    let eval = evaluate(&run, &known_qrels).unwrap();
    // queries outside the sample are in the qrels but not the run
    assert_eq!(eval.missing, known.len() - sample.len());
}

#[test]
fn bad_input_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("bad.trec");
    std::fs::write(&run, "q1 Q0 a 1 0.9 t\nq1 Q0 b 2 t\n").unwrap();
    let qrels = common::data("eval/dev/qrels.tsv");
    let out = eval_bin(
        dir.path(),
        &[
            "score",
            run.to_str().unwrap(),
            "--qrels",
            qrels.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("bad.trec:2: expected 6 fields"), "{stderr}");

    let out = eval_bin(
        dir.path(),
        &[
            "run",
            "--queries",
            common::data("eval/dev/queries.jsonl").to_str().unwrap(),
            "--variant",
            "convex:2",
            "--out",
            "x.trec",
        ],
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unknown variant `convex:2`"));

    // no index in the data dir: said plainly
    let out = eval_bin(
        dir.path(),
        &[
            "run",
            "--queries",
            common::data("eval/dev/queries.jsonl").to_str().unwrap(),
            "--out",
            "x.trec",
        ],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no index in"),
        "{}",
        text(&out.stderr)
    );
}
