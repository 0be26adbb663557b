//! The `patmatch` command line. See `patmatch --help`.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    pin_thread_count();
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

/// candle sizes its matmul thread pool from RAYON_NUM_THREADS and, when that
/// is unset, counts the CPUs again on every matmul, about a hundred times per
/// query. Setting it once here, before any thread exists, saves that work.
fn pin_thread_count() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        std::env::set_var("RAYON_NUM_THREADS", threads.to_string());
    }
}
