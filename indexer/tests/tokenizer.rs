//! The jieba tokenizer and the query builder against a real tantivy index.
#![allow(clippy::unwrap_used)]

use patmatch_indexer::{
    register_tokenizer, Error, QueryBuilder, QuerySyntax, Segmenter, TOKENIZER_NAME,
};
use tantivy::collector::TopDocs;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED,
};
use tantivy::{doc, Index, TantivyDocument};

/// A RAM index of (title, body) listings, searched with a title boost of 2.
struct Listings {
    index: Index,
    title: Field,
    builder: QueryBuilder,
}

impl Listings {
    fn new(listings: &[(&str, &str)]) -> Self {
        Self::with_boosts(listings, 2.0, 1.0)
    }

    fn with_boosts(listings: &[(&str, &str)], title_boost: f32, body_boost: f32) -> Self {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing) | STORED;
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", options.clone());
        let body = schema.add_text_field("body", options);
        let index = Index::create_in_ram(schema.build());
        let segmenter = Segmenter::new();
        register_tokenizer(&index, &segmenter);

        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (t, b) in listings {
            writer.add_document(doc!(title => *t, body => *b)).unwrap();
        }
        writer.commit().unwrap();
        let builder = QueryBuilder::new(segmenter, vec![(title, title_boost), (body, body_boost)]);
        Listings {
            index,
            title,
            builder,
        }
    }

    /// Titles of the matches, best first.
    fn search(&self, query: &str) -> Vec<String> {
        let plan = self.builder.build(query).unwrap();
        let searcher = self.index.reader().unwrap().searcher();
        let hits = searcher
            .search(&plan.query, &TopDocs::with_limit(10).order_by_score())
            .unwrap();
        hits.into_iter()
            .map(|(_, address)| {
                let doc: TantivyDocument = searcher.doc(address).unwrap();
                doc.get_first(self.title)
                    .and_then(|v| v.as_str())
                    .unwrap()
                    .to_string()
            })
            .collect()
    }
}

#[test]
fn inner_word_finds_the_long_word() {
    // jieba cuts 农业发展银行 as one word; 农业 is found as a word inside it.
    let listings = Listings::new(&[("中国农业发展银行信贷管理系统", ""), ("一种灌溉装置", "")]);
    assert_eq!(listings.search("农业"), ["中国农业发展银行信贷管理系统"]);
    assert_eq!(listings.search("银行"), ["中国农业发展银行信贷管理系统"]);
}

#[test]
fn chu_li_finds_dai_chu_li() {
    let listings = Listings::new(&[("一种待处理文件的分发方法", ""), ("一种文件分发方法", "")]);
    assert_eq!(listings.search("处理"), ["一种待处理文件的分发方法"]);
}

#[test]
fn quoted_phrase_needs_the_chars_together() {
    let listings = Listings::new(&[
        ("中国农业发展银行的信贷系统", ""),
        ("农业机械", "论农业机械行业的发展趋势"),
    ]);
    assert_eq!(
        listings.search("\"农业发展\""),
        ["中国农业发展银行的信贷系统"]
    );
    // Not a word of either text, yet a substring of the first.
    assert_eq!(
        listings.search("“发展银行”"),
        ["中国农业发展银行的信贷系统"]
    );
    let mut loose = listings.search("农业 发展");
    loose.sort();
    assert_eq!(loose, ["中国农业发展银行的信贷系统", "农业机械"]);
}

#[test]
fn phrase_must_match_and_loose_terms_only_rank() {
    let listings = Listings::new(&[
        ("中国农业发展银行", "信贷"),
        ("农业发展基金", "灌溉"),
        ("灌溉水泵", "水泵"),
    ]);
    let found = listings.search("灌溉 「农业发展」");
    assert_eq!(found, ["农业发展基金", "中国农业发展银行"]);
}

