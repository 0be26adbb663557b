//! The `patmatch` command line. See `patmatch --help`.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run(cli::Args::parse()) {
        Ok(code) => code,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line, which is what
            // a user needs to see which file or field went wrong.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
