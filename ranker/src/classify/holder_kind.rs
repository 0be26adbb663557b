//! Holder kind and region from the holder's name.
//!
//! Chinese organisation names are head-final: the last organisation word
//! says what the body is (浙江大学 … 附属医院 is a hospital, 研究院有限公司 a
//! company). The name is cut into known organisation words, longest first
//! from the left, and the last one (the head) decides, with the words before
//! it as context. The kind follows the body that holds the patent:
//!
//! | name | kind | rule |
//! |---|---|---|
//! | … 有限公司, 股份公司, 株式会社, 合伙企业, 公司 | 企业 | `company` |
//! | … 研究院有限公司, 研究所有限公司 | 企业 | `company_named_institute` |
//! | … 厂, 店, 商行, 合作社, 事务所, 集团 | 企业 | `business` |
//! | a unit of a company: 国网浙江省电力有限公司电力科学研究院, … 供电局 | 企业 | `company_unit` |
//! | 大学, 学院, 学校, 高等专科学校, 职业技术学院, 研究生院 | 高校 | `university` |
//! | a university's institute, centre or lab: 温州大学…研究院 | 高校 | `university_unit` |
//! | 研究院, 研究所, 研究中心, 科学院, 试验站 | 科研院所 | `research_institute` |
//! | an institute of a state group: 中国电子科技集团公司第三十八研究所 | 科研院所 | `group_institute` |
//! | 重点实验室 / 实验室 under a university, academy or company | the host's | `university_unit`, `research_institute`, `company_unit` |
//! | a lab named without its host | 科研院所, low confidence | `lab_without_host` |
//! | 医院, 卫生院, 保健院, including a university's 附属医院 | 其他 | `hospital`, `affiliated_hospital` |
//! | 协会, 学会, 基金会, 政府, 委员会, 局, 处, 站, 中学 | 其他 | `public_body` |
//! | 中心: by the words before it (研究 → 科研院所, 医疗 → 其他, 服务 → 企业, else 其他) | | `…_centre` |
//! | 2–4 Han characters with a common surname and no organisation word; foreign names with · | 个人 | `person` |
//!
//! Why these choices: a university-affiliated hospital is its own legal
//! person and a medical institution, not the university's technology
//! office, so it is 其他; a unit that is not a legal person (a company's
//! branch, a university's institute or lab) takes its parent's kind; the
//! numbered institutes of the old state groups (X集团公司) are public
//! research institutes, whereas a unit of a company-law company (有限公司,
//! 股份有限公司) is part of that company. The hand-labelled sample in
//! eval/data/ follows the same guideline (see its README).
//!
//! Several applicants (joined by ;, ；, ,, ，, 、 or /) are classified by the first;
//! [`HolderClass::applicants`] says how many there were. Parenthesised
//! parts (aliases, places, 有限合伙) are left out of the kind.

use super::region::{derive_region, split_trailing_parenthesis};
use corpus::HolderKind;
use serde::Serialize;

/// What a holder's name says about the holder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HolderClass {
    /// `None` when the classifier abstains: no rule recognised the name.
    pub kind: Option<HolderKind>,
    /// How sure the kind is, 0–1; 0 when abstaining.
    pub confidence: f32,
    /// Which rule decided the kind (see the module docs), for explanations.
    pub rule: &'static str,
    /// Short province name (浙江), see [`Region`](super::Region).
    pub province: Option<&'static str>,
    /// Prefecture-level city (杭州).
    pub city: Option<&'static str>,
    pub region_confidence: f32,
    pub region_rule: &'static str,
    /// Applicants found in the name; the kind and region are the first's.
    pub applicants: usize,
}

/// Classifies a holder (专利权人 / 申请人) by its name.
pub fn classify_holder(name: &str) -> HolderClass {
    let applicants = split_applicants(name);
    let first = applicants.first().copied().unwrap_or_default();
    let reading = read_kind(first);
    let region = derive_region(first, reading.kind);
    HolderClass {
        kind: reading.kind,
        confidence: reading.confidence,
        rule: reading.rule,
        province: region.province,
        city: region.city,
        region_confidence: region.confidence,
        region_rule: region.rule,
        applicants: applicants.len(),
    }
}

