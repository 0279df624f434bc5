//! The `eshikaku` command.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    eshikaku::cli::dispatch(eshikaku::cli::Cli::parse())
}
