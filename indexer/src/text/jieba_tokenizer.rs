//! The segmenter as a tantivy tokenizer.

use super::Segmenter;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::Index;

/// Name under which [`JiebaTokenizer`] is registered in a tantivy `Index`.
pub const TOKENIZER_NAME: &str = "jieba";

/// Tokenizes with a [`Segmenter`], so that indexed text and queries built
/// by [`QueryBuilder`](super::QueryBuilder) are cut alike.
#[derive(Clone, Debug)]
pub struct JiebaTokenizer {
    segmenter: Segmenter,
}

impl JiebaTokenizer {
    pub fn new(segmenter: Segmenter) -> Self {
        JiebaTokenizer { segmenter }
    }
}

/// Registers a [`JiebaTokenizer`] over `segmenter` under [`TOKENIZER_NAME`].
///
/// tantivy does not store tokenizers with an index: this must be called on
/// every `Index` opened or created, before writing or searching it.
pub fn register_tokenizer(index: &Index, segmenter: &Segmenter) {
    index
        .tokenizers()
        .register(TOKENIZER_NAME, JiebaTokenizer::new(segmenter.clone()));
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream {
        JiebaTokenStream {
            tokens: self.segmenter.index_tokens(text),
            next: 0,
        }
    }
}

/// The tokens of one text, handed out in order.
#[derive(Debug)]
pub struct JiebaTokenStream {
    tokens: Vec<Token>,
    /// Index of the token after the current one.
    next: usize,
}

impl TokenStream for JiebaTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    /// # Panics
    /// Unless the last `advance` returned true; tantivy never asks then.
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::TextAnalyzer;

    #[test]
    fn streams_what_the_segmenter_cuts() {
        let segmenter = Segmenter::new();
        let text = "本实用新型公开了一种ＬＥＤ路灯，包括灯罩";
        let mut analyzer = TextAnalyzer::from(JiebaTokenizer::new(segmenter.clone()));
        let mut streamed = Vec::new();
        analyzer
            .token_stream(text)
            .process(&mut |t| streamed.push(t.clone()));
        assert_eq!(streamed, segmenter.index_tokens(text));
        assert!(streamed.iter().any(|t| t.text == "led"));

        // A second text does not see the first one's tokens.
        let mut again = Vec::new();
        analyzer
            .token_stream("灯罩")
            .process(&mut |t| again.push(t.text.clone()));
        assert_eq!(again, ["灯罩", "灯", "罩"]);
    }

    #[test]
    fn registers_under_its_name() {
        let index = Index::create_in_ram(tantivy::schema::Schema::builder().build());
        assert!(index.tokenizers().get(TOKENIZER_NAME).is_none());
        register_tokenizer(&index, &Segmenter::new());
        assert!(index.tokenizers().get(TOKENIZER_NAME).is_some());
    }
}
