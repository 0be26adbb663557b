//! Hostile queries (issue 9): whatever a user types into the search box —
//! quotes of every kind, unbalanced quotes, `+`/`-`, colons, brackets, very
//! long words, control characters, emoji — the query builder answers a
//! query that runs, or a `Query` error; it never panics. The segmenter that
//! cuts both queries and listings never panics either, and its tokens point
//! into the text they came from.
//!
//! No model is needed: queries are built by the same [`QueryBuilder`] the
//! snapshot uses (`Snapshot::text_search_with` builds with it, then adds
//! the filter), and run against a small in-memory tantivy index with the
//! jieba tokenizer. Case counts are bounded so the file runs in seconds.

use patmatch_indexer::{
    register_tokenizer, Error, QueryBuilder, QuerySyntax, Segmenter, TOKENIZER_NAME,
};
use proptest::prelude::*;
use std::sync::OnceLock;
use tantivy::collector::TopDocs;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED, STRING,
};
use tantivy::{doc, Index, IndexReader, TantivyDocument};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Listings' text, so that some generated queries match something.
const DOCS: &[(&str, &str)] = &[
    (
        "一种锂离子电池正极材料及其制备方法",
        "本发明公开了一种锂离子电池正极材料，涉及电池回收与梯次利用。",
    ),
    (
        "智能灌溉控制系统",
        "基于5G与Wi-Fi的农业灌溉装置，检测PM2.5浓度，支持ＬＥＤ显示。",
    ),
    (
        "中国农业发展银行风控模型",
        "用于\"糖平台\"的信用评估方法，4G/5G通信，GB/T 2828标准。",
    ),
];

struct Fixture {
    index: Index,
    reader: IndexReader,
    builder: QueryBuilder,
    segmenter: Segmenter,
}

fn text_options() -> TextOptions {
    TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored()
}

/// An index of `docs` in memory, with the fields a query searches.
fn index_of(
    segmenter: &Segmenter,
    docs: &[(&str, &str)],
) -> tantivy::Result<(Index, IndexReader, QueryBuilder)> {
    let mut schema = Schema::builder();
    let id = schema.add_text_field("id", STRING | STORED);
    let title = schema.add_text_field("title", text_options());
    let body = schema.add_text_field("abstract", text_options());
    let index = Index::create_in_ram(schema.build());
    register_tokenizer(&index, segmenter);
    let mut writer = index.writer::<TantivyDocument>(15_000_000)?;
    for (i, (t, b)) in docs.iter().enumerate() {
        writer.add_document(doc!(id => format!("l{i}"), title => *t, body => *b))?;
    }
    writer.commit()?;
    let reader = index.reader()?;
    let fields: Vec<(Field, f32)> = vec![(title, 2.0), (body, 1.0)];
    Ok((index, reader, QueryBuilder::new(segmenter.clone(), fields)))
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let segmenter = Segmenter::new();
        let (index, reader, builder) =
            index_of(&segmenter, DOCS).expect("the fixture index builds");
        Fixture {
            index,
            reader,
            builder,
            segmenter,
        }
    })
}

/// Builds `text` with `syntax` and, when that succeeds, runs the query.
/// Fails the case unless the answer is hits or a `Query` error.
fn build_and_run(
    builder: &QueryBuilder,
    reader: &IndexReader,
    text: &str,
    syntax: QuerySyntax,
) -> Result<(), TestCaseError> {
    match builder.build_with(text, syntax) {
        Ok(plan) => {
            prop_assert!(
                !plan.terms.is_empty() || !plan.phrases.is_empty(),
                "a plan with nothing to search for, from {text:?}"
            );
            let searcher = reader.searcher();
            let hits = searcher
                .search(&plan.query, &TopDocs::with_limit(10).order_by_score())
                .map_err(|e| TestCaseError::fail(format!("{text:?}: search failed: {e}")))?;
            for (score, _) in hits {
                prop_assert!(score.is_finite(), "score {score} for {text:?}");
            }
            Ok(())
        }
        Err(Error::Query(message)) => {
            prop_assert!(!message.is_empty());
            Ok(())
        }
        Err(other) => Err(TestCaseError::fail(format!(
            "{text:?} ({syntax:?}): not a query error: {other:?}"
        ))),
    }
}

