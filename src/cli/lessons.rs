//! `eshikaku lessons check|schema`.

use crate::content;
use eshikaku_kernels::registry;
use std::path::Path;
use std::process::ExitCode;

/// Validates the built-in lessons, or the lessons in `dir`; exit 1 if anything is wrong.
pub fn check(dir: Option<&Path>) -> ExitCode {
    let set = match dir {
        None => content::check_builtin(),
        Some(d) => content::check_folder(d, &content::check_builtin().chapters),
    };
    if set.diagnostics.is_empty() {
        let questions: usize = set.lessons.iter().map(|l| l.lesson.questions.len()).sum();
        println!(
            "{} lessons, {} questions, {} kernels: ok",
            set.lessons.len(),
            questions,
            registry::all().len()
        );
        ExitCode::SUCCESS
    } else {
        for d in &set.diagnostics {
            println!("{d}");
        }
        eprintln!("{} problem(s) found", set.diagnostics.len());
        ExitCode::from(1)
    }
}

/// Prints the JSON Schema of a lesson file.
pub fn schema() -> ExitCode {
    let schema = schemars::schema_for!(content::model::Lesson);
    match serde_json::to_string_pretty(&schema) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write the schema: {e}");
            ExitCode::from(2)
        }
    }
}
