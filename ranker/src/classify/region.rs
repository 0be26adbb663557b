//! Province and city of a holder, read from its name.
//!
//! Chinese organisation names put the administrative place first
//! (`行政区划 + 字号 + 行业 + 组织形式`: 杭州云淡包装有限公司), or in
//! parentheses after the trade name when the place is not first
//! (甬矽电子(宁波)股份有限公司). Short place names are also ordinary words
//! (长春, 中山, 安康) and appear inside people's names (赵长春), so a place is
//! only taken where the naming rules put one:
//!
//! 1. a known institution at the start whose name hides its seat (清华大学 →
//!    北京, 河北工业大学 → 天津), or a branch campus named right after a
//!    university (清华大学深圳研究生院, 哈尔滨工业大学(深圳) → 深圳);
//! 2. a place at the start, after national prefixes such as 中国科学院 or
//!    国网; a province there may be narrowed by a city or county of the
//!    same province later in the name (广东电网有限责任公司佛山供电局 → 佛山);
//! 3. a place alone in parentheses;
//! 4. a municipality, provincial capital or sub-provincial city anywhere,
//!    or any place followed by 省/市/县/区;
//! 5. for a public body (university, institute, hospital …) named after its
//!    province only, the provincial capital, at lower confidence
//!    (湖南农业大学 → 长沙); companies named after a province get no city;
//! 6. for a national research institute with no place in its name, Beijing
//!    at low confidence: the institutes of 中国科学院 and the ministries
//!    outside Beijing carry their city in the name (中国科学院大连化学物理研究所).
//!
//! Individuals get no region: a person's name says nothing about where
//! they are.

use corpus::HolderKind;
use serde::Serialize;
use std::sync::OnceLock;

/// Where a holder is, as far as its name tells.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Region {
    /// Short name of the provincial-level division: 浙江, 北京, 广西, 香港.
    pub province: Option<&'static str>,
    /// Prefecture-level city, without 市: 杭州, 宁波. For municipalities and
    /// Hong Kong/Macao the same as the province.
    pub city: Option<&'static str>,
    /// 0 when nothing was found.
    pub confidence: f32,
    /// Which rule placed it, for explanations (see the module docs).
    pub rule: &'static str,
}

impl Region {
    fn none(rule: &'static str) -> Self {
        Region {
            province: None,
            city: None,
            confidence: 0.0,
            rule,
        }
    }

    fn at(place: Place, confidence: f32, rule: &'static str) -> Self {
        Region {
            province: Some(place.province),
            city: place.city,
            confidence,
            rule,
        }
    }
}

