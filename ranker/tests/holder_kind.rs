//! Holder kind and region on real holder names, accuracy on the
//! hand-labelled sample (eval/data/holders.jsonl), and implementation modes
//! read from the shared corpus's cooperation texts.
#![allow(clippy::unwrap_used)]

// common/ names the crate as its dependents do.
extern crate patmatch_ranker as ranker;

mod common;

use corpus::{HolderKind, ImplementationMode};
use patmatch_ranker::{classify_holder, read_declared_modes, read_modes, HolderClass};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use HolderKind::{Enterprise, Individual, Institute, Other, University};

#[track_caller]
fn check(name: &str, kind: Option<HolderKind>, rule: &str) -> HolderClass {
    let class = classify_holder(name);
    assert_eq!(class.kind, kind, "{name}: {class:?}");
    assert_eq!(class.rule, rule, "{name}: {class:?}");
    class
}

#[track_caller]
fn place(class: &HolderClass, province: Option<&str>, city: Option<&str>) {
    assert_eq!((class.province, class.city), (province, city), "{class:?}");
}

#[test]
fn affiliated_hospitals_are_other_not_universities() {
    // Corpus names. The hospital is its own legal person; the university
    // in its name does not make it one.
    let c = check("扬州大学附属医院", Some(Other), "affiliated_hospital");
    place(&c, Some("江苏"), Some("扬州"));
    let c = check(
        "西安交通大学医学院第一附属医院",
        Some(Other),
        "affiliated_hospital",
    );
    place(&c, Some("陕西"), Some("西安"));
    let c = check(
        "河南科技大学第一附属医院",
        Some(Other),
        "affiliated_hospital",
    );
    place(&c, Some("河南"), Some("洛阳"));
    // The alias in parentheses names the university; the holder is the hospital.
    let c = check("台州市中心医院(台州学院附属医院)", Some(Other), "hospital");
    place(&c, Some("浙江"), Some("台州"));
    check(
        "北京大学第三医院(北京大学第三临床医学院)",
        Some(Other),
        "affiliated_hospital",
    );
    check("中国人民解放军总医院", Some(Other), "hospital");
    // A cancer centre is a hospital too, and 、 inside the parentheses
    // separates its aliases, not applicants.
    let c = check(
        "中山大学肿瘤防治中心(中山大学附属肿瘤医院、中山大学肿瘤研究所)",
        Some(Other),
        "medical_centre",
    );
    assert_eq!(c.applicants, 1);
    place(&c, Some("广东"), Some("广州"));
    check("湖州市妇幼保健院", Some(Other), "hospital");
}

#[test]
fn institutes_with_a_company_form_are_companies() {
    // Corpus names.
    let c = check(
        "杭州三花研究院有限公司",
        Some(Enterprise),
        "company_named_institute",
    );
    place(&c, Some("浙江"), Some("杭州"));
    check(
        "有研工程技术研究院有限公司",
        Some(Enterprise),
        "company_named_institute",
    );
    let c = check(
        "中车大连机车研究所有限公司",
        Some(Enterprise),
        "company_named_institute",
    );
    place(&c, Some("辽宁"), Some("大连"));
    check(
        "北京先声医学检验实验室有限公司",
        Some(Enterprise),
        "company_named_institute",
    );
    check(
        "杜比实验室特许公司",
        Some(Enterprise),
        "company_named_institute",
    );
    // A unit of a company-law company belongs to the company …
    let c = check(
        "国网浙江省电力有限公司电力科学研究院",
        Some(Enterprise),
        "company_unit",
    );
    place(&c, Some("浙江"), None);
    let c = check(
        "广东电网有限责任公司佛山供电局",
        Some(Enterprise),
        "company_unit",
    );
    place(&c, Some("广东"), Some("佛山"));
    check(
        "中海石油(中国)有限公司北京研究中心",
        Some(Enterprise),
        "company_unit",
    );
    // … but the numbered institutes of the old state groups are institutes.
    check(
        "中国电子科技集团公司第三十八研究所",
        Some(Institute),
        "group_institute",
    );
    check(
        "中国航空工业集团公司沈阳飞机设计研究所",
        Some(Institute),
        "group_institute",
    );
    // A university's science park company is a company.
    check("浙江大学科技园发展有限公司", Some(Enterprise), "company");
    check("山东师范大学实验厂", Some(Enterprise), "business");
}

