//! Holder-kind accuracy against hand-labelled holders. Kinds stay strings
//! here: the classifier's own enum lives with the classifier, and a label
//! file must be checkable without it.

use super::jsonl::for_each_record;
use crate::Result;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The kinds a label may name: university, research institute, company,
/// individual, other.
pub const HOLDER_KINDS: [&str; 5] = ["高校", "科研院所", "企业", "个人", "其他"];

/// One hand-labelled holder (申请人/专利权人).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledHolder {
    pub holder: String,
    /// One of [`HOLDER_KINDS`].
    pub kind: String,
    pub province: Option<String>,
    pub city: Option<String>,
}

const FIELDS: [&str; 4] = ["holder", "kind", "province", "city"];

/// Reads a holder label file: one JSON object per line with `holder`,
/// `kind`, and optional `province` and `city` (missing, null or blank is
/// `None`). Fails at the first bad line, naming line and field: an unknown
/// kind or field (a misspelt key would otherwise read as missing), or a
/// holder labelled twice (it would count twice, perhaps with two answers).
pub fn read_labelled_holders(path: &Path) -> Result<Vec<LabelledHolder>> {
    let mut holders = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for_each_record(path, |record| {
        record.deny_unknown(&FIELDS)?;
        let holder = record.string("holder")?;
        let kind = record.string("kind")?;
        if !HOLDER_KINDS.contains(&kind.as_str()) {
            return Err(record.error(
                "kind",
                format_args!(
                    "unknown kind `{kind}` (expected one of {})",
                    HOLDER_KINDS.join(", ")
                ),
            ));
        }
        if let Some(line) = first_line.insert(holder.clone(), record.line()) {
            return Err(record.error(
                "holder",
                format_args!("`{holder}` is already labelled on line {line}"),
            ));
        }
        holders.push(LabelledHolder {
            holder,
            kind,
            province: record.optional_string("province")?,
            city: record.optional_string("city")?,
        });
        Ok(())
    })?;
    Ok(holders)
}

/// Examples and correct answers for one true kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KindCounts {
    pub examples: usize,
    pub correct: usize,
}

/// Holder-kind accuracy. Shares are 0 when their denominator is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HolderAccuracy {
    pub examples: usize,
    /// Examples the classifier gave a kind for (did not abstain).
    pub answered: usize,
    pub correct: usize,
    /// correct / examples: an abstention counts as wrong.
    pub accuracy: f64,
    /// answered / examples.
    pub coverage: f64,
    /// correct / answered.
    pub precision: f64,
    /// Keyed by the true kind.
    pub per_kind: BTreeMap<String, KindCounts>,
}

/// Accumulates [`HolderAccuracy`] one holder at a time.
#[derive(Debug, Clone, Default)]
pub struct HolderScorer {
    answered: usize,
    per_kind: BTreeMap<String, KindCounts>,
}

impl HolderScorer {
    /// Adds one holder: its true kind and the predicted kind, `None` when
    /// the classifier abstained.
    pub fn add(&mut self, truth_kind: &str, predicted: Option<&str>) {
        let counts = self.per_kind.entry(truth_kind.to_string()).or_default();
        counts.examples += 1;
        if let Some(predicted) = predicted {
            self.answered += 1;
            if predicted == truth_kind {
                counts.correct += 1;
            }
        }
    }