/// Reads the region from one holder's name (the first applicant when there
/// are several); `kind` is the holder's kind when known, which decides
/// whether the provincial capital may be assumed.
pub fn derive_region(name: &str, kind: Option<HolderKind>) -> Region {
    if kind == Some(HolderKind::Individual) {
        return Region::none("person");
    }
    let (main, trailing) = split_trailing_parenthesis(name.trim());
    let trailing_place = trailing.and_then(whole_place);
    let g = gazetteer();

    // 1. Known institutions and branch campuses.
    if let Some((key, seat)) = INSTITUTIONS
        .iter()
        .filter(|(key, _)| main.starts_with(key))
        .max_by_key(|(key, _)| key.len())
    {
        if let Some(branch) = g.city_at(&main[key.len()..]).or(trailing_place) {
            return Region::at(branch, 0.9, "branch_campus");
        }
        if let Some(place) = g.city(seat) {
            return Region::at(place, 0.9, "known_institution");
        }
    }
    if let Some(branch) = branch_campus(main, trailing_place) {
        return Region::at(branch, 0.85, "branch_campus");
    }

    // 2. A place at the start, after any national prefix.
    let rest = NATIONAL_PREFIXES
        .iter()
        .filter(|p| main.starts_with(*p))
        .max_by_key(|p| p.len())
        .map_or(main, |p| &main[p.len()..]);
    if let Some((place, len)) = g.longest_at(rest) {
        let suffixed = has_admin_suffix(&rest[len..]);
        if place.city.is_some() {
            let confidence = if suffixed { 0.95 } else { 0.85 };
            return Region::at(place, confidence, "name_prefix");
        }
        if let Some(city) = g.city_of_province_in(&rest[len..], place.province) {
            return Region::at(city, 0.9, "province_and_city");
        }
        // 5. A public body named after its province sits in the capital.
        if is_public(kind) {
            if let Some(capital) = g.capital_of(place.province) {
                return Region::at(capital, 0.6, "provincial_seat");
            }
        }
        return Region::at(place, 0.9, "name_prefix");
    }

    // 3. A place alone in parentheses.
    if let Some(place) = parenthesised_place(main).or(trailing_place) {
        return Region::at(place, 0.9, "parenthesis");
    }

    // 4. A major city anywhere, or a place with its administrative suffix.
    if let Some(place) = g.anywhere(main) {
        return Region::at(place, 0.7, "place_in_name");
    }

    // 6. National institutes without a place.
    if kind == Some(HolderKind::Institute)
        && BEIJING_BY_DEFAULT.iter().any(|p| main.starts_with(p))
        && !MACRO_REGIONS.iter().any(|r| main.contains(r))
    {
        if let Some(beijing) = g.city("北京") {
            return Region::at(beijing, 0.5, "national_institute");
        }
    }
    Region::none("no_place")
}

/// Provincial-level divisions: short name, then its prefecture-level
/// cities with the capital first. Municipalities and the SARs list
/// themselves. Qinghai's 海南 prefecture is left out: 海南 is the province.
const PROVINCES: &[(&str, &str)] = &[
    ("北京", "北京"),
    ("天津", "天津"),
    ("上海", "上海"),
    ("重庆", "重庆"),
    ("河北", "石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水"),
    ("山西", "太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁"),
    ("内蒙古", "呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布 兴安 锡林郭勒 阿拉善"),
    ("辽宁", "沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛"),
    ("吉林", "长春 吉林 四平 辽源 通化 白山 松原 白城 延边"),
    ("黑龙江", "哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化 大兴安岭"),
    ("江苏", "南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁"),
    ("浙江", "杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水"),
    ("安徽", "合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城"),
    ("福建", "福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德"),
    ("江西", "南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶"),
    ("山东", "济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽"),
    ("河南", "郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店"),
    ("湖北", "武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施"),
    ("湖南", "长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西"),
    ("广东", "广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮"),
    ("广西", "南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左"),
    ("海南", "海口 三亚 三沙 儋州"),
    ("四川", "成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳 阿坝 甘孜 凉山"),
    ("贵州", "贵阳 六盘水 遵义 安顺 毕节 铜仁 黔西南 黔东南 黔南"),
    ("云南", "昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 楚雄 红河 文山 西双版纳 大理 德宏 怒江 迪庆"),
    ("西藏", "拉萨 日喀则 昌都 林芝 山南 那曲 阿里"),
    ("陕西", "西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛"),
    ("甘肃", "兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南 临夏 甘南"),
    ("青海", "西宁 海东 海北 黄南 果洛 玉树 海西"),
    ("宁夏", "银川 石嘴山 吴忠 固原 中卫"),
    ("新疆", "乌鲁木齐 克拉玛依 吐鲁番 哈密 昌吉 博尔塔拉 巴音郭楞 阿克苏 克孜勒苏 喀什 和田 伊犁 塔城 阿勒泰 石河子"),
    ("台湾", "台北 新北 桃园 台中 台南 高雄 基隆 新竹 嘉义"),
    ("香港", "香港"),
    ("澳门", "澳门"),
];