/// What an organisation word says about the body it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A company-law form: the body is a company, and units named after one
    /// belong to it.
    Company,
    /// A business without a company-law form: 厂, 店, 合作社, 事务所.
    Business,
    /// 集团, 集团公司: a group is a business, but its institutes are
    /// research institutes.
    Group,
    University,
    Research,
    Lab,
    /// 分院, 分所: a branch of whatever precedes it.
    Branch,
    Hospital,
    /// 中心: decided by the words before it.
    Centre,
    /// 站: a station of its parent, else a public body.
    Station,
    Public,
}

use Role::{
    Branch, Business, Centre, Company, Group, Hospital, Lab, Public, Research, Station, University,
};

/// Organisation words. The longest word at each point is taken, so
/// 科学院 is not read as 学院 and 研究所有限公司 is 研究所 + 有限公司.
const WORDS: &[(&str, Role)] = &[
    ("公司", Company),
    ("有限公司", Company),
    ("有限责任公司", Company),
    ("股份有限公司", Company),
    ("股份公司", Company),
    ("分公司", Company),
    ("株式会社", Company),
    ("会社", Company),
    ("合伙企业", Company),
    ("有限合伙", Company),
    ("两合公司", Company),
    ("厂", Business),
    ("店", Business),
    ("商行", Business),
    ("经营部", Business),
    ("门市部", Business),
    ("事业部", Business),
    ("合作社", Business),
    ("事务所", Business),
    ("工作室", Business),
    ("企业", Business),
    ("银行", Business),
    ("个体工商户", Business),
    ("集团", Group),
    ("集团公司", Group),
    ("大学", University),
    ("学院", University),
    ("学校", University),
    ("专科学校", University),
    ("高等专科学校", University),
    ("职业学院", University),
    ("职业技术学院", University),
    ("医学院", University),
    ("研究生院", University),
    ("分校", University),
    ("科学院", Research),
    ("工程院", Research),
    ("研究院", Research),
    ("研究所", Research),
    ("研究室", Research),
    ("研究中心", Research),
    ("研发中心", Research),
    ("研究发展中心", Research),
    ("设计院", Research),
    ("规划院", Research),
    ("勘察院", Research),
    ("测绘院", Research),
    ("研究组织", Research),
    ("设计研究院", Research),
    ("试验站", Research),
    ("实验站", Research),
    ("观测站", Research),
    ("研究站", Research),
    ("实验室", Lab),
    ("重点实验室", Lab),
    ("分院", Branch),
    ("分所", Branch),
    ("分中心", Branch),
    ("医院", Hospital),
    ("卫生院", Hospital),
    ("保健院", Hospital),
    ("妇幼保健院", Hospital),
    ("疗养院", Hospital),
    ("门诊部", Hospital),
    ("诊所", Hospital),
    ("卫生所", Hospital),
    ("中心", Centre),
    ("站", Station),
    ("植物园", Station),
    ("政府", Public),
    ("委员会", Public),
    ("管委会", Public),
    ("协会", Public),
    ("学会", Public),
    ("商会", Public),
    ("联合会", Public),
    ("基金会", Public),
    ("促进会", Public),
    ("研究会", Public),
    ("联盟", Public),
    ("办公室", Public),
    ("中学", Public),
    ("小学", Public),
    ("幼儿园", Public),
    ("党校", Public),
    ("法院", Public),
    ("检察院", Public),
    ("部队", Public),
    ("博物馆", Public),
    ("图书馆", Public),
    ("科技馆", Public),
    ("海关", Public),
    ("气象台", Public),
    ("电视台", Public),
    ("出版社", Public),
    ("杂志社", Public),
    ("局", Public),
    ("厅", Public),
    ("处", Public),
    ("署", Public),
    ("部", Public),
    ("队", Public),
];

/// Words before 中心 that make it medical, research or a business; any
/// other 中心 (信息中心, 测控中心, 促进中心) is a public body.
const MEDICAL: &[&str] = &[
    "医疗", "医学", "肿瘤", "癌", "卫生", "疾病", "疾控", "康复", "体检", "血液", "急救", "妇幼",
    "口腔", "防治",
];
const STRONG_RESEARCH: &[&str] = &["研究", "研发", "科研", "实验", "试验"];
const BUSINESS: &[&str] = &[
    "服务", "经营", "销售", "营销", "贸易", "商贸", "咨询", "物流",
];
const WEAK_RESEARCH: &[&str] = &["科学", "科技", "创新"];

/// Words that mark a company whose legal form was left off (华为技术).
const BUSINESS_WORDS: &[&str] = &[
    "科技", "技术", "电子", "电器", "电气", "实业", "贸易", "工业", "机械", "化工", "材料", "网络",
    "信息", "生物", "医药", "能源", "环保", "建设", "工程", "文化", "传媒", "国际", "控股", "投资",
    "发展", "智能", "制造", "食品", "光电", "通信", "汽车",
];

