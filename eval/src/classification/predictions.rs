//! Predictions written by a classifier under test, so that any classifier
//! (patmatch's, or an outside one) is scored by the same code.

use super::jsonl::for_each_record;
use crate::{Error, HolderAccuracy, HolderScorer, IpcPrediction, IpcScorer, IpcScores, IpcTitle};
use crate::{LabelledHolder, Result, HOLDER_KINDS};
use std::collections::BTreeMap;
use std::path::Path;

/// Reads IPC predictions: one `{"publication_number", "ranked", "chosen"}`
/// per line — the suggested subclasses best first, and the set the
/// classifier commits to (scored by micro-F1).
pub fn read_ipc_predictions(path: &Path) -> Result<BTreeMap<String, IpcPrediction>> {
    let mut out = BTreeMap::new();
    for_each_record(path, |record| {
        record.deny_unknown(&["publication_number", "ranked", "chosen"])?;
        let id = record.string("publication_number")?;
        let ranked = record.strings("ranked")?;
        let chosen = record.strings("chosen")?;
        if out
            .insert(id.clone(), IpcPrediction::new(ranked, chosen))
            .is_some()
        {
            return Err(record.error("publication_number", format_args!("`{id}` predicted twice")));
        }
        Ok(())
    })?;
    Ok(out)
}

/// Scores `predictions` on the titles of `folds` that have one. Titles the
/// classifier skipped are not scored, so the count says how many were; no
/// scored title at all is an error.
pub fn score_ipc_predictions(
    titles: &[IpcTitle],
    predictions: &BTreeMap<String, IpcPrediction>,
    folds: &[u8],
) -> Result<IpcScores> {
    let mut scorer = IpcScorer::default();
    for title in titles.iter().filter(|t| folds.contains(&t.fold)) {
        if let Some(prediction) = predictions.get(&title.publication_number) {
            scorer.add(&title.subclasses, prediction);
        }
    }
    let scores = scorer.finish();
    if scores.examples == 0 {
        return Err(Error::Mismatch(format!(
            "no prediction matches a title of folds {folds:?}"
        )));
    }
    Ok(scores)
}

/// Reads holder-kind predictions: one `{"holder", "kind"}` per line, `kind`
/// null when the classifier abstains.
pub fn read_holder_predictions(path: &Path) -> Result<BTreeMap<String, Option<String>>> {
    let mut out = BTreeMap::new();
    for_each_record(path, |record| {
        record.deny_unknown(&["holder", "kind"])?;
        let holder = record.string("holder")?;
        let kind = record.optional_string("kind")?;
        if let Some(kind) = &kind {
            if !HOLDER_KINDS.contains(&kind.as_str()) {
                return Err(record.error(
                    "kind",
                    format_args!("`{kind}` is not one of {}", HOLDER_KINDS.join(", ")),
                ));
            }
        }
        if out.insert(holder.clone(), kind).is_some() {
            return Err(record.error("holder", format_args!("`{holder}` predicted twice")));
        }
        Ok(())
    })?;
    Ok(out)
}

/// Holder-kind accuracy of `predictions` on the labelled holders; a holder
/// without a prediction counts as an abstention.
pub fn score_holder_predictions(
    labels: &[LabelledHolder],
    predictions: &BTreeMap<String, Option<String>>,
) -> HolderAccuracy {
    let mut scorer = HolderScorer::default();
    for label in labels {
        let predicted = predictions.get(&label.holder).and_then(Option::as_deref);
        scorer.add(&label.kind, predicted);
    }
    scorer.finish()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    use crate::testing::temp_file as file;

    fn title(id: &str, fold: u8, truth: &[&str]) -> IpcTitle {
        IpcTitle {
            publication_number: id.into(),
            title: String::new(),
            subclasses: truth.iter().map(|s| s.to_string()).collect(),
            fold,
            baseline: Vec::new(),
        }
    }

    #[test]
    fn scores_only_predicted_titles_of_the_folds() {
        let f = file(concat!(
            "{\"publication_number\":\"a\",\"ranked\":[\"G06F\",\"H04L\"],\"chosen\":[\"G06F\"]}\n",
            "{\"publication_number\":\"b\",\"ranked\":[\"A01B\",\"B65D\"],\"chosen\":[\"A01B\"]}\n",
        ));
        let predictions = read_ipc_predictions(f.path()).unwrap();
        let titles = [
            title("a", 5, &["G06F"]),
            title("b", 5, &["B65D"]),
            title("c", 5, &["C08L"]), // not predicted: not scored
            title("d", 1, &["G06F"]), // other fold
        ];
        let s = score_ipc_predictions(&titles, &predictions, &[5]).unwrap();
        // a: hit at 1; b: miss at 1, hit at 2. chosen: 1 tp of 2.
        assert_eq!(s.examples, 2);
        assert_eq!((s.top1, s.top3), (0.5, 1.0));
        assert_eq!((s.micro_precision, s.micro_recall), (0.5, 0.5));
        assert!(score_ipc_predictions(&titles, &predictions, &[2]).is_err());
    }

    #[test]
    fn holder_predictions_abstain_and_fail_on_bad_kinds() {
        let f = file(
            "{\"holder\":\"浙江大学\",\"kind\":\"高校\"}\n{\"holder\":\"张三\",\"kind\":null}\n",
        );
        let predictions = read_holder_predictions(f.path()).unwrap();
        let label = |holder: &str, kind: &str| LabelledHolder {
            holder: holder.into(),
            kind: kind.into(),
            province: None,
            city: None,
        };
        let labels = [
            label("浙江大学", "高校"),
            label("张三", "个人"),
            label("某公司", "企业"),
        ];
        let accuracy = score_holder_predictions(&labels, &predictions);
        assert_eq!(
            (accuracy.examples, accuracy.answered, accuracy.correct),
            (3, 1, 1)
        );

        let f = file("{\"holder\":\"x\",\"kind\":\"大学\"}\n");
        let err = read_holder_predictions(f.path()).unwrap_err().to_string();
        assert!(
            err.contains(":1: field `kind`: `大学` is not one of"),
            "{err}"
        );
    }
}