/// County-level divisions and districts that companies put first in their
/// names, by prefecture city: all of Zhejiang's counties, county-level
/// cities and suburban districts, and the county-level cities and best-known
/// districts of Jiangsu, Fujian, Guangdong and Shandong. Urban districts
/// whose names are common words or shared with other cities (西湖, 普陀,
/// 江北, 南山, 光明) are left out.
const COUNTIES: &[(&str, &str)] = &[
    ("杭州", "萧山 余杭 临平 富阳 临安 建德 桐庐 淳安"),
    ("宁波", "鄞州 北仑 镇海 海曙 慈溪 余姚 奉化 宁海 象山"),
    (
        "温州",
        "鹿城 瓯海 龙湾 洞头 瑞安 乐清 龙港 永嘉 平阳 苍南 文成 泰顺",
    ),
    ("嘉兴", "南湖 秀洲 海宁 平湖 桐乡 嘉善 海盐"),
    ("湖州", "吴兴 南浔 德清 长兴 安吉"),
    ("绍兴", "越城 柯桥 上虞 诸暨 嵊州 新昌"),
    ("金华", "婺城 金东 义乌 东阳 永康 兰溪 武义 浦江 磐安"),
    ("衢州", "柯城 衢江 江山 常山 开化 龙游"),
    ("舟山", "定海 岱山 嵊泗"),
    ("台州", "椒江 黄岩 路桥 温岭 临海 玉环 天台 仙居 三门"),
    ("丽水", "莲都 龙泉 青田 缙云 遂昌 松阳 云和 庆元 景宁"),
    ("苏州", "昆山 常熟 张家港 太仓 吴江 吴中 相城"),
    ("无锡", "江阴 宜兴 锡山 惠山"),
    ("常州", "溧阳 武进 金坛"),
    ("南京", "江宁 浦口 六合 溧水 高淳"),
    ("南通", "启东 如皋 海安 海门 如东"),
    ("盐城", "东台 大丰 建湖 射阳"),
    ("扬州", "仪征 高邮 江都 宝应"),
    ("镇江", "丹阳 扬中 句容"),
    ("泰州", "兴化 靖江 泰兴"),
    ("徐州", "新沂 邳州 沛县 丰县 睢宁"),
    ("淮安", "淮阴 涟水 盱眙"),
    ("泉州", "晋江 石狮 南安 惠安 安溪 永春 德化"),
    ("福州", "福清 长乐 闽侯"),
    ("漳州", "龙海"),
    ("三明", "永安"),
    ("南平", "建瓯 邵武 武夷山"),
    ("龙岩", "漳平"),
    ("宁德", "福安 福鼎"),
    ("佛山", "顺德 南海 禅城 三水 高明"),
    ("广州", "番禺 花都 增城 从化 黄埔"),
    ("深圳", "宝安 龙岗 龙华 坪山"),
    ("青岛", "即墨 胶州 平度 莱西 黄岛"),
    ("潍坊", "寿光 诸城 青州 高密 昌邑 安丘"),
    ("烟台", "龙口 招远 莱州 蓬莱 莱阳 海阳"),
    ("威海", "荣成 文登 乳山"),
    ("济南", "章丘 莱芜"),
    ("济宁", "邹城 曲阜"),
    ("枣庄", "滕州"),
    ("泰安", "新泰 肥城"),
];

/// Other names for places: 首都 (首都医科大学, 首都师范大学) is Beijing.
const ALIASES: &[(&str, &str)] = &[("首都", "北京")];

/// Sub-provincial cities, big enough that their name inside an
/// organisation name is the place (煤科集团沈阳研究院有限公司). Capitals and
/// municipalities count too.
const BIG_CITIES: &[&str] = &["大连", "青岛", "宁波", "厦门", "深圳", "苏州"];

