use corpus::DemandProfile;

/// The query text for a search with a profile: the typed text, then the
/// profile's title, statement and keywords. Keywords are repeated in the
/// title's place so that what the enterprise names as its keywords weighs
/// like its title: repeated query terms weigh more in BM25.
pub(crate) fn query_text(text: &str, profile: Option<&DemandProfile>) -> String {
    let Some(profile) = profile else {
        return text.to_string();
    };
    let mut parts: Vec<&str> = Vec::new();
    if !text.trim().is_empty() {
        parts.push(text);
    }
    parts.push(&profile.title);
    parts.push(&profile.text);
    parts.extend(profile.keywords.iter().map(String::as_str));
    parts.retain(|p| !p.trim().is_empty());
    parts.join("。")
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn profile(title: &str, text: &str) -> DemandProfile {
        DemandProfile {
            id: "p1".into(),
            source: "test".into(),
            enterprise_id: "e1".into(),
            enterprise_name: None,
            title: title.into(),
            text: text.into(),
            keywords: Vec::new(),
            ipc_prefixes: Vec::new(),
            acceptable_modes: Default::default(),
            modes_text: None,
            budget_max_yuan: None,
            budget_min_yuan: None,
            budget_text: None,
            region: None,
            posted_on: None,
            created_at: Default::default(),
            updated_at: Default::default(),
            attributes: Default::default(),
        }
    }

    #[test]
    fn a_profile_adds_title_text_and_keywords() {
        let mut profile = profile("锂电池回收", "寻求废旧电池拆解技术");
        profile.keywords = vec!["梯次利用".into()];
        assert_eq!(
            query_text("正极材料", Some(&profile)),
            "正极材料。锂电池回收。寻求废旧电池拆解技术。梯次利用"
        );
        assert_eq!(query_text("正极材料", None), "正极材料");
        assert_eq!(
            query_text("", Some(&profile)),
            "锂电池回收。寻求废旧电池拆解技术。梯次利用"
        );
    }
}
