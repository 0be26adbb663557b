//! What the ranker reads from a snapshot to show and explain a hit: the
//! stored listing cards and text explanations, on a real tantivy index cut
//! by the real jieba segmenter, built with the real model (five listings,
//! embedded once into the shared test cache).
#![allow(clippy::unwrap_used)]

mod common;

use chrono::NaiveDate;
use corpus::{
    ApplicationNumber, Batch, Declaration, FeeStandard, Holder, HolderKind, ImplementationMode,
    IpcCode, Listing, Patent, PatentKind, PaymentMethod, SqliteStore, Store, StoreConfig,
    YuanRange,
};
use patmatch_indexer::{
    build_index, BuildMode, Error, IndexConfig, QuerySyntax, Segmenter, Snapshot, TextExplanation,
};
use std::collections::BTreeMap;
use std::path::Path;

const IRRIGATION: &str = "explain-irrigation";
const BATTERY: &str = "explain-battery";
const STREETLAMP: &str = "explain-streetlamp";
const LONG: &str = "explain-long";
const DRONE: &str = "explain-drone";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[allow(clippy::too_many_arguments)]
fn listing(
    id: &str,
    title: &str,
    abstract_text: &str,
    claims: Option<&str>,
    holder: Option<(&str, HolderKind)>,
    modes: &[ImplementationMode],
    fee: FeeStandard,
    ipc: &[&str],
) -> Listing {
    Listing {
        id: id.into(),
        source: "test".into(),
        patent: Patent {
            title: title.into(),
            application_number: None,
            publication_number: None,
            abstract_text: abstract_text.into(),
            claims: claims.map(String::from),
            ipc: ipc
                .iter()
                .map(|code| IpcCode::parse(code).unwrap())
                .collect(),
            kind: PatentKind::Invention,
            application_date: None,
            publication_date: None,
            grant_date: None,
            inventors: Vec::new(),
        },
        holder: holder.map(|(name, kind)| Holder {
            name: name.into(),
            credit_code: None,
            kind: Some(kind),
        }),
        declaration: Declaration {
            modes: modes.iter().copied().collect(),
            modes_text: None,
            modes_unparsed: false,
            fee,
            announced_on: Some(day(2024, 1, 10)),
        },
        attributes: BTreeMap::new(),
    }
}

fn lump_sum(min: u64, max: u64) -> FeeStandard {
    FeeStandard {
        method: Some(PaymentMethod::LumpSum),
        amount: Some(YuanRange::new(min, max).unwrap()),
        royalty_percent: None,
        raw: Some(format!("一次性 {min}-{max} 元")),
        unparsed: false,
    }
}

fn listings() -> Vec<Listing> {
    let mut irrigation = listing(
        IRRIGATION,
        "一种基于物联网的智能灌溉控制系统",
        "本发明公开了一种农田节水装置，包括土壤湿度传感器、电磁阀和无线通信模块，\
         控制器根据湿度数据自动调节灌溉水量，减少农业用水。",
        Some("1.一种灌溉控制系统，其特征在于，包括土壤湿度传感器和电磁阀。"),
        Some(("浙江大学", HolderKind::University)),
        &[
            ImplementationMode::Transfer,
            ImplementationMode::OrdinaryLicence,
        ],
        lump_sum(50_000, 80_000),
        &["A01G 25/16", "G05B 19/042"],
    );
    irrigation.patent.application_number =
        Some(ApplicationNumber::parse("CN202223220665.2").unwrap());
    let long_abstract = format!(
        "{}最后，该装置采用石墨烯导热膜将热量传导至外壳。",
        "本实用新型涉及一种机柜结构，包括柜体、门板、导轨和安装支架，结构简单，便于维护和运输。"
            .repeat(8)
    );
    vec![
        irrigation,
        listing(
            BATTERY,
            "废旧锂电池正极材料的回收方法",
            "将废旧锂电池拆解、破碎后酸浸，回收钴、镍和锂，回收率高，环境污染小。",
            None,
            Some(("宁波某新能源科技有限公司", HolderKind::Enterprise)),
            &[ImplementationMode::ExclusiveLicence],
            FeeStandard::negotiable(),
            &["H01M 10/54"],
        ),
        listing(
            STREETLAMP,
            "一种LED路灯散热结构",
            "散热鳍片与灯壳一体成型，风道贯通，降低ＬＥＤ芯片结温，延长路灯寿命。",
            Some("1.一种LED路灯，其特征在于，包括散热鳍片。"),
            None,
            &[],
            FeeStandard::default(),
            &["F21V 29/76"],
        ),
        listing(
            LONG,
            "一种机柜",
            &long_abstract,
            None,
            Some(("杭州某机电有限公司", HolderKind::Enterprise)),
            &[ImplementationMode::Transfer],
            lump_sum(20_000, 20_000),
            &["H05K 7/20"],
        ),
        listing(
            DRONE,
            "植保无人机喷洒装置",
            "无人机搭载药箱和喷头，按航线对农田喷洒农药。",
            None,
            Some(("某农业科学院", HolderKind::Institute)),
            &[ImplementationMode::OpenLicence],
            lump_sum(1_000, 3_000),
            &["B64D 1/18"],
        ),
    ]
}