/// Institutions whose name does not show their seat, or shows a province
/// whose capital is not the seat: national universities and Zhejiang's
/// colleges outside Hangzhou. (name, seat city)
const INSTITUTIONS: &[(&str, &str)] = &[
    ("清华大学", "北京"),
    ("中国人民大学", "北京"),
    ("中国农业大学", "北京"),
    ("中国科学院大学", "北京"),
    ("中央民族大学", "北京"),
    ("中国传媒大学", "北京"),
    ("中国政法大学", "北京"),
    ("华北电力大学", "北京"),
    ("复旦大学", "上海"),
    ("同济大学", "上海"),
    ("东华大学", "上海"),
    ("华东师范大学", "上海"),
    ("华东理工大学", "上海"),
    ("南开大学", "天津"),
    ("中国民航大学", "天津"),
    ("河北工业大学", "天津"),
    ("东南大学", "南京"),
    ("河海大学", "南京"),
    ("中国药科大学", "南京"),
    ("江南大学", "无锡"),
    ("江苏大学", "镇江"),
    ("江苏科技大学", "镇江"),
    ("中国矿业大学", "徐州"),
    ("中国科学技术大学", "合肥"),
    ("华侨大学", "泉州"),
    ("集美大学", "厦门"),
    ("中山大学", "广州"),
    ("暨南大学", "广州"),
    ("华南理工大学", "广州"),
    ("华南农业大学", "广州"),
    ("华南师范大学", "广州"),
    ("南方科技大学", "深圳"),
    ("五邑大学", "江门"),
    ("中南大学", "长沙"),
    ("湖南科技大学", "湘潭"),
    ("华中科技大学", "武汉"),
    ("华中农业大学", "武汉"),
    ("华中师范大学", "武汉"),
    ("中南民族大学", "武汉"),
    ("中南财经政法大学", "武汉"),
    ("中国地质大学", "武汉"),
    ("长江大学", "荆州"),
    ("三峡大学", "宜昌"),
    ("西北工业大学", "西安"),
    ("西北大学", "西安"),
    ("西北农林科技大学", "咸阳"),
    ("长安大学", "西安"),
    ("西南大学", "重庆"),
    ("西南交通大学", "成都"),
    ("西南石油大学", "成都"),
    ("西南民族大学", "成都"),
    ("西南财经大学", "成都"),
    ("西南科技大学", "绵阳"),
    ("电子科技大学", "成都"),
    ("四川农业大学", "雅安"),
    ("中国工程物理研究院", "绵阳"),
    ("东北大学", "沈阳"),
    ("东北林业大学", "哈尔滨"),
    ("东北农业大学", "哈尔滨"),
    ("东北石油大学", "大庆"),
    ("东北师范大学", "长春"),
    ("东北电力大学", "吉林"),
    ("吉林大学", "长春"),
    ("燕山大学", "秦皇岛"),
    ("河北大学", "保定"),
    ("河北农业大学", "保定"),
    ("华北理工大学", "唐山"),
    ("中国海洋大学", "青岛"),
    ("山东科技大学", "青岛"),
    ("山东理工大学", "淄博"),
    ("山东农业大学", "泰安"),
    ("河南大学", "开封"),
    ("河南科技大学", "洛阳"),
    ("河南理工大学", "焦作"),
    ("安徽理工大学", "淮南"),
    ("安徽工程大学", "芜湖"),
    ("安徽师范大学", "芜湖"),
    ("江西理工大学", "赣州"),
    ("华东交通大学", "南昌"),
    ("东华理工大学", "南昌"),
    ("井冈山大学", "吉安"),
    ("广东海洋大学", "湛江"),
    ("广西科技大学", "柳州"),
    ("辽宁工程技术大学", "阜新"),
    ("辽宁科技大学", "鞍山"),
    ("辽宁石油化工大学", "抚顺"),
    ("内蒙古科技大学", "包头"),
    ("黑龙江八一农垦大学", "大庆"),
    ("山西农业大学", "晋中"),
    ("湖北汽车工业学院", "十堰"),
    ("西藏民族大学", "咸阳"),
    ("北方民族大学", "银川"),
    ("浙江大学", "杭州"),
    ("中国计量大学", "杭州"),
    ("中国美术学院", "杭州"),
    ("西湖大学", "杭州"),
    ("之江实验室", "杭州"),
    ("浙江师范大学", "金华"),
    ("浙江海洋大学", "舟山"),
    ("浙江万里学院", "宁波"),
    ("浙江医药高等专科学校", "宁波"),
    ("浙江纺织服装职业技术学院", "宁波"),
    ("浙江工业职业技术学院", "绍兴"),
    ("浙江越秀外国语学院", "绍兴"),
    ("浙江农林大学暨阳学院", "绍兴"),
    ("浙江工业大学之江学院", "绍兴"),
    ("浙江工贸职业技术学院", "温州"),
    ("浙江东方职业技术学院", "温州"),
    ("浙江横店影视职业学院", "金华"),
    ("浙江广厦建设职业技术大学", "金华"),
    ("浙江清华长三角研究院", "嘉兴"),
];

