//! The published baseline, scored by this crate, must reproduce the figures
//! its authors state in the shared data README: a check on both the reader
//! and the micro-averaged metrics against an independent computation.
#![allow(clippy::unwrap_used)]

#[path = "../../ranker/tests/common/mod.rs"]
mod common;

use patmatch_eval::{baseline_scores, read_ipc_titles, IpcScores};

fn print(label: &str, s: &IpcScores) {
    println!(
        "{label}: n={} micro-F1 {:.4} P {:.4} R {:.4} exact {:.4} top1 {:.4} top3 {:.4}",
        s.examples, s.micro_f1, s.micro_precision, s.micro_recall, s.exact_match, s.top1, s.top3
    );
}

#[test]
fn baseline_reproduces_published_figures() {
    let path = common::data("classification/ipc_titles.jsonl");
    let titles = read_ipc_titles(&path).unwrap();
    assert_eq!(titles.len(), 9_740);

    let all = baseline_scores(&titles, &[1, 2, 3, 4, 5]);
    let fold5 = baseline_scores(&titles, &[5]);
    print("fold 5", &fold5);
    print("all folds", &all);

    assert_eq!(all.examples, 9_740);
    for (name, got, published) in [
        ("micro-F1", all.micro_f1, 0.491),
        ("precision", all.micro_precision, 0.456),
        ("recall", all.micro_recall, 0.531),
        ("exact-set match", all.exact_match, 0.182),
    ] {
        assert!(
            (got - published).abs() <= 0.0005,
            "{name}: {got:.4}, published {published}"
        );
    }
    // Top-k is an expectation over the unordered set's order, so only its
    // bounds are checked; the printed values are for the report.
    assert!(all.top1 <= all.top3 && all.top3 <= 1.0);
    assert!(fold5.examples > 0 && fold5.examples < all.examples);
}

/// A predictions file that commits to the baseline's own sets must score
/// the baseline's micro-F1 through the command line, on exactly fold 5.
#[test]
fn classify_scores_a_predictions_file_like_the_baseline() {
    let titles_path = common::data("classification/ipc_titles.jsonl");
    let titles = read_ipc_titles(&titles_path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let predictions = dir.path().join("ipc.jsonl");
    let lines: Vec<String> = titles
        .iter()
        .filter(|t| t.fold == 5)
        .map(|t| {
            serde_json::json!({
                "publication_number": t.publication_number,
                "ranked": t.baseline,
                "chosen": t.baseline,
            })
            .to_string()
        })
        .collect();
    std::fs::write(&predictions, lines.join("\n")).unwrap();
    let labels = dir.path().join("labels.jsonl");
    std::fs::write(
        &labels,
        "{\"holder\":\"浙江大学\",\"kind\":\"高校\",\"province\":\"浙江\",\"city\":\"杭州\"}\n{\"holder\":\"某某有限公司\",\"kind\":\"企业\"}\n",
    )
    .unwrap();
    let kinds = dir.path().join("kinds.jsonl");
    std::fs::write(&kinds, "{\"holder\":\"浙江大学\",\"kind\":\"高校\"}\n{\"holder\":\"某某有限公司\",\"kind\":\"个人\"}\n").unwrap();

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_patmatch-eval"))
        .arg("classify")
        .arg("--titles")
        .arg(&titles_path)
        .arg("--predictions")
        .arg(&predictions)
        .arg("--holder-labels")
        .arg(&labels)
        .arg("--holder-predictions")
        .arg(&kinds)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = json["ipc"].as_array().unwrap();
    // baseline fold 5, baseline all, predictions fold 5 (no all-fold row:
    // the file covers fold 5 only)
    assert_eq!(rows.len(), 3);
    let (baseline, ours) = (&rows[0]["scores"], &rows[2]["scores"]);
    assert_eq!(ours["examples"], baseline["examples"]);
    for key in ["micro_precision", "micro_recall", "micro_f1", "exact_match"] {
        assert_eq!(ours[key], baseline[key], "{key}");
    }
    assert_eq!(json["holder_kind"]["examples"], 2);
    assert_eq!(json["holder_kind"]["correct"], 1);
}