fn write(store: &mut SqliteStore, listings: &[Listing]) {
    store
        .write_batch(&Batch {
            listings: listings.to_vec(),
            profiles: Vec::new(),
        })
        .unwrap();
}

fn index_config(dir: &Path) -> IndexConfig {
    let mut config = IndexConfig::new(dir);
    config.embedding_cache = common::embedding_cache_path();
    config
}

/// A store holding [`listings`] and its index, built once per test.
fn built(dir: &Path) -> (SqliteStore, IndexConfig) {
    let mut store = SqliteStore::open(&StoreConfig::new(dir.join("patmatch.db"))).unwrap();
    write(&mut store, &listings());
    let config = index_config(&dir.join("index"));
    build_index(&store, &common::embedder(), &config, BuildMode::Auto, &()).unwrap();
    (store, config)
}

fn explain(snapshot: &Snapshot, id: &str, query: &str) -> TextExplanation {
    snapshot
        .explain(id, query, QuerySyntax::Plain)
        .unwrap()
        .unwrap_or_else(|| panic!("{id} not in the index"))
}

/// The fields `explanation` names for `term`, or none when it is absent.
fn fields_of<'a>(explanation: &'a TextExplanation, term: &str) -> Vec<&'a str> {
    explanation
        .matched
        .iter()
        .find(|m| m.term == term)
        .map(|m| m.fields.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn cards_carry_the_listing_and_follow_updates() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, config) = built(dir.path());
    let snapshot = Snapshot::open(&config).unwrap();

    let cards = snapshot
        .cards(&[BATTERY, "no-such-listing", IRRIGATION])
        .unwrap();
    assert_eq!(cards.len(), 3);
    assert!(cards[1].is_none(), "unknown id");
    let card = cards[2].as_ref().unwrap();
    assert_eq!(card.id, IRRIGATION);
    assert_eq!(card.title, "一种基于物联网的智能灌溉控制系统");
    assert_eq!(card.holder.as_deref(), Some("浙江大学"));
    assert_eq!(card.holder_kind, Some(HolderKind::University));
    assert_eq!(card.application_number.as_deref(), Some("CN202223220665.2"));
    assert_eq!(card.patent_kind, PatentKind::Invention);
    assert_eq!(
        card.modes,
        [
            ImplementationMode::Transfer,
            ImplementationMode::OrdinaryLicence
        ]
    );
    assert_eq!(
        card.ipc,
        [
            IpcCode::parse("A01G 25/16").unwrap(),
            IpcCode::parse("G05B 19/042").unwrap()
        ]
    );
    assert_eq!(card.fee, lump_sum(50_000, 80_000));
    assert_eq!((card.fee_min, card.fee_max), (Some(50_000), Some(80_000)));
    assert_eq!(card.announced, Some(day(2024, 1, 10)));
    assert_eq!(card.withdrawal_effective, None);
    assert!(!card.is_open_price());

    let negotiable = cards[0].as_ref().unwrap();
    assert_eq!(negotiable.fee.method, Some(PaymentMethod::Negotiable));
    assert_eq!((negotiable.fee_min, negotiable.fee_max), (None, None));
    assert!(negotiable.is_open_price());
    let unheld = snapshot.cards(&[STREETLAMP]).unwrap().remove(0).unwrap();
    assert_eq!((unheld.holder, unheld.holder_kind), (None, None));

    // The card is what every listing's document carries.
    let all: Vec<String> = snapshot.ids().map(String::from).collect();
    let ids: Vec<&str> = all.iter().map(String::as_str).collect();
    let cards = snapshot.cards(&ids).unwrap();
    assert!(cards
        .iter()
        .zip(&ids)
        .all(|(card, id)| card.as_ref().unwrap().id == *id));

    // New terms, announced after the six months, and a corrected title: the
    // update rewrites the listing, and its card is the new one.
    let mut changed = listings().remove(0);
    changed.patent.title = "一种基于物联网的智能灌溉控制系统（改进型）".into();
    changed.declaration.fee = lump_sum(30_000, 30_000);
    changed.declaration.modes = [ImplementationMode::OpenLicence].into_iter().collect();
    changed.declaration.announced_on = Some(day(2025, 3, 1));
    write(&mut store, &[changed]);
    let report = build_index(&store, &common::embedder(), &config, BuildMode::Auto, &()).unwrap();
    assert_eq!((report.parent, report.changed), (Some(1), 1), "{report:?}");

    let updated = Snapshot::open(&config).unwrap();
    let card = updated.cards(&[IRRIGATION]).unwrap().remove(0).unwrap();
    assert_eq!(card.title, "一种基于物联网的智能灌溉控制系统（改进型）");
    assert_eq!((card.fee_min, card.fee_max), (Some(30_000), Some(30_000)));
    assert_eq!(card.modes, [ImplementationMode::OpenLicence]);
    assert_eq!(card.announced, Some(day(2025, 3, 1)));
    let cards = updated.cards(&ids).unwrap();
    assert_eq!(cards.iter().flatten().count(), ids.len(), "one card per id");
    // The snapshot opened before the update still shows the old card.
    let old = snapshot.cards(&[IRRIGATION]).unwrap().remove(0).unwrap();
    assert_eq!(old.title, "一种基于物联网的智能灌溉控制系统");
}