/// National bodies and state groups named before the place of a unit
/// (中国科学院大连化学物理研究所, 国网浙江省电力有限公司).
const NATIONAL_PREFIXES: &[&str] = &[
    "中国",
    "中华",
    "国家",
    "国网",
    "国家电网",
    "中国科学院",
    "中国农业科学院",
    "中国热带农业科学院",
    "中国林业科学研究院",
    "中国医学科学院",
    "中国水产科学研究院",
    "中国人民解放军",
    "中车",
    "中建",
    "中建材",
    "中铁",
    "中钢",
    "中核",
    "中广核",
    "中船",
    "中船重工",
    "中石化",
    "中石油",
    "中海油",
    "中航",
    "中电",
    "中交",
    "中冶",
    "中化",
];

/// National research bodies whose institutes without a place in their name
/// are, for the most part, in Beijing.
const BEIJING_BY_DEFAULT: &[&str] = &[
    "中国科学院",
    "中国农业科学院",
    "中国医学科学院",
    "中国林业科学研究院",
    "中国地震局",
    "中国气象局",
];

/// Macro-regions (华南, 西北 …) name no province, and an institute named
/// after one is not in Beijing.
const MACRO_REGIONS: &[&str] = &[
    "华北", "华东", "华南", "华中", "西北", "西南", "东北", "中南",
];

const ADMIN_SUFFIXES: &[&str] = &[
    "特别行政区",
    "自治区",
    "自治州",
    "地区",
    "省",
    "市",
    "县",
    "区",
    "盟",
];

/// A resolved place: a province alone, or a city with its province.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Place {
    province: &'static str,
    city: Option<&'static str>,
}

/// Every place name with what it resolves to.
#[derive(Debug)]
struct Gazetteer {
    /// (name, place, is a big city that may be found anywhere).
    names: Vec<(&'static str, Place, bool)>,
}

fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(Gazetteer::build)
}

impl Gazetteer {
    fn build() -> Self {
        let mut names = Vec::new();
        for &(province, cities) in PROVINCES {
            let mut cities = cities.split_whitespace();
            let capital = cities.next();
            let municipality = capital == Some(province);
            let place = Place {
                province,
                city: municipality.then_some(province),
            };
            names.push((province, place, municipality));
            for (i, city) in capital.into_iter().chain(cities).enumerate() {
                if !(municipality && city == province) {
                    let big = i == 0 || BIG_CITIES.contains(&city);
                    let place = Place {
                        province,
                        city: Some(city),
                    };
                    names.push((city, place, big));
                }
            }
        }
        let mut counties = Vec::new();
        for &(city, list) in COUNTIES {
            if let Some(place) = names.iter().find(|(n, ..)| *n == city).map(|e| e.1) {
                counties.extend(list.split_whitespace().map(|county| (county, place, false)));
            }
        }
        names.extend(counties);
        for &(alias, of) in ALIASES {
            if let Some(entry) = names.iter().find(|(n, ..)| *n == of).copied() {
                names.push((alias, entry.1, false));
            }
        }
        Gazetteer { names }
    }

