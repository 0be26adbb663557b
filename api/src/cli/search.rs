use super::args::{FilterArgs, PageArgs, RecommendArgs, SearchArgs, SimilarArgs};
use super::import::open_store;
use super::settings::Settings;
use anyhow::{bail, Context, Result};
use corpus::{HolderKind, ImplementationMode, IpcCode, PatentKind, Store};
use indexer::{Filter, ListingCard, QuerySyntax, Snapshot};
use ranker::{
    Hit, Ranker, RankerConfig, RecommendRequest, SearchRequest, SearchResponse, SimilarRequest,
};
use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;

pub fn search(settings: &Settings, args: &SearchArgs) -> Result<ExitCode> {
    let profile = match &args.profile {
        Some(id) => Some(
            open_store(settings)?
                .profile(id)?
                .with_context(|| format!("no demand profile with id {id:?}"))?,
        ),
        None => None,
    };
    if args.text.trim().is_empty() && profile.is_none() {
        bail!("give a query TEXT or --profile ID");
    }
    let request = SearchRequest {
        text: args.text.clone(),
        profile,
        filter: filter(&args.filter)?,
        syntax: if args.plain {
            QuerySyntax::Plain
        } else {
            QuerySyntax::Operators
        },
        retrieval: args.method.as_deref().map(str::parse).transpose()?,
        offset: args.page.offset,
        limit: args.page.limit,
        explain: args.explain,
        exclude: HashSet::new(),
    };
    let response = open_ranker(settings)?.search(&request)?;
    print(&response, &args.page)
}

pub fn similar(settings: &Settings, args: &SimilarArgs) -> Result<ExitCode> {
    let request = SimilarRequest {
        id: args.id.clone(),
        filter: filter(&args.filter)?,
        offset: args.page.offset,
        limit: args.page.limit,
        exclude: HashSet::new(),
    };
    let response = open_ranker(settings)?.similar(&request)?;
    print(&response, &args.page)
}

pub fn recommend(settings: &Settings, args: &RecommendArgs) -> Result<ExitCode> {
    let request = RecommendRequest {
        positive: args.keep.clone(),
        negative: args.reject.clone(),
        filter: filter(&args.filter)?,
        offset: args.page.offset,
        limit: args.page.limit,
        exclude: args.seen.iter().cloned().collect(),
    };
    let response = open_ranker(settings)?.recommend(&request)?;
    print(&response, &args.page)
}

pub fn open_ranker(settings: &Settings) -> Result<Ranker> {
    let index = settings.index_config();
    let snapshot = Snapshot::open(&index)
        .with_context(|| format!("opening the index in {}", index.dir.display()))?;
    let embedder = models::Embedder::load(&settings.model_config()).with_context(|| {
        format!(
            "loading the model from {} (run `patmatch model fetch`)",
            settings.model_dir.display()
        )
    })?;
    Ok(Ranker::new(
        Arc::new(snapshot),
        Arc::new(embedder),
        RankerConfig::default(),
    ))
}

/// The filter the flags describe; each bad value names its flag.
fn filter(args: &FilterArgs) -> Result<Filter> {
    fn each<T: std::str::FromStr>(flag: &str, values: &[String]) -> Result<Vec<T>>
    where
        T::Err: std::fmt::Display,
    {
        values
            .iter()
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|e| anyhow::anyhow!("--{flag} {v:?}: {e}"))
            })
            .collect()
    }
    Ok(Filter {
        searchable_on: if args.any_status {
            None
        } else {
            Some(args.on.unwrap_or_else(|| chrono::Local::now().date_naive()))
        },
        modes: each::<ImplementationMode>("mode", &args.modes)?,
        max_fee: args.max_fee.as_deref().map(parse_fee).transpose()?,
        holder_kinds: each::<HolderKind>("holder-kind", &args.holder_kinds)?,
        holder: args.holder.clone(),
        ipc_prefix: args
            .ipc
            .as_deref()
            .map(|code| IpcCode::parse(code).map_err(|e| anyhow::anyhow!("--ipc {code:?}: {e}")))
            .transpose()?,
        patent_kinds: each::<PatentKind>("patent-kind", &args.patent_kinds)?,
        announced_from: args.announced_from,
        announced_to: args.announced_to,
    })
}