/// The pieces of a hostile query.
const PIECES: &[&str] = &[
    "\"",
    "\"",
    "“",
    "”",
    "「",
    "」",
    "『",
    "』",
    "'",
    "‘",
    "’",
    "+",
    "-",
    "+\"",
    "-\"",
    ":",
    "title:",
    "abstract:",
    "id:l0",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "[1 TO 5]",
    "^2",
    "~",
    "~2",
    "*",
    "?",
    "\\",
    "/",
    "AND",
    "OR",
    "NOT",
    "&&",
    "||",
    "!",
    ".",
    "-.",
    "_",
    "&",
    "%",
    "#",
    "电池",
    "锂离子",
    "正极材料",
    "灌溉",
    "农业发展银行",
    "糖平台",
    "5G",
    "4G/5G",
    "PM2.5",
    "Wi-Fi",
    "ＬＥＤ",
    "GB/T",
    "本发明",
    "公开了",
    "一种",
    "的",
    "了",
    "和",
    "与",
    "。",
    "，",
    " ",
    "\u{3000}",
    "\t",
    "\n",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(PIECES).prop_map(str::to_string),
        1 => "[a-zA-Z0-9]{200,2000}",
        1 => "[一-龥]{50,400}",
        1 => "[a-z0-9.\\-_/+&]{1,40}",
        1 => "[\\x00-\\x1f\\x7f\u{0085}\u{200B}\u{2028}\u{FEFF}]{1,3}",
        1 => "[\u{1F300}-\u{1FAFF}\u{200D}\u{FE0F}]{1,4}",
        1 => "[０-９Ａ-Ｚａ-ｚ＂＋－：（）［］　]{1,8}",
        1 => "[İıẞßǅ\u{0301}\u{0345}]{1,4}",
        2 => any::<String>(),
    ]
}

fn query() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..12).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn any_query_builds_and_runs_or_is_a_query_error(text in query()) {
        let f = fixture();
        for syntax in [QuerySyntax::Operators, QuerySyntax::Plain] {
            build_and_run(&f.builder, &f.reader, &text, syntax)?;
        }
    }

    #[test]
    fn arbitrary_strings_build_and_run_or_are_query_errors(text in any::<String>()) {
        let f = fixture();
        for syntax in [QuerySyntax::Operators, QuerySyntax::Plain] {
            build_and_run(&f.builder, &f.reader, &text, syntax)?;
        }
    }

    #[test]
    fn segmenter_tokens_point_into_the_text(text in query()) {
        let f = fixture();
        for token in f.segmenter.index_tokens(&text) {
            prop_assert!(!token.text.is_empty(), "{token:?}");
            prop_assert!(token.offset_from < token.offset_to, "{token:?}");
            prop_assert!(text.get(token.offset_from..token.offset_to).is_some(), "{token:?} in {text:?}");
        }
        let chain = f.segmenter.phrase_terms(&text);
        if let Some((first, _)) = chain.first() {
            prop_assert_eq!(*first, 0);
        }
        prop_assert!(chain.windows(2).all(|w| w[0].0 <= w[1].0), "{chain:?}");
        let terms = f.segmenter.query_terms(&text);
        prop_assert!(terms.iter().all(|t| !t.is_empty()), "{terms:?}");
    }
}

proptest! {
    // Each case builds an index of its own: fewer cases.
    #![proptest_config(config(64))]

    #[test]
    fn hostile_listing_text_indexes_and_searches(
        title in query(),
        body in query(),
        text in query(),
    ) {
        // Listings come through the API too: their text is as hostile as a
        // query, and is cut by the same segmenter when indexed.
        let f = fixture();
        let (_index, reader, builder) = index_of(&f.segmenter, &[(&title, &body)])
            .map_err(|e| TestCaseError::fail(format!("indexing failed: {e}")))?;
        for syntax in [QuerySyntax::Operators, QuerySyntax::Plain] {
            build_and_run(&builder, &reader, &text, syntax)?;
            build_and_run(&builder, &reader, &title, syntax)?;
        }
    }
}

#[test]
fn unbalanced_and_operator_queries_are_answered() {
    let f = fixture();
    for text in [
        "\"",
        "“",
        "「电池",
        "电池”",
        "\"\"",
        "“”",
        "+",
        "-",
        "+-",
        "--电池",
        "+\"锂离子",
        "title:",
        ":",
        "[",
        "]]",
        "(电池",
        "电池)",
        "\\",
        "^",
        "~",
        "*",
        "AND",
        "NOT 电池",
    ] {
        for syntax in [QuerySyntax::Operators, QuerySyntax::Plain] {
            build_and_run(&f.builder, &f.reader, text, syntax)
                .unwrap_or_else(|e| panic!("{text:?}: {e}"));
        }
    }
    // The fixture is searchable at all: a plain word finds its listing.
    let plan = f
        .builder
        .build("锂离子电池")
        .unwrap_or_else(|e| panic!("{e}"));
    let hits = f
        .reader
        .searcher()
        .search(&plan.query, &TopDocs::with_limit(3).order_by_score())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!hits.is_empty());
    assert_eq!(f.index.schema().fields().count(), 3);
}
