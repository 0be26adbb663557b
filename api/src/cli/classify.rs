use super::args::ClassifyArgs;
use anyhow::{bail, Result};
use ranker::{classify_holder, read_modes};
use std::process::ExitCode;

pub fn run(args: &ClassifyArgs) -> Result<ExitCode> {
    if args.holders.is_empty() && args.modes.is_empty() {
        bail!("give at least one --holder NAME or --modes TEXT");
    }
    let holders: Vec<_> = args
        .holders
        .iter()
        .map(|name| (name, classify_holder(name)))
        .collect();
    let modes: Vec<_> = args
        .modes
        .iter()
        .map(|text| (text, read_modes(text)))
        .collect();
    if args.json {
        let holders: Vec<_> = holders
            .iter()
            .map(|(name, class)| serde_json::json!({"holder": name, "class": class}))
            .collect();
        let modes: Vec<_> = modes
            .iter()
            .map(|(text, reading)| serde_json::json!({"text": text, "reading": reading}))
            .collect();
        say!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"holders": holders, "modes": modes}))?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    for (name, class) in &holders {
        let kind = class
            .kind
            .map_or("（不确定）".to_string(), |k| k.to_string());
        let region: Vec<&str> = class.province.iter().chain(&class.city).copied().collect();
        say!(
            "{name}: {kind} (confidence {:.2}, rule {}){}",
            class.confidence,
            class.rule,
            if region.is_empty() {
                String::new()
            } else {
                format!(" · {}", region.join(" "))
            }
        )?;
    }
    for (text, reading) in &modes {
        let found: Vec<&str> = reading.modes.iter().map(|m| m.as_str()).collect();
        say!(
            "{text}: {} (confidence {:.2}){}",
            if found.is_empty() {
                "（无法识别）".to_string()
            } else {
                found.join("、")
            },
            reading.confidence,
            if reading.unparsed.is_empty() {
                String::new()
            } else {
                format!(" · unparsed: {}", reading.unparsed.join("、"))
            }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