/// Common single-character surnames. 阿, 海, 华, 中 and the like are left
/// out: they start transliterations and brand names far more often.
const SURNAMES: &str = "赖洪丘招王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉仝区郜阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由";

const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "端木", "南宫", "西门", "独孤", "呼延", "申屠", "澹台", "百里",
    "闻人", "赫连",
];

/// Latin-script legal forms and organisation words, upper-cased.
const LATIN_COMPANY: &[&str] = &[
    "INC",
    "LTD",
    "LIMITED",
    "GMBH",
    "CORP",
    "CORPORATION",
    "COMPANY",
    "CO",
    "LLC",
    "LLP",
    "AG",
    "SA",
    "SE",
    "BV",
    "NV",
    "PLC",
    "KG",
    "SPA",
    "SAS",
    "AB",
    "OY",
    "KK",
];
const LATIN_UNIVERSITY: &[&str] = &["UNIVERSITY", "UNIVERSITE", "UNIVERSITAT", "COLLEGE"];
const LATIN_INSTITUTE: &[&str] = &["INSTITUTE", "INSTITUT", "ACADEMY"];
const LATIN_HOSPITAL: &[&str] = &["HOSPITAL", "CLINIC"];

/// A kind with its confidence and rule.
#[derive(Debug, Clone, Copy)]
struct Reading {
    kind: Option<HolderKind>,
    confidence: f32,
    rule: &'static str,
}

fn answer(kind: HolderKind, confidence: f32, rule: &'static str) -> Reading {
    Reading {
        kind: Some(kind),
        confidence,
        rule,
    }
}

fn abstain(rule: &'static str) -> Reading {
    Reading {
        kind: None,
        confidence: 0.0,
        rule,
    }
}

/// An organisation word found in a name, by byte range.
#[derive(Debug, Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    role: Role,
}

