//! The command line: `eshikaku` alone opens the TUI; subcommands work without it.

mod ask;
mod exam;
mod lessons;
mod list;
mod progress;
mod quiz;
mod run;
mod settings;
mod show;
mod stats;
mod text;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// A terminal study-and-exam companion for the JDLA E資格 (Deep Learning for Engineer).
///
/// Without a command, opens the study TUI on the built-in lessons.
#[derive(Debug, Parser)]
#[command(name = "eshikaku", version, about, long_about = None)]
pub struct Cli {
    /// Also load lessons from DIR (they override built-in lessons with the same id).
    #[arg(long, global = true, value_name = "DIR")]
    pub content: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List chapters, lessons and kernels.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run a kernel and print what it computes, step by step.
    Run {
        /// Kernel id (see `eshikaku list`).
        kernel: String,
        /// Random seed; the same seed gives the same run.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Set a knob, e.g. `--set lr=0.001` (repeatable).
        #[arg(long = "set", value_name = "KNOB=VALUE")]
        set: Vec<String>,
        /// Print one JSON document (config, steps, metrics) instead of text.
        #[arg(long, conflicts_with = "steps")]
        json: bool,
        /// Pause after each step until Enter is pressed.
        #[arg(long)]
        steps: bool,
    },
    /// Print a lesson as text (without the answer keys unless --answers).
    Show {
        /// Lesson id (see `eshikaku list`).
        lesson: String,
        /// Also print the answer keys and explanations.
        #[arg(long)]
        answers: bool,
    },
    /// Practise questions: one answer number per line on stdin, feedback after each.
    ///
    /// Wrong answers come back at the end of the round; every answer updates the question's
    /// review schedule (FSRS). Scriptable: `printf '1\n3\n' | eshikaku quiz --lesson gan`.
    Quiz {
        /// Only this lesson's questions.
        #[arg(long, value_name = "ID")]
        lesson: Option<String>,
        /// Only this chapter's questions.
        #[arg(long, value_name = "ID", conflicts_with = "lesson")]
        chapter: Option<String>,
        /// Review: questions due today first, then new ones up to the daily limit.
        #[arg(long)]
        due: bool,
        /// Ask at most N questions.
        #[arg(long, value_name = "N")]
        n: Option<usize>,
        /// Seed for the order and the shuffled choices (default: the time).
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
    },
    /// A timed mock exam (default 100 questions in 120 minutes, 72 s per question).
    ///
    /// One answer number per line on stdin (an empty line skips); no feedback until the end,
    /// then the score overall, per chapter and per syllabus area, and every wrong answer.
    Exam {
        /// Number of questions (default 100, or all when the bank is smaller).
        #[arg(long, value_name = "N")]
        questions: Option<usize>,
        /// Time allowed in minutes (default: 72 s per question).
        #[arg(long, value_name = "M")]
        minutes: Option<f64>,
        /// Seed for the draw and the shuffled choices (default: the time).
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
    },
    /// Study statistics: progress per chapter and lesson, reviews due, exam history.
    Stats {
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Export saved progress to JSON, or import (merge) such a file.
    Progress {
        #[command(subcommand)]
        command: progress::ProgressCommand,
    },
    /// List settings, show one, or set one: `eshikaku settings retention 0.85`.
    Settings {
        /// `retention` or `daily_new`.
        key: Option<String>,
        /// The new value.
        value: Option<String>,
    },
    /// Tools for lesson authors.
    Lessons {
        #[command(subcommand)]
        command: LessonsCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum LessonsCommand {
    /// Validate lesson files and print every problem as `path:line:column: message`.
    Check {
        /// Folder of lesson files to check (default: the built-in lessons).
        dir: Option<PathBuf>,
    },
    /// Print the JSON Schema of the lesson format (for editor completion).
    Schema,
    /// Write a lesson skeleton to DIR/<NN_chapter>/ID.yaml (and DIR/lesson.schema.json).
    New {
        /// Lesson id (lowercase ASCII letters, digits, `-`, `_`); also the file name.
        id: String,
        /// Chapter id, e.g. `normalization` (see `content/chapters.yaml`).
        #[arg(long)]
        chapter: String,
        /// Content folder to write into (default: `content/`).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// Runs the parsed command line.
pub fn dispatch(cli: Cli) -> ExitCode {
    crate::crash::debug_trigger("cli");
    match cli.command {
        None => crate::tui::main(cli.content.as_deref()),
        Some(Command::List { json }) => list::main(cli.content.as_deref(), json),
        Some(Command::Run {
            kernel,
            seed,
            set,
            json,
            steps,
        }) => run::main(&kernel, seed, &set, json, steps),
        Some(Command::Show { lesson, answers }) => {
            show::main(cli.content.as_deref(), &lesson, answers)
        }
        Some(Command::Quiz {
            lesson,
            chapter,
            due,
            n,
            seed,
        }) => quiz::main(
            cli.content.as_deref(),
            &quiz::QuizArgs {
                lesson: lesson.as_deref(),
                chapter: chapter.as_deref(),
                due,
                n,
                seed,
            },
        ),
        Some(Command::Exam {
            questions,
            minutes,
            seed,
        }) => exam::main(cli.content.as_deref(), questions, minutes, seed),
        Some(Command::Stats { json }) => stats::main(cli.content.as_deref(), json),
        Some(Command::Progress { command }) => progress::main(&command),
        Some(Command::Settings { key, value }) => settings::main(key.as_deref(), value.as_deref()),
        Some(Command::Lessons { command }) => match command {
            LessonsCommand::Check { dir } => {
                lessons::check(dir.as_deref().or(cli.content.as_deref()))
            }
            LessonsCommand::Schema => lessons::schema(),
            LessonsCommand::New { id, chapter, dir } => lessons::new(&id, &chapter, dir.as_deref()),
        },
    }
}

/// Loads the library for a command, printing any problems to stderr.
fn load_library(folder: Option<&std::path::Path>) -> crate::content::Library {
    let loaded = crate::content::load(folder);
    for d in &loaded.diagnostics {
        eprintln!("warning: {d}");
    }
    if !loaded.diagnostics.is_empty() {
        eprintln!(
            "warning: files with problems were skipped; run `eshikaku lessons check` for details"
        );
    }
    loaded.library
}