#[test]
fn key_laboratories_belong_to_their_host() {
    // State key laboratories named with their host (real laboratories).
    let c = check(
        "浙江大学硅材料国家重点实验室",
        Some(University),
        "university_unit",
    );
    place(&c, Some("浙江"), Some("杭州"));
    check(
        "中国科学院半导体研究所集成光电子学国家重点实验室",
        Some(Institute),
        "research_institute",
    );
    // Without a host the lab is taken for an institute, with low confidence.
    let c = check(
        "电子薄膜与集成器件国家重点实验室",
        Some(Institute),
        "lab_without_host",
    );
    assert!(c.confidence < 0.7, "{c:?}");
    // Laboratories that are institutions of their own.
    let c = check("之江实验室", Some(Institute), "lab_without_host");
    place(&c, Some("浙江"), Some("杭州"));
}

#[test]
fn universities_institutes_and_their_units() {
    let c = check("浙江大学", Some(University), "university");
    place(&c, Some("浙江"), Some("杭州"));
    let c = check("清华大学", Some(University), "university");
    place(&c, Some("北京"), Some("北京"));
    // Branch campuses are placed where they are.
    let c = check("清华大学深圳研究生院", Some(University), "university");
    place(&c, Some("广东"), Some("深圳"));
    let c = check("哈尔滨工业大学(深圳)", Some(University), "university");
    place(&c, Some("广东"), Some("深圳"));
    let c = check("浙江大学宁波理工学院", Some(University), "university");
    place(&c, Some("浙江"), Some("宁波"));
    check("漯河医学高等专科学校", Some(University), "university");
    check("浙江建设职业技术学院", Some(University), "university");
    check("国立大学法人山形大学", Some(University), "university");
    check(
        "温州大学激光与光电智能制造研究院",
        Some(University),
        "university_unit",
    );
    // 科学院 is one word, not 科 + 学院.
    let c = check(
        "中国科学院宁波材料技术与工程研究所",
        Some(Institute),
        "research_institute",
    );
    place(&c, Some("浙江"), Some("宁波"));
    check(
        "中国科学院华南植物园",
        Some(Institute),
        "research_institute",
    );
    let c = check(
        "中国兵器科学研究院宁波分院",
        Some(Institute),
        "research_institute",
    );
    place(&c, Some("浙江"), Some("宁波"));
    check(
        "江西省超级水稻研究发展中心",
        Some(Institute),
        "research_institute",
    );
    check(
        "中国科学院计算机网络信息中心",
        Some(Institute),
        "research_institute",
    );
    // Public bodies.
    check("马山县山城壮鼓协会", Some(Other), "public_body");
    let c = check("浙江省舟山海洋生态环境监测站", Some(Other), "public_body");
    place(&c, Some("浙江"), Some("舟山"));
    check("成都市国土资源信息中心", Some(Other), "public_centre");
    let c = check("香港生产力促进局", Some(Other), "public_body");
    place(&c, Some("香港"), Some("香港"));
}

#[test]
fn individuals_and_unclear_names() {
    for name in ["宋雪梅", "刘宇", "欧阳娜娜", "尤烁皓"] {
        let c = check(name, Some(Individual), "person");
        assert!(c.confidence >= 0.9, "{c:?}");
    }
    // A city or province inside a person's name is not a place.
    let c = check("赵长春", Some(Individual), "person");
    place(&c, None, None);
    let c = check("邓海南", Some(Individual), "person");
    place(&c, None, None);
    check("菲利普·普朗斯", Some(Individual), "foreign_person");
    // Organisation names without their legal form, and ones the rules
    // cannot read.
    check("苹果公司", Some(Enterprise), "company");
    check("华为技术", Some(Enterprise), "business_words");
    check("阿尔泰斯", None, "unclear_short_name");
    check("Sony Corporation", Some(Enterprise), "company");
    check("", None, "empty");
}