/// The applicants in a name, split at separators outside parentheses
/// (`、` inside `(…医院、…研究所)` separates aliases, not applicants).
fn split_applicants(name: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in name.char_indices() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth = depth.saturating_sub(1),
            ';' | '；' | ',' | '，' | '、' | '/' if depth == 0 => {
                parts.push(&name[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&name[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// The name without any parenthesised part: 中国振华(集团)新云电子元器件有限
/// 责任公司(国营第四三二六厂) → 中国振华新云电子元器件有限责任公司.
fn without_parentheses(name: &str) -> String {
    let (main, _) = split_trailing_parenthesis(name);
    let mut out = String::with_capacity(main.len());
    let mut depth = 0usize;
    for c in main.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn read_kind(name: &str) -> Reading {
    let main = without_parentheses(name);
    let main = main.trim();
    if main.is_empty() {
        return abstain("empty");
    }
    if !main.chars().any(is_han) {
        return read_latin(main);
    }
    // Spaces inside a Chinese name are typing noise: 中国 科学院.
    let main: String = main.chars().filter(|c| !c.is_whitespace()).collect();
    let words = organisation_words(&main);
    match words.last() {
        Some(_) => resolve(&main, &words),
        None => read_without_organisation_word(&main),
    }
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// The organisation words of `name`, left to right, longest first at each
/// point. Single-character words (厂, 局, 站 …) count only at the very end,
/// where they are the head; elsewhere they are usually part of another
/// word or of a person's name.
fn organisation_words(name: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut i = 0;
    while i < name.len() {
        let rest = &name[i..];
        let longest = WORDS
            .iter()
            .filter(|(w, _)| rest.starts_with(w))
            .filter(|(w, _)| w.chars().count() > 1 || rest.len() == w.len())
            .max_by_key(|(w, _)| w.len());
        match longest {
            Some(&(w, role)) => {
                words.push(Word {
                    start: i,
                    end: i + w.len(),
                    role,
                });
                i += w.len();
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    words
}

/// Decides the kind from the head word and the words before it.
fn resolve(name: &str, words: &[Word]) -> Reading {
    let Some((head, before)) = words.split_last() else {
        return abstain("no_organisation_word");
    };
    let has = |role: Role| before.iter().any(|w| w.role == role);
    let under_company = has(Company);
    let under_university = has(University);
    let under_academy = has(Research);
    let under_group = has(Group);
    use HolderKind::{Enterprise, Institute, Other, University as Uni};
    match head.role {
        Company if under_academy || has(Lab) => answer(Enterprise, 0.95, "company_named_institute"),
        Company => answer(Enterprise, 0.97, "company"),
        Business | Group => answer(Enterprise, 0.9, "business"),
        University => answer(Uni, 0.97, "university"),
        Research | Lab if under_company => answer(Enterprise, 0.85, "company_unit"),
        Research | Lab if under_university => answer(Uni, 0.85, "university_unit"),
        Research if under_group => answer(Institute, 0.8, "group_institute"),
        Research => answer(Institute, 0.95, "research_institute"),
        Lab if under_academy || under_group => answer(Institute, 0.85, "research_institute"),
        Lab => answer(Institute, 0.6, "lab_without_host"),
        Branch => resolve(name, before),
        Hospital if under_company => answer(Enterprise, 0.8, "company_unit"),
        Hospital if under_university => answer(Other, 0.9, "affiliated_hospital"),
        Hospital => answer(Other, 0.95, "hospital"),
        Centre => resolve_centre(name, head, before),
        Station | Public if under_company => answer(Enterprise, 0.85, "company_unit"),
        Station if under_academy => answer(Institute, 0.85, "research_institute"),
        Station if under_university => answer(Uni, 0.8, "university_unit"),
        Station | Public => answer(Other, 0.9, "public_body"),
    }
}

/// A 中心 by the words between the previous organisation word and it.
fn resolve_centre(name: &str, head: &Word, before: &[Word]) -> Reading {
    use HolderKind::{Enterprise, Institute, Other, University as Uni};
    let from = before.last().map_or(0, |w| w.end);
    let context = &name[from..head.start];
    let says = |words: &[&str]| words.iter().any(|w| context.contains(w));
    let has = |role: Role| before.iter().any(|w| w.role == role);
    if has(Company) {
        answer(Enterprise, 0.85, "company_unit")
    } else if says(MEDICAL) {
        answer(Other, 0.85, "medical_centre")
    } else if has(Research) {
        answer(Institute, 0.85, "research_institute")
    } else if has(University) {
        answer(Uni, 0.8, "university_unit")
    } else if says(STRONG_RESEARCH) {
        answer(Institute, 0.85, "research_centre")
    } else if says(BUSINESS) {
        answer(Enterprise, 0.6, "service_centre")
    } else if says(WEAK_RESEARCH) {
        answer(Institute, 0.6, "research_centre")
    } else {
        answer(Other, 0.6, "public_centre")
    }
}

/// A name with no organisation word: a person, a company whose legal form
/// was left off, or nothing recognisable.
fn read_without_organisation_word(name: &str) -> Reading {
    use HolderKind::{Enterprise, Individual};
    if BUSINESS_WORDS.iter().any(|w| name.contains(w)) {
        return answer(Enterprise, 0.5, "business_words");
    }
    // Foreign personal names are written with a middle dot: 菲利普·普朗斯.
    if name.contains(['·', '•', '・']) {
        return answer(Individual, 0.85, "foreign_person");
    }
    let chars: Vec<char> = name.chars().collect();
    if !(2..=4).contains(&chars.len()) || !chars.iter().all(|&c| is_han(c)) {
        return abstain("no_organisation_word");
    }
    let compound = COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s));
    let surname = compound || SURNAMES.contains(chars[0]);
    match (surname, chars.len()) {
        (true, _) if compound && chars.len() >= 3 => answer(Individual, 0.95, "person"),
        (true, 2 | 3) => answer(Individual, 0.95, "person"),
        (true, _) => answer(Individual, 0.7, "person"),
        (false, 2 | 3) => answer(Individual, 0.5, "person_shape"),
        (false, _) => abstain("unclear_short_name"),
    }
}

/// A name in Latin script, by its legal form or organisation word.
fn read_latin(name: &str) -> Reading {
    use HolderKind::{Enterprise, Institute, Other, University as Uni};
    let upper = name.to_uppercase();
    let words: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let any = |list: &[&str]| words.iter().any(|w| list.contains(w));
    if any(LATIN_COMPANY) {
        answer(Enterprise, 0.9, "company")
    } else if any(LATIN_UNIVERSITY) {
        answer(Uni, 0.9, "university")
    } else if any(LATIN_HOSPITAL) {
        answer(Other, 0.85, "hospital")
    } else if any(LATIN_INSTITUTE) {
        answer(Institute, 0.7, "research_institute")
    } else {
        abstain("latin_name")
    }
}
