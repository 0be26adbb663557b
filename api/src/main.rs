//! The `patmatch` command line. See `patmatch --help`.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    models::pin_thread_count();
    match cli::run(cli::Args::parse()) {
        Ok(code) => code,
        // The reader went away (`| head`): not an error of ours.
        Err(err)
            if err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            // `{:#}` prints the whole context chain on one line, which is what
            // a user needs to see which file or field went wrong.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