#[test]
fn several_applicants_are_read_by_the_first() {
    let c = check(
        "航天资源循环科技有限公司;中国科学院过程工程研究所",
        Some(Enterprise),
        "company",
    );
    assert_eq!(c.applicants, 2);
    let c = check("浙江大学；杭州电子科技大学", Some(University), "university");
    assert_eq!(c.applicants, 2);
    let c = check(
        "东莞松山湖高新技术产业开发区循环经济发展促进中心、东莞生态产业园区循环经济发展促进中心",
        Some(Other),
        "public_centre",
    );
    assert_eq!(c.applicants, 2);
    place(&c, Some("广东"), Some("东莞"));
}

#[test]
fn regions_from_prefixes_counties_and_parentheses() {
    let cases = [
        ("甬矽电子(宁波)股份有限公司", Some("浙江"), Some("宁波")),
        ("武义县双力杯业有限公司", Some("浙江"), Some("金华")),
        ("温岭市汇强机电股份有限公司", Some("浙江"), Some("台州")),
        ("浙江安吉大名家具有限公司", Some("浙江"), Some("湖州")),
        ("海宁森德皮革有限公司", Some("浙江"), Some("嘉兴")),
        ("浙江宇视科技有限公司", Some("浙江"), None),
        ("中山市思帕斯电器有限公司", Some("广东"), Some("中山")),
        ("长春永固科技有限公司", Some("吉林"), Some("长春")),
        ("河北工业大学", Some("天津"), Some("天津")),
        ("湖南农业大学", Some("湖南"), Some("长沙")),
        (
            "国网河北省电力公司保定供电分公司",
            Some("河北"),
            Some("保定"),
        ),
        ("首都医科大学附属北京朝阳医院", Some("北京"), Some("北京")),
        ("煤科集团沈阳研究院有限公司", Some("辽宁"), Some("沈阳")),
        ("瑞典爱立信有限公司", None, None),
        ("比亚迪股份有限公司", None, None),
    ];
    for (name, province, city) in cases {
        place(&classify_holder(name), province, city);
    }
}

/// One labelled holder, as eval/data/holders.jsonl stores it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Label {
    holder: String,
    kind: String,
    province: Option<String>,
    city: Option<String>,
}