    /// The longest place name at the start of `text`, and its length in
    /// bytes. Of a province and a city with the same name (吉林), the
    /// province wins unless 市 follows.
    fn longest_at(&self, text: &str) -> Option<(Place, usize)> {
        self.names
            .iter()
            .filter(|(n, ..)| text.starts_with(n))
            .max_by_key(|(n, place, _)| {
                let city_named = text[n.len()..].starts_with('市');
                (n.len(), place.city.is_none() != city_named)
            })
            .map(|(n, place, _)| (*place, n.len()))
    }

    fn place_at(&self, text: &str) -> Option<Place> {
        self.longest_at(text).map(|(place, _)| place)
    }

    /// The city of that name (a municipality is its own city).
    fn city(&self, name: &str) -> Option<Place> {
        self.names
            .iter()
            .find(|(n, place, _)| *n == name && place.city == Some(name))
            .map(|e| e.1)
    }

    /// A place at the start of `text` that names a city (not a province).
    fn city_at(&self, text: &str) -> Option<Place> {
        self.place_at(text).filter(|p| p.city.is_some())
    }

    fn capital_of(&self, province: &str) -> Option<Place> {
        let capital = PROVINCES
            .iter()
            .find(|(p, _)| *p == province)?
            .1
            .split_whitespace()
            .next()?;
        self.names
            .iter()
            .find(|(n, place, _)| *n == capital && place.province == province)
            .map(|e| e.1)
    }

    /// The leftmost city or county of `province` inside `text`.
    fn city_of_province_in(&self, text: &str, province: &str) -> Option<Place> {
        char_starts(text).find_map(|i| {
            self.names
                .iter()
                .filter(|(n, place, _)| {
                    place.province == province && place.city.is_some() && text[i..].starts_with(n)
                })
                .max_by_key(|(n, ..)| n.len())
                .map(|e| e.1)
        })
    }

    /// The leftmost big city, or place followed by an administrative
    /// suffix, anywhere in `text`.
    fn anywhere(&self, text: &str) -> Option<Place> {
        char_starts(text).find_map(|i| {
            self.names
                .iter()
                .filter(|(n, ..)| text[i..].starts_with(n))
                .filter(|(n, _, big)| *big || has_admin_suffix(&text[i + n.len()..]))
                .max_by_key(|(n, ..)| n.len())
                .map(|e| e.1)
        })
    }
}

fn char_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.char_indices().map(|(i, _)| i)
}

fn has_admin_suffix(rest: &str) -> bool {
    ADMIN_SUFFIXES.iter().any(|s| rest.starts_with(s))
}

fn is_public(kind: Option<HolderKind>) -> bool {
    matches!(
        kind,
        Some(HolderKind::University | HolderKind::Institute | HolderKind::Other)
    )
}

/// `text` is exactly one place, perhaps with its suffix: 宁波, 浙江省, 吴江.
fn whole_place(text: &str) -> Option<Place> {
    let (place, len) = gazetteer().longest_at(text)?;
    let rest = &text[len..];
    (rest.is_empty() || ADMIN_SUFFIXES.contains(&rest)).then_some(place)
}

/// A place alone in parentheses inside the name: 甬矽电子(宁波)股份有限公司.
fn parenthesised_place(text: &str) -> Option<Place> {
    let mut rest = text;
    while let Some(open) = rest.find(['(', '（']) {
        let inner = after_open(rest, open);
        let close = inner.find([')', '）'])?;
        if let Some(place) = whole_place(&inner[..close]) {
            return Some(place);
        }
        rest = &inner[close..];
    }
    None
}

/// A city right after the first 大学 or 学院 of a university: 北京大学深圳
/// 研究生院, 浙江大学宁波理工学院, or a trailing (深圳) of a university.
fn branch_campus(main: &str, trailing: Option<Place>) -> Option<Place> {
    let end = ["大学", "学院"]
        .iter()
        .filter_map(|w| main.find(w).map(|i| i + w.len()))
        .min()?;
    gazetteer().city_at(&main[end..]).or(trailing)
}