#[test]
fn letter_digit_terms_match_in_any_width_and_case() {
    let listings = Listings::new(&[
        ("一种5G通讯电缆故障监控系统", ""),
        ("PM2.5检测仪", ""),
        ("LED路灯", ""),
        ("IP67防水接头", ""),
        ("支持4G/5G的通信模块", ""),
        ("普通电缆", "用于室内布线"),
    ]);
    let mut g5 = listings.search("5g");
    g5.sort();
    assert_eq!(g5, ["一种5G通讯电缆故障监控系统", "支持4G/5G的通信模块"]);
    assert_eq!(listings.search("PM2.5"), ["PM2.5检测仪"]);
    assert_eq!(listings.search("ＬＥＤ"), ["LED路灯"]);
    assert_eq!(listings.search("ip67"), ["IP67防水接头"]);
}

#[test]
fn sentence_query_matches_some_of_its_words() {
    let listings = Listings::new(&[
        ("物联网灌溉装置", "通过传感器采集土壤湿度"),
        ("一种汽车座椅", "包括靠背和坐垫"),
    ]);
    let query = "一种基于物联网的智能灌溉控制系统";
    let plan = listings.builder.build(query).unwrap();
    assert!(plan.phrases.is_empty());
    assert!(plan.terms.len() > 3, "{:?}", plan.terms);
    // The listing contains neither the sentence nor most of its words.
    assert_eq!(listings.search(query), ["物联网灌溉装置"]);
}

#[test]
fn boilerplate_query_is_an_error() {
    let listings = Listings::new(&[("本发明公开了一种灌溉装置", "")]);
    for query in ["本发明公开了一种", "其特征在于，所述", "“”"] {
        match listings.builder.build(query) {
            Err(Error::Query(message)) => assert!(!message.is_empty()),
            other => panic!("{query}: {other:?}"),
        }
    }
}

#[test]
fn plain_syntax_reads_quotes_as_punctuation() {
    let listings = Listings::new(&[("物联网灌溉装置", ""), ("糖平台发酵工艺", "")]);
    // as an operator the quoted phrase must match, and nothing has it
    assert!(listings.search("“糖平台转化蛋白质”").is_empty());
    // in prose the quoted words are loose terms
    let plan = listings
        .builder
        .build_with("“糖平台转化蛋白质”", QuerySyntax::Plain)
        .unwrap();
    assert!(plan.phrases.is_empty());
    assert!(
        plan.terms.iter().any(|t| t.contains("平台")),
        "{:?}",
        plan.terms
    );
    // an unclosed quote is prose under either syntax
    assert_eq!(listings.search("“灌溉"), ["物联网灌溉装置"]);
}

#[test]
fn boilerplate_alone_matches_nothing_as_a_word() {
    // 特征 occurs only inside the claim formula 其特征在于, so it is not
    // indexed as a word of the first listing.
    let listings = Listings::new(&[
        ("一种水泵", "其特征在于，所述叶轮为铜制"),
        ("图像识别方法", "提取图像特征"),
    ]);
    assert_eq!(listings.search("特征"), ["图像识别方法"]);
}

#[test]
fn more_terms_in_title_rank_higher() {
    let listings = Listings::new(&[
        ("灌溉水管", "适用于农田"),
        ("智能灌溉控制系统", "适用于农田"),
    ]);
    assert_eq!(
        listings.search("智能灌溉控制系统"),
        ["智能灌溉控制系统", "灌溉水管"]
    );
}

#[test]
fn title_boost_outranks_body() {
    let listings = Listings::with_boosts(
        &[("一种水泵结构", "灌溉水泵"), ("灌溉水泵", "一种水泵结构")],
        3.0,
        1.0,
    );
    assert_eq!(listings.search("灌溉"), ["灌溉水泵", "一种水泵结构"]);
}

#[test]
fn a_repeated_query_term_weighs_more() {
    let listings = Listings::new(&[("废旧电池处理", ""), ("塑料回收处理", "")]);
    assert_eq!(listings.search("电池 回收 电池 电池")[0], "废旧电池处理");
    assert_eq!(listings.search("回收 电池 回收 回收")[0], "塑料回收处理");
}