fn labels() -> Vec<Label> {
    let path = common::workspace().join("eval/data/holders.jsonl");
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Share `part / whole`, 0 for an empty whole.
fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Accuracy of one region field: over labels that name a place (an
/// unanswered one counts as wrong), and how often a place is given where
/// the label has none.
fn region_report(pairs: &[(Option<&str>, Option<&str>)]) -> (f64, usize, usize) {
    let labelled: Vec<_> = pairs.iter().filter(|(truth, _)| truth.is_some()).collect();
    let right = labelled.iter().filter(|(t, p)| t == p).count();
    let spurious = pairs
        .iter()
        .filter(|(t, p)| t.is_none() && p.is_some())
        .count();
    (share(right, labelled.len()), labelled.len(), spurious)
}

/// The first lines of the label file were drawn and labelled before the
/// rules were written, but the rules were written with those names in
/// view; the rest were drawn and labelled after the rules were frozen, and
/// are the fair estimate (eval/data/README.md).
const SEEN_WHILE_WRITING_RULES: usize = 374;

/// Measured figures, printed for the whole file and for each part.
#[derive(Debug)]
struct Report {
    accuracy: f64,
    province: f64,
    city: f64,
    per_kind: BTreeMap<String, (usize, usize)>,
}

fn report(title: &str, labels: &[Label], misses: &mut Vec<String>) -> Report {
    let mut per_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut answered, mut correct) = (0, 0);
    let mut provinces = Vec::new();
    let mut cities = Vec::new();
    for label in labels {
        let class = classify_holder(&label.holder);
        let predicted = class.kind.map(HolderKind::as_str);
        let entry = per_kind.entry(label.kind.clone()).or_default();
        entry.0 += 1;
        answered += usize::from(predicted.is_some());
        if predicted == Some(label.kind.as_str()) {
            entry.1 += 1;
            correct += 1;
        } else {
            misses.push(format!(
                "{} labelled {} got {:?} ({})",
                label.holder, label.kind, predicted, class.rule
            ));
        }
        provinces.push((label.province.as_deref(), class.province));
        cities.push((label.city.as_deref(), class.city));
        if (label.province.as_deref(), label.city.as_deref()) != (class.province, class.city) {
            misses.push(format!(
                "{} region {:?}/{:?} got {:?}/{:?} ({})",
                label.holder,
                label.province,
                label.city,
                class.province,
                class.city,
                class.region_rule
            ));
        }
    }
    let accuracy = share(correct, labels.len());
    let (province, province_labelled, province_spurious) = region_report(&provinces);
    let (city, city_labelled, city_spurious) = region_report(&cities);
    println!(
        "{title}: {} holders, accuracy {accuracy:.3}, coverage {:.3}, precision {:.3}",
        labels.len(),
        share(answered, labels.len()),
        share(correct, answered)
    );
    for (kind, (n, right)) in &per_kind {
        println!("  {kind}: {right}/{n} = {:.3}", share(*right, *n));
    }
    println!(
        "  province {province:.3} of {province_labelled} labelled ({province_spurious} given where unlabelled); \
         city {city:.3} of {city_labelled} labelled ({city_spurious} given where unlabelled)"
    );
    Report {
        accuracy,
        province,
        city,
        per_kind,
    }
}

/// Floors: the measured figures when written (kind 0.996, held-out 1.000;
/// province 0.95, city 0.91) less a margin of a dozen holders, so a change
/// that breaks a rule family fails while a single relabel does not.
const ACCURACY_FLOOR: f64 = 0.95;
const PER_KIND_FLOOR: f64 = 0.85;
const PROVINCE_FLOOR: f64 = 0.9;
const CITY_FLOOR: f64 = 0.85;

#[test]
fn accuracy_on_the_labelled_sample() {
    let labels = labels();
    assert!(labels.len() >= 300, "{} labels", labels.len());
    let mut misses = Vec::new();
    let all = report("all", &labels, &mut misses);
    let (seen, held_out) = labels.split_at(SEEN_WHILE_WRITING_RULES.min(labels.len()));
    report("seen while writing the rules", seen, &mut Vec::new());
    let fair = report("held out", held_out, &mut Vec::new());
    for miss in &misses {
        println!("  miss: {miss}");
    }
    // `patmatch-eval classify --holder-predictions` reads this file.
    if let Some(path) = std::env::var_os("PATMATCH_HOLDER_PREDICTIONS") {
        let mut file = std::fs::File::create(path).unwrap();
        for label in &labels {
            let kind = classify_holder(&label.holder).kind.map(HolderKind::as_str);
            let line = serde_json::json!({"holder": label.holder, "kind": kind});
            writeln!(file, "{line}").unwrap();
        }
    }
    assert!(all.accuracy >= ACCURACY_FLOOR, "{all:?}");
    assert!(fair.accuracy >= ACCURACY_FLOOR, "{fair:?}");
    assert!(all.province >= PROVINCE_FLOOR, "{all:?}");
    assert!(all.city >= CITY_FLOOR, "{all:?}");
    for (kind, (n, right)) in &all.per_kind {
        assert!(share(*right, *n) >= PER_KIND_FLOOR, "{kind}: {right}/{n}");
    }
}

fn modes(list: &[ImplementationMode]) -> BTreeSet<ImplementationMode> {
    list.iter().copied().collect()
}

#[test]
fn modes_from_real_cooperation_texts() {
    use ImplementationMode::{Equity, ExclusiveLicence, OrdinaryLicence, SoleLicence, Transfer};
    let licence = [OrdinaryLicence, ExclusiveLicence, SoleLicence];
    let cases: &[(&str, Vec<ImplementationMode>)] = &[
        // Offers (run together).
        ("其他", vec![ImplementationMode::Other]),
        ("完全转让", vec![Transfer]),
        (
            "完全转让许可转让技术入股",
            [&[Transfer, Equity][..], &licence].concat(),
        ),
        (
            "完全转让许可转让技术入股合作生产",
            [&[Transfer, Equity, ImplementationMode::Other][..], &licence].concat(),
        ),
        ("许可转让", licence.to_vec()),
        // Demands (comma-separated).
        ("技术转让", vec![Transfer]),
        ("委托开发", vec![ImplementationMode::Other]),
        (
            "技术转让,技术许可,委托开发",
            [&[Transfer, ImplementationMode::Other][..], &licence].concat(),
        ),
        ("技术入股,技术许可", [&[Equity][..], &licence].concat()),
    ];
    for (text, expected) in cases {
        let reading = read_modes(text);
        assert_eq!(reading.modes, modes(expected), "{text}");
        assert!(reading.is_fully_parsed(), "{text}: {reading:?}");
        assert_eq!(reading.confidence, 1.0, "{text}");
    }
}

#[test]
fn unreadable_text_is_flagged_with_partial_confidence() {
    let reading = read_modes("技术转让、技术咨询和培训");
    assert_eq!(reading.modes, modes(&[ImplementationMode::Transfer]));
    assert_eq!(reading.unparsed, vec!["技术咨询和培训".to_string()]);
    assert!(reading.is_flagged() && !reading.is_fully_parsed());
    // 4 of 11 letters read.
    assert!(
        (reading.confidence - 4.0 / 11.0).abs() < 1e-6,
        "{reading:?}"
    );
    let nothing = read_modes("面议");
    assert!(nothing.abstains() && nothing.is_flagged());
    assert_eq!(nothing.confidence, 0.0);
    let empty = read_modes("  ");
    assert!(empty.abstains() && !empty.is_flagged());
}

#[test]
fn declared_modes_normalise_canonical_and_source_names() {
    use ImplementationMode::{Equity, ExclusiveLicence, OpenLicence};
    let reading = read_declared_modes(["独占许可", "作价入股", "开放许可"]);
    assert_eq!(
        reading.modes,
        modes(&[ExclusiveLicence, Equity, OpenLicence])
    );
    assert!(reading.is_fully_parsed());
    let reading = read_declared_modes(["技术入股", "质押融资"]);
    assert_eq!(reading.modes, modes(&[Equity]));
    assert_eq!(reading.unparsed, vec!["质押融资".to_string()]);
}

/// Cooperation texts in a JSONL file, and how many of them read fully.
fn parsed_share(path: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(common::data(path)).unwrap();
    let (mut texts, mut parsed) = (0usize, 0usize);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(text) = record["cooperation_text"].as_str() {
            texts += 1;
            parsed += usize::from(read_modes(text).is_fully_parsed());
        }
    }
    println!(
        "{path}: {parsed}/{texts} cooperation texts fully parsed ({:.3})",
        share(parsed, texts)
    );
    (texts, parsed)
}

