//! Command-line parsing, settings and the subcommands.

/// `println!` that returns the write error instead of panicking, so that a
/// closed pipe (`patmatch … | head`) ends the program quietly.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

mod args;
mod classify;
mod import;
mod index;
mod ipc;
mod keys;
mod logging;
mod model;
mod push;
mod search;
mod serve;
mod settings;
mod show;

pub use args::Args;

use anyhow::Result;
use args::{Command, KeysCommand, ListingsCommand, ModelCommand, ProfilesCommand, PushCommand};
use settings::Settings;
use std::process::ExitCode;

pub fn run(args: Args) -> Result<ExitCode> {
    let settings = Settings::resolve(&args.global)?;
    logging::init_logging(settings.log.as_deref(), args.global.verbose);
    tracing::debug!(?settings, "settings resolved");
    match args.command {
        Command::Import(import) => import::run(&settings, &import),
        Command::Listings {
            command: ListingsCommand::Show(show),
        } => show::listing(&settings, &show),
        Command::Profiles {
            command: ProfilesCommand::Show(show),
        } => show::profile(&settings, &show),
        Command::Index(index) => index::run(&settings, &index),
        Command::Search(args) => search::search(&settings, &args),
        Command::Similar(args) => search::similar(&settings, &args),
        Command::Recommend(args) => search::recommend(&settings, &args),
        Command::Classify(args) => classify::run(&settings, &args),
        Command::Push { command } => match command {
            PushCommand::Run(args) => push::run(&settings, &args),
            PushCommand::List(args) => push::list(&settings, &args),
            PushCommand::Feedback(args) => push::feedback(&settings, &args),
        },
        Command::Serve(args) => serve::run(&settings, &args),
        Command::Keys { command } => match command {
            KeysCommand::Create(args) => keys::create(&settings, &args),
            KeysCommand::List { json } => keys::list(&settings, json),
            KeysCommand::Revoke { id } => keys::revoke(&settings, &id),
        },
        Command::Model { command } => match command {
            ModelCommand::Fetch(fetch) => model::fetch(&settings, &fetch),
            ModelCommand::Info => model::info(&settings),
            ModelCommand::Embed(embed) => model::embed(&settings, &embed),
        },
    }
}
