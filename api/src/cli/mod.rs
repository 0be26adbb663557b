//! Command-line parsing, settings and the subcommands.

mod args;
mod import;
mod logging;
mod settings;
mod show;

pub use args::Args;

use anyhow::Result;
use args::{Command, ListingsCommand, ProfilesCommand};
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
    }
}
