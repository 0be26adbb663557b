use super::args::ShowArgs;
use super::import::open_store;
use super::settings::Settings;
use anyhow::{Context, Result};
use corpus::{Declaration, DemandProfile, Lifecycle, Listing, Store};
use serde::Serialize;
use std::process::ExitCode;

/// A listing with what the store knows about it over time.
#[derive(Serialize)]
struct ListingView<'a> {
    listing: &'a Listing,
    lifecycle: &'a Lifecycle,
    searchable_on: chrono::NaiveDate,
    searchable: bool,
    declaration_versions: usize,
}

pub fn listing(settings: &Settings, args: &ShowArgs) -> Result<ExitCode> {
    let store = open_store(settings)?;
    let listing = store.listing(&args.id)?.with_context(|| {
        format!(
            "no listing with id {:?} in {}",
            args.id,
            settings.store_path().display()
        )
    })?;
    let lifecycle = store.lifecycle(&args.id)?;
    let history = store.declaration_history(&args.id)?;
    let on = args.on.unwrap_or_else(|| chrono::Local::now().date_naive());
    let view = ListingView {
        listing: &listing,
        lifecycle: &lifecycle,
        searchable_on: on,
        searchable: lifecycle.is_searchable(on),
        declaration_versions: history.len(),
    };
    if args.json {
        say!("{}", serde_json::to_string_pretty(&view)?)?;
    } else {
        print_listing(&view)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn profile(settings: &Settings, args: &ShowArgs) -> Result<ExitCode> {
    let store = open_store(settings)?;
    let profile = store.profile(&args.id)?.with_context(|| {
        format!(
            "no demand profile with id {:?} in {}",
            args.id,
            settings.store_path().display()
        )
    })?;
    if args.json {
        say!("{}", serde_json::to_string_pretty(&profile)?)?;
    } else {
        print_profile(&profile)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_listing(view: &ListingView<'_>) -> std::io::Result<()> {
    let listing = view.listing;
    let patent = &listing.patent;
    say!("{}  {}", listing.id, patent.title)?;
    field("来源", &listing.source)?;
    field("类型", patent.kind.as_str())?;
    if let Some(number) = &patent.application_number {
        field("申请号", number.as_str())?;
    }
    if let Some(number) = &patent.publication_number {
        field("公开号", number.as_str())?;
    }
    if !patent.ipc.is_empty() {
        let codes: Vec<String> = patent.ipc.iter().map(ToString::to_string).collect();
        field("IPC", &codes.join("; "))?;
    }
    if let Some(date) = patent.application_date {
        field("申请日", &date.to_string())?;
    }
    match &listing.holder {
        Some(holder) => {
            let kind = holder.kind.map(|k| format!(" ({k})")).unwrap_or_default();
            field("权利人", &format!("{}{kind}", holder.name))?;
            if let Some(code) = &holder.credit_code {
                field("统一社会信用代码", code.as_str())?;
            }
        }
        None => field("权利人", "(未知)")?,
    }
    print_declaration(&listing.declaration)?;
    let state = if view.searchable {
        "可检索"
    } else {
        "不可检索"
    };
    field("状态", &format!("{state} ({})", view.searchable_on))?;
    for event in &view.lifecycle.events {
        field("记录", &serde_json::to_string(event).unwrap_or_default())?;
    }
    field("声明版本", &view.declaration_versions.to_string())?;
    for (key, value) in &listing.attributes {
        field(key, value)?;
    }
    if !patent.abstract_text.is_empty() {
        say!("\n摘要\n{}", patent.abstract_text)?;
    }
    if let Some(claim) = patent.first_claim() {
        say!("\n首项权利要求\n{claim}")?;
    }
    Ok(())
}

fn print_declaration(declaration: &Declaration) -> std::io::Result<()> {
    if declaration.is_undeclared() {
        return field("声明", "(来源未声明实施方式与费用)");
    }
    let modes: Vec<&str> = declaration.modes.iter().map(|m| m.as_str()).collect();
    let mut modes = modes.join("、");
    if let Some(text) = &declaration.modes_text {
        modes.push_str(&format!(" (原文: {text})"));
    }
    if declaration.modes_unparsed {
        modes.push_str(" [含未能识别的文字]");
    }
    field("实施方式", &modes)?;
    let fee = &declaration.fee;
    let mut parts: Vec<String> = Some(fee.summary())
        .filter(|s| !s.is_empty())
        .into_iter()
        .collect();
    if let Some(raw) = &fee.raw {
        parts.push(format!("(原文: {raw})"));
    }
    if fee.unparsed {
        parts.push("[未能解析]".to_string());
    }
    field("费用标准", &parts.join(" "))?;
    if let Some(date) = declaration.announced_on {
        field("公告日", &date.to_string())?;
    }
    Ok(())
}

fn print_profile(profile: &DemandProfile) -> std::io::Result<()> {
    say!("{}  {}", profile.id, profile.title)?;
    field("来源", &profile.source)?;
    field("企业", &profile.enterprise_id)?;
    if let Some(name) = &profile.enterprise_name {
        field("企业名称", name)?;
    }
    if !profile.keywords.is_empty() {
        field("关键词", &profile.keywords.join("、"))?;
    }
    if !profile.ipc_prefixes.is_empty() {
        let codes: Vec<String> = profile
            .ipc_prefixes
            .iter()
            .map(ToString::to_string)
            .collect();
        field("IPC 偏好", &codes.join("; "))?;
    }
    if !profile.acceptable_modes.is_empty() || profile.modes_text.is_some() {
        let modes: Vec<&str> = profile
            .acceptable_modes
            .iter()
            .map(|m| m.as_str())
            .collect();
        let raw = profile
            .modes_text
            .as_deref()
            .map(|t| format!(" (原文: {t})"))
            .unwrap_or_default();
        field("可接受方式", &format!("{}{raw}", modes.join("、")))?;
    }
    let budget = match (profile.budget_min_yuan, profile.budget_max_yuan) {
        (Some(min), Some(max)) => Some(format!("{min}–{max} 元")),
        (Some(min), None) => Some(format!("≥ {min} 元")),
        (None, Some(max)) => Some(format!("≤ {max} 元")),
        (None, None) => None,
    };
    if let Some(budget) = budget {
        let raw = profile
            .budget_text
            .as_deref()
            .map(|t| format!(" (原文: {t})"))
            .unwrap_or_default();
        field("预算", &format!("{budget}{raw}"))?;
    }
    if let Some(region) = &profile.region {
        field("地区", region)?;
    }
    if let Some(date) = profile.posted_on {
        field("发布日", &date.to_string())?;
    }
    for (key, value) in &profile.attributes {
        field(key, value)?;
    }
    if !profile.text.is_empty() {
        say!("\n需求\n{}", profile.text)?;
    }
    Ok(())
}

fn field(name: &str, value: &str) -> std::io::Result<()> {
    say!("  {name}: {value}")
}
