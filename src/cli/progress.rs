//! `eshikaku progress export|import`: saved progress as a JSON file.

use crate::study::export::Export;
use crate::study::store::Store;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ProgressCommand {
    /// Write all saved progress as JSON (format described in docs/progress-format.md).
    Export {
        /// Write to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Merge a progress export into the saved progress (importing twice adds nothing).
    Import {
        /// A file written by `eshikaku progress export`.
        file: PathBuf,
    },
}

/// Opens the progress store, printing its warnings to stderr.
pub fn open_store() -> Store {
    let (store, warnings) = Store::open_default();
    for w in warnings {
        eprintln!("warning: {w}");
    }
    store
}

pub fn main(command: &ProgressCommand) -> ExitCode {
    match command {
        ProgressCommand::Export { out } => export(out.as_deref()),
        ProgressCommand::Import { file } => import(file),
    }
}

fn export(out: Option<&Path>) -> ExitCode {
    let store = open_store();
    let json = match store.export() {
        Ok(e) => serde_json::to_string_pretty(&e),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let json = match json {
        Ok(j) => j + "\n",
        Err(e) => {
            eprintln!("error: cannot write the export as JSON: {e}");
            return ExitCode::from(1);
        }
    };
    match out {
        None => print!("{json}"),
        Some(path) => {
            if let Err(e) = std::fs::write(path, json) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::from(1);
            }
            eprintln!("progress exported to {}", path.display());
        }
    }
    ExitCode::SUCCESS
}

fn import(file: &Path) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let export = match Export::from_json(&text) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let store = open_store();
    match store.import(&export) {
        Ok(summary) if summary.total() == 0 => {
            println!(
                "nothing new: everything in {} is already saved",
                file.display()
            );
            ExitCode::SUCCESS
        }
        Ok(summary) => {
            println!("imported from {}: {summary}", file.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
