//! Turning what a user typed into a tantivy query.

use super::normalize::Normalized;
use super::Segmenter;
use crate::{Error, Result};
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

/// Builds queries from natural-language text over fields indexed with
/// [`JiebaTokenizer`](super::JiebaTokenizer).
///
/// Loose text is a bag of terms, any of which may match: a user describing
/// a need in a sentence does not expect a listing to contain that sentence.
/// tantivy's own `QueryParser` turns an unbroken Chinese run into one
/// phrase (tantivy issue #2472), so a sentence would match only where it
/// appears verbatim. Only quoted text is a phrase, and it must match.
#[derive(Clone, Debug)]
pub struct QueryBuilder {
    segmenter: Segmenter,
    fields: Vec<(Field, f32)>,
}

/// How a query's text is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QuerySyntax {
    /// Typed into a search box: quoted text is a phrase that must match.
    #[default]
    Operators,
    /// Prose such as a demand statement or a profile: quotes there mark
    /// emphasis or names (“糖平台”), not a requirement, so they are read as
    /// punctuation and the quoted words join the loose terms.
    Plain,
}

/// A query and what it was built from.
#[derive(Debug)]
pub struct QueryPlan {
    pub query: Box<dyn Query>,
    /// The loose terms searched, to explain which of them a result matched.
    pub terms: Vec<String>,
    /// The quoted phrases, folded as they are matched.
    pub phrases: Vec<String>,
}

/// How much of the best-matching field's score each other field adds: a
/// term found in both title and body counts a little more than in one,
/// without the body's repetitions swamping the title.
pub(crate) const TIE_BREAKER: f32 = 0.1;

impl QueryBuilder {
    /// `fields`: each field to search with its boost. All must be text
    /// fields indexed with [`TOKENIZER_NAME`](super::TOKENIZER_NAME) and
    /// `WithFreqsAndPositions` (phrases need positions).
    pub fn new(segmenter: Segmenter, fields: Vec<(Field, f32)>) -> Self {
        QueryBuilder { segmenter, fields }
    }

    /// The query for `text`: every loose term as a `Should` clause, every
    /// phrase in `"…"`, `“…”`, `「…」` or `『…』` as a `Must` clause, each
    /// searched in all fields, the best field counting.
    ///
    /// An unclosed quote is read as prose, not as an error: pasted demand
    /// texts carry stray quotes (one in the dev set does). Fails on an
    /// empty query, or one with nothing left to search once boilerplate,
    /// function words and punctuation are gone.
    pub fn build(&self, text: &str) -> Result<QueryPlan> {
        self.build_with(text, QuerySyntax::Operators)
    }

    /// As [`build`](Self::build), reading `text` with `syntax`.
    pub fn build_with(&self, text: &str, syntax: QuerySyntax) -> Result<QueryPlan> {
        if text.trim().is_empty() {
            return Err(Error::Query("empty query".into()));
        }
        if self.fields.is_empty() {
            return Err(Error::Query("no fields to search".into()));
        }
        let (counted, quoted) = self.read(text, syntax);

        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (term, count) in &counted {
            let query = self.each_field(|field| Box::new(term_query(field, term)));
            clauses.push((Occur::Should, weigh(query, *count)));
        }
        let terms = counted.into_iter().map(|(term, _)| term).collect();
        let mut phrases = Vec::new();
        for phrase in quoted {
            let chain = self.segmenter.phrase_terms(&phrase);
            if chain.is_empty() {
                continue;
            }
            let query = self.each_field(|field| phrase_query(field, &chain));
            clauses.push((Occur::Must, query));
            phrases.push(phrase.trim().to_string());
        }
        if clauses.is_empty() {
            return Err(Error::Query(format!(
                "nothing to search for in {text:?}: only boilerplate, function words or punctuation"
            )));
        }
        Ok(QueryPlan {
            query: Box::new(BooleanQuery::new(clauses)),
            terms,
            phrases,
        })
    }

    /// The loose terms [`build_with`](Self::build_with) scores for `text`
    /// read as prose, each with how often the text uses it: empty, not an
    /// error, when nothing is left to search for.
    pub(crate) fn plain_terms(&self, text: &str) -> Vec<(String, usize)> {
        self.read(text, QuerySyntax::Plain).0
    }

    /// `text` read with `syntax`: its counted loose terms and its quoted
    /// phrases. One reading for building and for batch scoring, so the two
    /// can never cut a query differently.
    fn read(&self, text: &str, syntax: QuerySyntax) -> (Vec<(String, usize)>, Vec<String>) {
        let normalized = Normalized::new(text);
        let (loose, quoted) = match syntax {
            QuerySyntax::Operators => split_quotes(normalized.text()),
            QuerySyntax::Plain => (normalized.text().to_string(), Vec::new()),
        };
        (self.segmenter.counted_query_terms(&loose), quoted)
    }

    /// The fields searched, each with its boost.
    pub(crate) fn fields(&self) -> &[(Field, f32)] {
        &self.fields
    }

