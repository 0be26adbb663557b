//! Synthetic listings for scale tests, made from the real corpus.
//!
//! Every record is labelled: id `syn-…`, source `synthetic`, attribute
//! `synthetic = true`. Texts recombine real titles and real abstract
//! sentences; vectors mix two real passage embeddings and a little noise,
//! because embedding a million texts would take about a day here. The
//! vectors go straight into the embedding cache under the passage text's
//! hash, so an ordinary index build finds every one of them and embeds
//! nothing.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use corpus::{Batch, Listing, SqliteStore, Store};
use indexer::{passage_text, EmbeddingCache, TextHash};
use std::collections::BTreeMap;

/// The source every synthetic listing carries.
pub const SOURCE: &str = "synthetic";

/// Listings written per store transaction and cache write.
const CHUNK: usize = 10_000;

/// A small, seedable generator (SplitMix64): the same seed gives the same
/// corpus, and nothing here needs cryptographic randomness.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.unit().max(f64::MIN_POSITIVE);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// The real material synthetic listings are made of.
#[derive(Debug)]
pub struct Seed {
    pub listings: Vec<Listing>,
    /// Each listing's passage vector, in the same order.
    pub vectors: Vec<Vec<f32>>,
    sentences: Vec<String>,
}

impl Seed {
    /// `listings` with their passage vectors (listings without one are
    /// dropped).
    pub fn new(listings: Vec<Listing>, vector_of: impl Fn(&str) -> Option<Vec<f32>>) -> Self {
        let (listings, vectors): (Vec<_>, Vec<_>) = listings
            .into_iter()
            .filter_map(|l| vector_of(&l.id).map(|v| (l, v)))
            .unzip();
        let sentences = listings
            .iter()
            .flat_map(|l| {
                l.patent
                    .abstract_text
                    .split_inclusive(['。', '；', '！', '？'])
                    .map(str::trim)
                    .filter(|s| s.chars().count() >= 8)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        Self {
            listings,
            vectors,
            sentences,
        }
    }

    /// Listing `i` of the synthetic corpus of `seed`: deterministic in
    /// (`seed`, `i`), so a corpus can be made in chunks.
    pub fn listing(&self, seed: u64, i: usize) -> (Listing, Vec<f32>) {
        let mut rng = Rng::new(seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407));
        let n = self.listings.len();
        let (a, b, c) = (rng.below(n), rng.below(n), rng.below(n));
        let (first, second) = (&self.listings[a], &self.listings[b]);
        let title = recombine(&first.patent.title, &second.patent.title);
        let sentences = 2 + rng.below(4);
        let abstract_text: String = (0..sentences)
            .map(|_| self.sentences[rng.below(self.sentences.len())].as_str())
            .collect();
        let mut listing = first.clone();
        listing.id = format!("syn-{i:07}");
        listing.source = SOURCE.into();
        listing.patent.title = title;
        listing.patent.abstract_text = abstract_text;
        listing.patent.claims = None;
        listing.declaration = self.listings[c].declaration.clone();
        let day = NaiveDate::from_ymd_opt(2019, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(rng.below(2_800) as u64)));
        listing.declaration.announced_on = day;
        listing.attributes = BTreeMap::from([("synthetic".to_string(), "true".to_string())]);
        let vector = mix(&self.vectors[a], &self.vectors[b], &mut rng);
        (listing, vector)
    }

    /// Writes synthetic listings `0..n` and their vectors to `to`.
    /// `progress(done)` is called after each chunk.
    pub fn write(
        &self,
        seed: u64,
        n: usize,
        to: Destination<'_>,
        progress: &dyn Fn(usize),
    ) -> Result<()> {
        let Destination {
            store,
            cache,
            model_id,
            passage_chars,
        } = to;
        for start in (0..n).step_by(CHUNK) {
            let end = (start + CHUNK).min(n);
            let made: Vec<(Listing, Vec<f32>)> =
                (start..end).map(|i| self.listing(seed, i)).collect();
            let hashes: Vec<TextHash> = made
                .iter()
                .map(|(l, _)| TextHash::of(&passage_text(l, passage_chars)))
                .collect();
            let items: Vec<(TextHash, &[f32])> = hashes
                .iter()
                .zip(&made)
                .map(|(h, (_, v))| (*h, v.as_slice()))
                .collect();
            cache
                .put_many(model_id, &items)
                .context("caching vectors")?;
            let batch = Batch {
                listings: made.into_iter().map(|(l, _)| l).collect(),
                profiles: Vec::new(),
            };
            store.write_batch(&batch).context("writing listings")?;
            progress(end);
        }
        Ok(())
    }
}

/// Where synthetic listings go: the store, and the embedding cache under
/// the model's id, keyed by passages of `passage_chars` as the index cuts
/// them.
#[derive(Debug)]
pub struct Destination<'a> {
    pub store: &'a mut SqliteStore,
    pub cache: &'a mut EmbeddingCache,
    pub model_id: &'a str,
    pub passage_chars: usize,
}

/// The first half of one title and the second half of another, so that
/// titles recur in parts, as real ones do, but rarely whole.
fn recombine(first: &str, second: &str) -> String {
    let a: Vec<char> = first.chars().collect();
    let b: Vec<char> = second.chars().collect();
    let mut title: String = a[..a.len().div_ceil(2)].iter().collect();
    title.extend(&b[b.len() / 2..]);
    title
}

/// 0.7 of one real vector, 0.3 of another and Gaussian noise of norm about
/// 0.1, normalised: near its parents, as a paraphrase would be.
fn mix(a: &[f32], b: &[f32], rng: &mut Rng) -> Vec<f32> {
    let scale = 0.1 / (a.len() as f64).sqrt();
    let mut v: Vec<f32> = a
        .iter()
        .zip(b)
        .map(|(x, y)| 0.7 * x + 0.3 * y + (scale * rng.normal()) as f32)
        .collect();
    let norm = v
        .iter()
        .map(|x| x * x)
        .sum::<f32>()
        .sqrt()
        .max(f32::EPSILON);
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recombined_titles_take_a_half_of_each() {
        assert_eq!(
            recombine("一种电池材料", "无人机巡检系统"),
            "一种电巡检系统"
        );
    }

    #[test]
    fn mixed_vectors_are_unit_length_and_near_their_first_parent() {
        let mut rng = Rng::new(7);
        let a: Vec<f32> = (0..384).map(|i| ((i % 7) as f32 - 3.0) / 40.0).collect();
        let norm = a.iter().map(|x| x * x).sum::<f32>().sqrt();
        let a: Vec<f32> = a.iter().map(|x| x / norm).collect();
        let b: Vec<f32> = a.iter().rev().copied().collect();
        let v = mix(&a, &b, &mut rng);
        let len = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((len - 1.0).abs() < 1e-4);
        let cos_a: f32 = v.iter().zip(&a).map(|(x, y)| x * y).sum();
        let cos_b: f32 = v.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!(cos_a > cos_b && cos_a > 0.8, "{cos_a} {cos_b}");
    }

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let (mut x, mut y) = (Rng::new(42), Rng::new(42));
        assert_eq!(
            (0..5).map(|_| x.next_u64()).collect::<Vec<_>>(),
            (0..5).map(|_| y.next_u64()).collect::<Vec<_>>()
        );
        let mut z = Rng::new(1);
        let mean = (0..10_000).map(|_| z.normal()).sum::<f64>() / 10_000.0;
        assert!(mean.abs() < 0.05, "{mean}");
    }
}