#[test]
fn share_of_cooperation_texts_fully_parsed() {
    let (texts, parsed) = parsed_share("corpus/offers.jsonl");
    assert_eq!(texts, 2810);
    assert_eq!(parsed, texts);
    let (texts, parsed) = parsed_share("demands/demands.jsonl");
    assert_eq!(texts, 1674);
    assert_eq!(parsed, texts);
}

/// Over every holder in the shared corpus: how many records each kind
/// gets, and how many names the rules cannot read. The corpus README counts
/// 1,102 university and institute applicants among the bdci2022 records by
/// keyword (大学, 学院, 研究所, 研究院), which includes 研究院有限公司 and
/// hospitals; the rules' count is lower for that reason.
#[test]
fn kinds_over_the_whole_corpus() {
    let patents = std::fs::read_to_string(common::data("corpus/patents.jsonl")).unwrap();
    let mut records: BTreeMap<&str, usize> = BTreeMap::new();
    let mut distinct: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut bdci_public_research = 0;
    for line in patents.lines().filter(|l| !l.trim().is_empty()) {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let Some(holder) = record["holder"].as_str() else {
            continue;
        };
        let kind = classify_holder(holder).kind;
        let key = kind.map_or("abstain", HolderKind::as_str);
        *records.entry(key).or_default() += 1;
        distinct.entry(key).or_default().insert(holder.to_string());
        if record["source"] == "bdci2022" && matches!(kind, Some(University | Institute)) {
            bdci_public_research += 1;
        }
    }
    for (kind, n) in &records {
        println!(
            "{kind}: {n} records, {} distinct names",
            distinct[kind].len()
        );
    }
    println!("bdci2022 records held by 高校 or 科研院所: {bdci_public_research}");
    let total: usize = records.values().sum();
    let abstained = records.get("abstain").copied().unwrap_or(0);
    assert!(
        share(abstained, total) < 0.02,
        "{abstained} of {total} abstained"
    );
}