    /// The segmenter queries are cut with.
    pub(crate) fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// Each of `plan`'s loose terms, then each of its phrases, as a query
    /// in `field` alone and unboosted: a listing matches one exactly when
    /// that term or phrase counted for it in `field` under `plan.query`.
    pub(crate) fn each_term_in(&self, plan: &QueryPlan, field: Field) -> Vec<Box<dyn Query>> {
        let terms = plan
            .terms
            .iter()
            .map(|term| Box::new(term_query(field, term)) as Box<dyn Query>);
        let phrases = plan.phrases.iter().map(|phrase| {
            let chain = self.segmenter.phrase_terms(phrase);
            // A phrase is in a plan only when its chain is not empty, and
            // folding it again changes nothing.
            if chain.is_empty() {
                Box::new(EmptyQuery) as Box<dyn Query>
            } else {
                phrase_query(field, &chain)
            }
        });
        terms.chain(phrases).collect()
    }

    /// `query` in every field, boosted, the best field's score counting.
    fn each_field(&self, query: impl Fn(Field) -> Box<dyn Query>) -> Box<dyn Query> {
        let per_field = self
            .fields
            .iter()
            .map(|&(field, boost)| Box::new(BoostQuery::new(query(field), boost)) as Box<dyn Query>)
            .collect();
        Box::new(DisjunctionMaxQuery::with_tie_breaker(
            per_field,
            TIE_BREAKER,
        ))
    }
}

/// A term the query repeats weighs as often as it is repeated, as in
/// Okapi BM25 over the query's tokens.
fn weigh(query: Box<dyn Query>, count: usize) -> Box<dyn Query> {
    if count > 1 {
        Box::new(BoostQuery::new(query, count as f32))
    } else {
        query
    }
}

fn term_query(field: Field, text: &str) -> TermQuery {
    TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    )
}

/// `chain` (from [`Segmenter::phrase_terms`], not empty) as a query; a
/// single term is a term query, since tantivy's phrase query needs two.
fn phrase_query(field: Field, chain: &[(usize, String)]) -> Box<dyn Query> {
    match chain {
        [(_, only)] => Box::new(term_query(field, only)),
        _ => {
            let terms = chain
                .iter()
                .map(|(offset, text)| (*offset, Term::from_field_text(field, text)))
                .collect();
            Box::new(PhraseQuery::new_with_offset(terms))
        }
    }
}

/// The quote that closes `open`, if `open` opens a phrase. Chinese input
/// methods often pair `"` with `”`, so either closes either.
fn closers(open: char) -> Option<&'static [char]> {
    match open {
        '"' | '“' => Some(&['"', '”']),
        '「' => Some(&['」']),
        '『' => Some(&['』']),
        _ => None,
    }
}

/// Split `text` into its loose text (phrases replaced by a space, so words
/// on either side are not joined) and its quoted phrases.
fn split_quotes(text: &str) -> (String, Vec<String>) {
    let mut loose = String::with_capacity(text.len());
    let mut phrases = Vec::new();
    let mut chars = text.chars().enumerate();
    while let Some((_, c)) = chars.next() {
        let Some(close) = closers(c) else {
            loose.push(c);
            continue;
        };
        let mut phrase = String::new();
        let closed = chars.by_ref().any(|(_, c)| {
            let end = close.contains(&c);
            if !end {
                phrase.push(c);
            }
            end
        });
        if closed {
            phrases.push(phrase);
            loose.push(' ');
        } else {
            loose.push(' ');
            loose.push_str(&phrase);
        }
    }
    (loose, phrases)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, TEXT};

    fn builder() -> QueryBuilder {
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let body = schema.add_text_field("body", TEXT);
        QueryBuilder::new(Segmenter::new(), vec![(title, 2.0), (body, 1.0)])
    }

    #[test]
    fn splits_quotes_of_every_kind() {
        let (loose, phrases) = split_quotes("智能\"农业发展\"灌溉“银行”「a b」『c』”");
        assert_eq!(phrases, ["农业发展", "银行", "a b", "c"]);
        assert_eq!(loose, "智能 灌溉   ”");
        let (_, mixed) = split_quotes("“农业\"");
        assert_eq!(mixed, ["农业"]);
    }

    #[test]
    fn unclosed_quote_is_prose() {
        let (loose, phrases) = split_quotes("灌溉 \"农业 机械");
        assert_eq!(
            loose.split_whitespace().collect::<Vec<_>>(),
            ["灌溉", "农业", "机械"]
        );
        assert!(phrases.is_empty());
        let (loose, phrases) = split_quotes("“农业”「银行");
        assert_eq!(phrases, ["农业"]);
        assert_eq!(loose.trim(), "银行");
        assert!(builder().build("灌溉 \"农业").is_ok());
    }

    #[test]
    fn empty_and_boilerplate_queries_fail() {
        for text in ["", "  \u{3000}", "本发明公开了一种", "“，”", "的 了"] {
            assert!(
                matches!(builder().build(text), Err(Error::Query(_))),
                "{text:?}"
            );
        }
    }

    #[test]
    fn plan_lists_terms_and_folded_phrases() {
        let plan = builder().build("智能灌溉 “ＬＥＤ路灯”").unwrap();
        assert_eq!(plan.phrases, ["led路灯"]);
        assert!(plan.terms.contains(&"灌溉".to_string()), "{:?}", plan.terms);
        assert!(
            !plan.terms.iter().any(|t| t.contains("路灯")),
            "{:?}",
            plan.terms
        );
    }
}