/// Splits a trailing parenthesised part off a name:
/// `哈尔滨工业大学(深圳)` → (`哈尔滨工业大学`, `深圳`). Both ASCII and
/// full-width parentheses count. A closing parenthesis at the end goes with
/// its own opening one, so in `青岛山大齐鲁医院(山东大学齐鲁医院(青岛)` the
/// part is `青岛` and the unclosed `(山东大学齐鲁医院` stays in the name (the
/// kind reader drops it); a name that ends inside an unclosed parenthesis
/// loses everything from it.
pub(super) fn split_trailing_parenthesis(name: &str) -> (&str, Option<&str>) {
    let trimmed = name.trim_end();
    let Some(body) = trimmed
        .strip_suffix(')')
        .or_else(|| trimmed.strip_suffix('）'))
    else {
        // An unclosed parenthesis: everything after it is an alias.
        return match top_level_open(trimmed) {
            Some(open) => (&trimmed[..open], Some(after_open(trimmed, open))),
            None => (trimmed, None),
        };
    };
    // Find the parenthesis that this closing one matches.
    let mut depth = 0usize;
    for (i, c) in body.char_indices().rev() {
        match c {
            ')' | '）' => depth += 1,
            '(' | '（' if depth == 0 => return (&body[..i], Some(after_open(body, i))),
            '(' | '（' => depth -= 1,
            _ => {}
        }
    }
    (trimmed, None)
}

/// The first opening parenthesis that is never closed.
fn top_level_open(text: &str) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '(' | '（' => open.push(i),
            ')' | '）' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.first().copied()
}

fn after_open(text: &str, open: usize) -> &str {
    let width = text[open..].chars().next().map_or(1, char::len_utf8);
    &text[open + width..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(name: &str, kind: Option<HolderKind>) -> (Option<&str>, Option<&str>) {
        let r = derive_region(name, kind);
        (r.province, r.city)
    }

    #[test]
    fn a_seat_or_city_named_like_its_province_is_the_city() {
        assert_eq!(region("东北电力大学", None), (Some("吉林"), Some("吉林")));
        assert_eq!(
            region("吉林市某某有限公司", None),
            (Some("吉林"), Some("吉林"))
        );
        assert_eq!(region("吉林某某有限公司", None), (Some("吉林"), None));
    }

    #[test]
    fn every_zhejiang_city_is_known() {
        for city in [
            "杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水",
        ] {
            let name = format!("{city}某某科技有限公司");
            assert_eq!(region(&name, None), (Some("浙江"), Some(city)), "{name}");
        }
    }

    #[test]
    fn trailing_parenthesis_is_split_at_its_match() {
        assert_eq!(
            split_trailing_parenthesis("哈尔滨工业大学(深圳)"),
            ("哈尔滨工业大学", Some("深圳"))
        );
        assert_eq!(
            split_trailing_parenthesis("青岛山大齐鲁医院(山东大学齐鲁医院(青岛)"),
            ("青岛山大齐鲁医院(山东大学齐鲁医院", Some("青岛"))
        );
        assert_eq!(
            split_trailing_parenthesis("中国振华(集团)新云有限责任公司(国营第四三二六厂)"),
            ("中国振华(集团)新云有限责任公司", Some("国营第四三二六厂"))
        );
        assert_eq!(
            split_trailing_parenthesis("中国科学院(大连"),
            ("中国科学院", Some("大连"))
        );
        assert_eq!(split_trailing_parenthesis("浙江大学"), ("浙江大学", None));
    }

    #[test]
    fn parenthesised_place_inside_the_name() {
        assert_eq!(
            parenthesised_place("甬矽电子(宁波)股份有限公司").map(|p| p.city),
            Some(Some("宁波"))
        );
        assert_eq!(parenthesised_place("华锐风电科技(集团)股份有限公司"), None);
        assert_eq!(parenthesised_place("晶门科技（中国）有限公司"), None);
    }
}