/// Yuan from `500000`, `50万` or `1.5万元`.
fn parse_fee(text: &str) -> Result<u64> {
    let bad = || {
        anyhow::anyhow!(
            "--max-fee {text:?}: not an amount (yuan such as 500000, or 万元 such as 50万)"
        )
    };
    let trimmed = text.trim().trim_end_matches('元');
    let (number, scale) = match trimmed.strip_suffix('万') {
        Some(number) => (number, 10_000.0),
        None => (trimmed, 1.0),
    };
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    if !value.is_finite() || value < 0.0 {
        return Err(bad());
    }
    Ok((value * scale).round() as u64)
}

fn print(response: &SearchResponse, page: &PageArgs) -> Result<ExitCode> {
    if page.json {
        say!("{}", serde_json::to_string_pretty(response)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if response.hits.is_empty() {
        say!("no listing matches")?;
    }
    for hit in &response.hits {
        print_hit(hit)?;
    }
    say!(
        "\n{} candidates; showing {}–{}",
        response.total,
        response.offset + 1.min(response.hits.len()),
        response.offset + response.hits.len()
    )?;
    let facets = &response.facets;
    for (name, counts) in [
        ("方式", &facets.modes),
        ("持有人", &facets.holder_kinds),
        ("IPC部", &facets.ipc_sections),
        ("类型", &facets.patent_kinds),
    ] {
        let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        if !parts.is_empty() {
            say!("{name}: {}", parts.join(" · "))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_hit(hit: &Hit) -> std::io::Result<()> {
    let card = &hit.card;
    say!("{:>3}. {}  {}", hit.rank, hit.id, card.title)?;
    let mut who = vec![card.holder.clone().unwrap_or_else(|| "持有人未知".into())];
    who.extend(card.holder_kind.map(|k| k.to_string()));
    who.push(card.patent_kind.to_string());
    who.extend(
        card.application_number
            .iter()
            .map(|n| format!("申请号 {n}")),
    );
    say!("     {}", who.join(" · "))?;
    let modes: Vec<&str> = card.modes.iter().map(|m| m.as_str()).collect();
    say!(
        "     方式：{}  费用：{}",
        if modes.is_empty() {
            "未声明".to_string()
        } else {
            modes.join("、")
        },
        fee(card)
    )?;
    let s = &hit.score;
    let signal = |name: &str, sig: Option<ranker::Signal>| match sig {
        Some(sig) => format!("{name} {:.3} #{}", sig.score, sig.rank),
        None => format!("{name} –"),
    };
    say!(
        "     score {:.4} ({}, {}{})",
        s.fused,
        signal("BM25", s.bm25),
        signal("cosine", s.cosine),
        if s.ipc_preferred {
            ", IPC preferred"
        } else {
            ""
        }
    )?;
    if !hit.folded.is_empty() {
        say!("     also listed as {}", hit.folded.join(", "))?;
    }
    if let Some(explanation) = &hit.explanation {
        let matched: Vec<String> = explanation
            .matched
            .iter()
            .map(|m| format!("{}({})", m.term, m.fields.join(",")))
            .collect();
        say!("     matched: {}", matched.join(" "))?;
        if let Some(snippet) = &explanation.snippet {
            say!(
                "     {}: {}",
                snippet.field,
                highlighted(&snippet.text, &snippet.highlights)
            )?;
        }
        if !explanation.filters.is_empty() {
            say!("     filters: {}", explanation.filters.join("；"))?;
        }
    }
    Ok(())
}

fn fee(card: &ListingCard) -> String {
    match (card.fee_min, card.fee_max) {
        (Some(min), Some(max)) if min == max => format!("{} 元", min),
        (Some(min), Some(max)) => format!("{min}–{max} 元"),
        _ => "面议".to_string(),
    }
}

/// `text` with the char ranges marked 【…】.
fn highlighted(text: &str, ranges: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len() + ranges.len() * 6);
    for (i, c) in text.chars().enumerate() {
        if ranges.iter().any(|&(start, _)| start == i) {
            out.push('【');
        }
        out.push(c);
        if ranges.iter().any(|&(_, end)| end == i + 1) {
            out.push('】');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn fees_in_yuan_or_wan() {
        assert_eq!(parse_fee("500000").unwrap(), 500_000);
        assert_eq!(parse_fee("50万").unwrap(), 500_000);
        assert_eq!(parse_fee("1.5万元").unwrap(), 15_000);
        let err = parse_fee("五十万").unwrap_err().to_string();
        assert!(err.contains(r#"--max-fee "五十万""#), "{err}");
    }

    #[test]
    fn highlights_mark_char_ranges() {
        assert_eq!(
            highlighted("锂电池回收技术", &[(1, 3), (3, 5)]),
            "锂【电池】【回收】技术"
        );
    }
}