#[test]
fn explanations_name_the_fields_each_term_occurs_in() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, config) = built(dir.path());
    let snapshot = Snapshot::open(&config).unwrap();

    let query = "智能灌溉 湿度 锂电池回收 浙江";
    let explanation = explain(&snapshot, IRRIGATION, query);
    assert_eq!(fields_of(&explanation, "智能"), ["title"]);
    assert_eq!(fields_of(&explanation, "湿度"), ["abstract", "claims"]);
    assert_eq!(
        fields_of(&explanation, "灌溉"),
        ["title", "abstract", "claims"]
    );
    assert_eq!(fields_of(&explanation, "浙江"), ["holder"]);
    for absent in ["锂电池", "电池", "回收"] {
        assert!(
            fields_of(&explanation, absent).is_empty(),
            "{absent} is not in the listing: {explanation:?}"
        );
    }

    // It agrees with the segmenter the index was built with, term by term.
    let listing = &listings()[0];
    let texts = [
        ("title", listing.patent.title.as_str()),
        ("abstract", listing.patent.abstract_text.as_str()),
        ("claims", listing.patent.claims.as_deref().unwrap()),
        ("holder", "浙江大学"),
    ];
    let segmenter = Segmenter::new();
    for term in segmenter.query_terms(query) {
        let expected: Vec<&str> = texts
            .iter()
            .filter(|(_, text)| segmenter.index_tokens(text).iter().any(|t| t.text == term))
            .map(|(field, _)| *field)
            .collect();
        assert_eq!(fields_of(&explanation, &term), expected, "{term}");
    }
    let named: Vec<&str> = explanation
        .matched
        .iter()
        .map(|m| m.term.as_str())
        .collect();
    let terms = segmenter.query_terms(query);
    assert!(named.iter().all(|n| terms.iter().any(|t| t == n)));

    // The battery listing has the other half of the query.
    let battery = explain(&snapshot, BATTERY, query);
    assert_eq!(fields_of(&battery, "锂电池"), ["title", "abstract"]);
    assert!(fields_of(&battery, "智能").is_empty());
    assert!(fields_of(&battery, "浙江").is_empty());

    // Unknown ids: none, alone or among others, in order.
    assert!(snapshot
        .explain("no-such-listing", query, QuerySyntax::Plain)
        .unwrap()
        .is_none());
    let many = snapshot
        .explain_many(
            &[BATTERY, "no-such-listing", IRRIGATION],
            query,
            QuerySyntax::Plain,
        )
        .unwrap();
    assert_eq!(many.len(), 3);
    assert_eq!(many[0].as_ref(), Some(&battery));
    assert!(many[1].is_none());
    assert_eq!(many[2].as_ref(), Some(&explanation));

    // A query with nothing to search fails as the search does.
    assert!(matches!(
        snapshot.explain(IRRIGATION, "本发明公开了一种", QuerySyntax::Plain),
        Err(Error::Query(_))
    ));
}

#[test]
fn phrases_count_only_where_they_occur() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, config) = built(dir.path());
    let snapshot = Snapshot::open(&config).unwrap();

    let explanation = snapshot
        .explain(IRRIGATION, "“湿度传感器” 智能", QuerySyntax::Operators)
        .unwrap()
        .unwrap();
    assert_eq!(
        fields_of(&explanation, "湿度传感器"),
        ["abstract", "claims"]
    );
    let snippet = explanation.snippet.unwrap();
    assert_eq!(snippet.field, "abstract");
    assert_eq!(snippet.highlighted(), ["湿度传感器"], "{snippet:?}");

    // Its chars are all in the listing, but not in this order.
    let scattered = snapshot
        .explain(IRRIGATION, "“传感湿度”", QuerySyntax::Operators)
        .unwrap()
        .unwrap();
    assert!(scattered.matched.is_empty(), "{scattered:?}");
    assert!(scattered.snippet.is_none());

    // Plain syntax reads the quotes as punctuation.
    let plain = explain(&snapshot, IRRIGATION, "“湿度传感器”");
    assert!(fields_of(&plain, "湿度传感器").is_empty());
    assert_eq!(fields_of(&plain, "湿度"), ["abstract", "claims"]);
}

