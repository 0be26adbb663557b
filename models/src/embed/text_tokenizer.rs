//! The XLM-R unigram tokenizer, loaded so that user text can never produce a
//! special token.

use crate::{Error, Result};
use std::path::Path;
use tokenizers::Tokenizer;

/// `<s>`: opens every window.
pub(crate) const BOS_ID: u32 = 0;
/// `<pad>`: fills short rows of a batch (masked out of attention and pooling).
pub(crate) const PAD_ID: u32 = 1;
/// `</s>`: closes every window.
pub(crate) const EOS_ID: u32 = 2;

/// The pieces that mean something to the model rather than text, with their
/// ids in the XLM-R vocabulary.
const SPECIAL_PIECES: [(u32, &str); 5] = [
    (0, "<s>"),
    (1, "<pad>"),
    (2, "</s>"),
    (3, "<unk>"),
    (250_001, "<mask>"),
];

/// Metaspace (U+2581), the marker the pre-tokenizer puts where spaces were.
const METASPACE: char = '\u{2581}';

/// Turns text into XLM-R piece ids, without `<s>`/`</s>` (windowing adds
/// them per window).
///
/// Typed special-token strings are neutralised at load time rather than by
/// escaping input: escaping would have to happen after Unicode normalisation
/// (full-width `＜mask＞` normalises to `<mask>`), which the tokenizers crate
/// does internally. Two things make a literal `<mask>` a special id in the
/// stock tokenizer, and both are removed:
/// 1. the added-token list, which splits special strings out of raw input
///    before anything else runs — dropped;
/// 2. the unigram vocabulary itself, which holds `<s>`, `<mask>`… as ordinary
///    pieces with score 0 (the best score there is), so Viterbi would pick
///    them from text — renamed to `<mask>▁`. The Metaspace pre-tokenizer
///    splits words *before* every `▁`, so a `▁` can only start a word and a
///    piece with `▁` after its first character can never match. The ids do
///    not move, so the model's embedding rows stay aligned.
#[derive(Debug)]
pub struct TextTokenizer {
    inner: Tokenizer,
}

impl TextTokenizer {
    /// Loads an HF `tokenizer.json` for the XLM-R unigram vocabulary.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let mut json: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| bad(path, format!("not JSON: {e}")))?;
        drop(bytes);
        neutralise_specials(&mut json).map_err(|reason| bad(path, reason))?;
        let inner: Tokenizer = serde_json::from_value(json)
            .map_err(|e| bad(path, format!("not a tokenizers file: {e}")))?;
        Ok(Self { inner })
    }

    /// Piece ids for `text` exactly as written (callers add the e5 prefix),
    /// without `<s>`/`</s>`. Never contains a special id other than `<unk>`
    /// for characters outside the vocabulary.
    pub fn content_ids(&self, text: &str) -> Result<Vec<u32>> {
        let encoding = self
            .inner
            .encode_fast(text, false)
            .map_err(|e| Error::Tokenizer(format!("cannot tokenise {:?}: {e}", preview(text))))?;
        Ok(encoding.get_ids().to_vec())
    }

    /// The ids of `<s>`, `<pad>`, `</s>`, `<unk>` and `<mask>`.
    pub fn special_ids() -> [u32; 5] {
        SPECIAL_PIECES.map(|(id, _)| id)
    }
}

/// Rewrites the parsed tokenizer.json in place; see [`TextTokenizer`] for why.
fn neutralise_specials(json: &mut serde_json::Value) -> Result<(), String> {
    let root = json.as_object_mut().ok_or("top level is not an object")?;
    // Nothing may split special strings out of raw text.
    root.insert("added_tokens".into(), serde_json::Value::Array(Vec::new()));
    // The template would refer to `<s>` by a name that no longer exists; we
    // add `<s>`/`</s>` ourselves per window.
    root.insert("post_processor".into(), serde_json::Value::Null);

    // The renaming below is only unreachable if words are split at every `▁`;
    // say so explicitly instead of relying on the crate's default.
    let pre = root
        .get_mut("pre_tokenizer")
        .and_then(|p| p.as_object_mut())
        .ok_or("no pre_tokenizer")?;
    if pre.get("type").and_then(|t| t.as_str()) != Some("Metaspace") {
        return Err("pre_tokenizer is not Metaspace; expected the XLM-R tokenizer".into());
    }
    pre.insert("split".into(), serde_json::Value::Bool(true));

    let model = root
        .get_mut("model")
        .and_then(|m| m.as_object_mut())
        .ok_or("no model")?;
    if model.get("type").and_then(|t| t.as_str()) != Some("Unigram") {
        return Err("model is not Unigram; expected the XLM-R tokenizer".into());
    }
    let vocab = model
        .get_mut("vocab")
        .and_then(|v| v.as_array_mut())
        .ok_or("model has no vocab array")?;
    for (id, piece) in SPECIAL_PIECES {
        let entry = vocab
            .get_mut(id as usize)
            .and_then(|e| e.as_array_mut())
            .and_then(|e| e.first_mut())
            .ok_or_else(|| format!("vocab has no entry {id} for {piece}"))?;
        if entry.as_str() != Some(piece) {
            return Err(format!(
                "vocab entry {id} is {entry}, expected {piece}; not the XLM-R vocabulary"
            ));
        }
        *entry = serde_json::Value::String(format!("{piece}{METASPACE}"));
    }
    Ok(())
}

fn bad(path: &Path, reason: String) -> Error {
    Error::BadFile {
        path: path.to_path_buf(),
        reason,
    }
}

/// The start of a text, for error messages that must not dump a whole patent.
pub(crate) fn preview(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    let mut out: String = text.chars().take(MAX_CHARS).collect();
    if text.chars().nth(MAX_CHARS).is_some() {
        out.push('…');
    }
    out
}