    pub fn finish(&self) -> HolderAccuracy {
        let examples = self.per_kind.values().map(|c| c.examples).sum();
        let correct = self.per_kind.values().map(|c| c.correct).sum();
        HolderAccuracy {
            examples,
            answered: self.answered,
            correct,
            accuracy: share(correct, examples),
            coverage: share(self.answered, examples),
            precision: share(correct, self.answered),
            per_kind: self.per_kind.clone(),
        }
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::Error;

    use crate::testing::temp_file as file;

    #[test]
    fn reads_labels() {
        let f = file(concat!(
            r#"{"holder": "浙江大学", "kind": "高校", "province": "浙江", "city": "杭州"}"#,
            "\n\n",
            r#"{"holder": "张三", "kind": "个人", "province": null}"#,
            "\n",
            r#"{"holder": " 某某科技有限公司 ", "kind": "企业", "province": "", "city": "宁波"}"#,
            "\n",
        ));
        let holders = read_labelled_holders(f.path()).unwrap();
        assert_eq!(
            holders,
            vec![
                LabelledHolder {
                    holder: "浙江大学".into(),
                    kind: "高校".into(),
                    province: Some("浙江".into()),
                    city: Some("杭州".into()),
                },
                LabelledHolder {
                    holder: "张三".into(),
                    kind: "个人".into(),
                    province: None,
                    city: None,
                },
                LabelledHolder {
                    holder: "某某科技有限公司".into(),
                    kind: "企业".into(),
                    province: None,
                    city: Some("宁波".into()),
                },
            ]
        );
    }

    #[test]
    fn errors_name_line_and_field() {
        let good = r#"{"holder": "浙江大学", "kind": "高校"}"#;
        let cases = [
            (
                r#"{"holder": "甲公司", "kind": "公司"}"#,
                "`kind`",
                "unknown kind `公司`",
            ),
            (r#"{"holder": "甲公司"}"#, "`kind`", "missing"),
            (r#"{"holder": "", "kind": "企业"}"#, "`holder`", "empty"),
            (
                r#"{"holder": "甲公司", "kind": "企业", "city": 3}"#,
                "`city`",
                "expected a string",
            ),
            (
                r#"{"holder": "甲公司", "kind": "企业", "provnce": "浙江"}"#,
                "`provnce`",
                "unknown field",
            ),
            (
                r#"{"holder": "浙江大学", "kind": "高校"}"#,
                "`holder`",
                "already labelled on line 1",
            ),
            (r#"["浙江大学", "高校"]"#, "", "not a JSON object"),
        ];
        for (bad, field, detail) in cases {
            let f = file(&format!("{good}\n{bad}\n"));
            match read_labelled_holders(f.path()) {
                Err(Error::Parse { line, message, .. }) => {
                    assert_eq!(line, 2, "{message}");
                    assert!(message.contains(field), "{message}");
                    assert!(message.contains(detail), "{message}");
                }
                other => panic!("{bad}: expected a parse error, got {other:?}"),
            }
        }
    }

    #[test]
    fn accuracy_coverage_precision_by_hand() {
        // 5 holders: 2 高校 (1 right, 1 abstained), 2 企业 (1 right, 1
        // called 个人), 1 个人 (right).
        // answered 4, correct 3: accuracy 3/5, coverage 4/5, precision 3/4.
        let mut scorer = HolderScorer::default();
        scorer.add("高校", Some("高校"));
        scorer.add("高校", None);
        scorer.add("企业", Some("企业"));
        scorer.add("企业", Some("个人"));
        scorer.add("个人", Some("个人"));
        let a = scorer.finish();
        assert_eq!((a.examples, a.answered, a.correct), (5, 4, 3));
        assert_eq!(a.accuracy, 0.6);
        assert_eq!(a.coverage, 0.8);
        assert_eq!(a.precision, 0.75);
        assert_eq!(
            a.per_kind["高校"],
            KindCounts {
                examples: 2,
                correct: 1
            }
        );
        assert_eq!(
            a.per_kind["企业"],
            KindCounts {
                examples: 2,
                correct: 1
            }
        );
        assert_eq!(
            a.per_kind["个人"],
            KindCounts {
                examples: 1,
                correct: 1
            }
        );
        assert_eq!(a.per_kind.len(), 3);
    }

    #[test]
    fn empty_and_all_abstained_are_zero() {
        let a = HolderScorer::default().finish();
        assert_eq!((a.examples, a.accuracy, a.precision), (0, 0.0, 0.0));
        let mut scorer = HolderScorer::default();
        scorer.add("其他", None);
        let a = scorer.finish();
        assert_eq!((a.accuracy, a.coverage, a.precision), (0.0, 0.0, 0.0));
    }

    #[test]
    fn serializes_per_kind() {
        let mut scorer = HolderScorer::default();
        scorer.add("高校", Some("高校"));
        let json = serde_json::to_value(scorer.finish()).unwrap();
        assert_eq!(json["per_kind"]["高校"]["correct"], 1);
        assert_eq!(json["accuracy"], 1.0);
    }
}
