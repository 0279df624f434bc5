//! `eshikaku show LESSON`.

use std::path::Path;
use std::process::ExitCode;

pub fn main(folder: Option<&Path>, id: &str, answers: bool) -> ExitCode {
    let lib = super::load_library(folder);
    let Some(entry) = lib.lesson(id) else {
        eprintln!(
            "error: no lesson `{id}`; lessons: {}",
            lib.lessons
                .iter()
                .map(|l| l.lesson.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return ExitCode::from(2);
    };
    let cols = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|c| *c >= 20)
        .unwrap_or(80);
    print!(
        "{}",
        super::text::lesson(
            &entry.lesson,
            lib.chapter_title(&entry.lesson.chapter),
            cols,
            answers
        )
    );
    ExitCode::SUCCESS
}
