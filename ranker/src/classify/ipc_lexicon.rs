//! The lexical features of the IPC classifier: character n-grams.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Character n-grams of a title, weighted by TF-IDF over the training
/// titles and L2-normalised.
///
/// Character n-grams rather than jieba words because patent titles coin
/// compounds (驱鸟保护装置, 光伏组件生产线) that a dictionary cuts
/// inconsistently, while their 2- to 4-char pieces recur across titles of
/// the same subclass; they also need no dictionary at classification time.
/// N-grams never span a non-alphanumeric char, so punctuation and spaces
/// separate, and ASCII is folded to lower case and full-width forms to
/// half-width so that `ＬＥＤ` and `led` are one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpcLexicon {
    /// Feature index of each n-gram.
    index: HashMap<String, u32>,
    /// Inverse document frequency of each feature, by index.
    idf: Vec<f32>,
    max_n: usize,
}

impl IpcLexicon {
    /// The n-grams (1 to `max_n` chars) found in at least `min_df` of
    /// `texts`, with smoothed IDF `ln((1 + n) / (1 + df)) + 1`. Rarer ones
    /// are dropped: seen once, an n-gram can only memorise its title.
    pub fn fit<'a>(texts: impl IntoIterator<Item = &'a str>, max_n: usize, min_df: usize) -> Self {
        let mut df: HashMap<String, usize> = HashMap::new();
        let mut n = 0usize;
        for text in texts {
            n += 1;
            let mut grams = ngrams(text, max_n);
            grams.sort_unstable();
            grams.dedup();
            for gram in grams {
                *df.entry(gram).or_default() += 1;
            }
        }
        // Sorted, so that a lexicon fitted twice on the same titles is the
        // same lexicon (HashMap order is random).
        let mut kept: Vec<(String, usize)> = df
            .into_iter()
            .filter(|(_, count)| *count >= min_df.max(1))
            .collect();
        kept.sort_unstable();
        let idf = kept
            .iter()
            .map(|(_, count)| ((1.0 + n as f64) / (1.0 + *count as f64)).ln() as f32 + 1.0)
            .collect();
        let index = kept
            .into_iter()
            .enumerate()
            .map(|(i, (gram, _))| (gram, i as u32))
            .collect();
        Self { index, idf, max_n }
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.idf.len()
    }

    /// The features of `text` as (index, weight), sorted by index, with
    /// sublinear term frequency `1 + ln(tf)` times IDF, L2-normalised.
    /// Empty when no n-gram of the text is known.
    pub fn vectorize(&self, text: &str) -> Vec<(u32, f32)> {
        let mut counts: HashMap<u32, u32> = HashMap::new();
        for gram in ngrams(text, self.max_n) {
            if let Some(&i) = self.index.get(&gram) {
                *counts.entry(i).or_default() += 1;
            }
        }
        let mut features: Vec<(u32, f32)> = counts
            .into_iter()
            .map(|(i, tf)| {
                let idf = self.idf.get(i as usize).copied().unwrap_or(1.0);
                (i, (1.0 + (tf as f32).ln()) * idf)
            })
            .collect();
        features.sort_unstable_by_key(|(i, _)| *i);
        let norm = features.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut features {
                *w /= norm;
            }
        }
        features
    }
}

/// All n-grams of 1 to `max_n` chars inside the alphanumeric runs of
/// `text`, folded, with repeats.
fn ngrams(text: &str, max_n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let flush = |run: &mut Vec<char>, out: &mut Vec<String>| {
        for start in 0..run.len() {
            for len in 1..=max_n.min(run.len() - start) {
                out.push(run[start..start + len].iter().collect());
            }
        }
        run.clear();
    };
    for c in text.chars().map(fold) {
        if c.is_alphanumeric() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Full-width ASCII forms to half-width, then ASCII to lower case.
fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ngrams_stay_inside_runs_and_fold() {
        let grams = ngrams("ＬＥＤ灯，a", 2);
        assert_eq!(grams, ["l", "le", "e", "ed", "d", "d灯", "灯", "a"]);
    }

    #[test]
    fn vectors_are_unit_and_skip_rare_grams() {
        let titles = ["一种光伏组件", "光伏组件生产线", "一种生产线"];
        let lexicon = IpcLexicon::fit(titles.iter().copied(), 2, 2);
        // 光伏 appears twice, 线 twice; 组件生 never counted (n ≤ 2).
        assert!(lexicon.index.contains_key("光伏"));
        assert!(!lexicon.index.contains_key("伏组件"));
        let v = lexicon.vectorize("光伏生产线");
        let norm: f32 = v.iter().map(|(_, w)| w * w).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!(v.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(lexicon.vectorize("与众不同").is_empty());
    }
}