#[test]
fn snippets_highlight_matched_terms_in_char_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, config) = built(dir.path());
    let snapshot = Snapshot::open(&config).unwrap();
    let abstract_text = &listings()[0].patent.abstract_text;

    let explanation = explain(&snapshot, IRRIGATION, "智能灌溉 湿度 电磁阀 锂电池");
    let snippet = explanation.snippet.as_ref().unwrap();
    assert_eq!(snippet.field, "abstract", "the abstract has matches");
    assert!(abstract_text.contains(&snippet.text));
    assert!(!snippet.highlights.is_empty());
    let matched: Vec<&str> = explanation
        .matched
        .iter()
        .map(|m| m.term.as_str())
        .collect();
    let chars: Vec<char> = snippet.text.chars().collect();
    let mut last_end = 0;
    for &(start, end) in &snippet.highlights {
        assert!(start < end && end <= chars.len(), "{snippet:?}");
        assert!(start >= last_end, "sorted, not overlapping: {snippet:?}");
        last_end = end;
        let slice: String = chars[start..end].iter().collect();
        assert!(matched.contains(&slice.as_str()), "{slice} in {matched:?}");
    }
    let highlighted = snippet.highlighted();
    for term in ["湿度", "灌溉", "电磁阀"] {
        assert!(highlighted.iter().any(|h| h == term), "{term}: {snippet:?}");
    }
    assert!(!highlighted.iter().any(|h| h.contains("电池")));

    // A term only in the title: the snippet falls back to the title.
    let title = explain(&snapshot, IRRIGATION, "智能 锂电池");
    let snippet = title.snippet.unwrap();
    assert_eq!(snippet.field, "title");
    assert_eq!(snippet.text, "一种基于物联网的智能灌溉控制系统");
    assert_eq!(snippet.highlighted(), ["智能"]);
    assert_eq!(snippet.highlights, [(8, 10)]);

    // Letters are folded to match, full-width or not, and the snippet
    // keeps the listing's own (three bytes a char, one char an offset).
    let lamp = explain(&snapshot, STREETLAMP, "led 结温");
    assert_eq!(fields_of(&lamp, "led"), ["title", "abstract", "claims"]);
    let snippet = lamp.snippet.unwrap();
    assert_eq!(snippet.field, "abstract");
    let highlighted = snippet.highlighted();
    assert!(highlighted.iter().any(|h| h == "ＬＥＤ"), "{snippet:?}");
    assert!(highlighted.iter().any(|h| h == "结温"), "{snippet:?}");

    // A long abstract yields about SNIPPET_CHARS chars around the match.
    let long = explain(&snapshot, LONG, "石墨烯导热膜");
    let snippet = long.snippet.unwrap();
    assert_eq!(snippet.field, "abstract");
    assert!(snippet.text.chars().count() <= 120, "{}", snippet.text);
    assert!(snippet.text.contains("石墨烯"), "{}", snippet.text);

    // Matched only in the holder's name: terms, but no snippet.
    let holder = explain(&snapshot, IRRIGATION, "浙江大学");
    assert_eq!(fields_of(&holder, "浙江大学"), ["holder"]);
    assert!(holder.snippet.is_none());

    // A hit that shares no term with the query (a vector hit).
    let none = explain(&snapshot, DRONE, "锂电池回收");
    assert!(none.matched.is_empty());
    assert!(none.snippet.is_none());
}

#[test]
fn an_index_of_an_older_schema_is_rebuilt_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let (store, config) = built(dir.path());
    // Pretend generation 1 was written before cards were stored.
    let manifest = config.dir.join("generations/gen-000001/manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["schema_version"] = 1.into();
    std::fs::write(&manifest, value.to_string()).unwrap();
    assert!(matches!(
        Snapshot::open(&config),
        Err(Error::Incompatible { .. })
    ));

    let report = build_index(&store, &common::embedder(), &config, BuildMode::Auto, &()).unwrap();
    assert_eq!(report.parent, None, "not an update: {report:?}");
    assert_eq!(report.added, 5);
    let snapshot = Snapshot::open(&config).unwrap();
    assert_eq!(
        snapshot.cards(&[DRONE]).unwrap()[0].as_ref().unwrap().id,
        DRONE
    );
}
