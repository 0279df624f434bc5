//! Lessons: the YAML content model, loading (built-in + `--content DIR`) and validation.

pub mod check;
pub mod code;
pub mod diagnostic;
pub mod limits;
pub mod model;
pub mod relevant;
pub mod safe_text;
pub mod source;
pub mod stats;
pub mod yaml;

use check::{LessonEntry, check_set};
use diagnostic::Diagnostic;
use model::{Chapter, Lesson};
use std::path::Path;

/// The lessons available to the app, in teaching order.
#[derive(Debug, Default)]
pub struct Library {
    pub chapters: Vec<Chapter>,
    /// Sorted by chapter (in `chapters` order), then `order`, then id.
    pub lessons: Vec<LessonEntry>,
}

impl Library {
    /// The lesson with id `id`.
    pub fn lesson(&self, id: &str) -> Option<&LessonEntry> {
        self.lessons.iter().find(|l| l.lesson.id == id)
    }

    /// The title of chapter `id` (the id itself if unknown).
    pub fn chapter_title<'a>(&'a self, id: &'a str) -> &'a str {
        self.chapters
            .iter()
            .find(|c| c.id == id)
            .map_or(id, |c| c.title.as_str())
    }

    /// Total number of questions.
    pub fn question_count(&self) -> usize {
        self.lessons.iter().map(|l| l.lesson.questions.len()).sum()
    }

    fn sort(&mut self) {
        let rank = |l: &Lesson| {
            self.chapters
                .iter()
                .position(|c| c.id == l.chapter)
                .unwrap_or(usize::MAX)
        };
        let mut keyed: Vec<_> = std::mem::take(&mut self.lessons)
            .into_iter()
            .map(|e| ((rank(&e.lesson), e.lesson.order, e.lesson.id.clone()), e))
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        self.lessons = keyed.into_iter().map(|(_, e)| e).collect();
    }
}

/// A loaded library and every problem found on the way.
#[derive(Debug, Default)]
pub struct Loaded {
    pub library: Library,
    pub diagnostics: Vec<Diagnostic>,
}

/// The built-in lessons, plus (if given) the lessons of `folder`, which override built-in
/// lessons with the same id. Files with problems are skipped and reported.
pub fn load(folder: Option<&Path>) -> Loaded {
    let builtin = check_set(&source::builtin(), &[]);
    let mut library = Library {
        chapters: builtin.chapters,
        lessons: builtin.lessons,
    };
    let mut diagnostics = builtin.diagnostics;
    if let Some(dir) = folder {
        let extra = check_folder(dir, &library.chapters);
        for c in extra.chapters {
            match library.chapters.iter_mut().find(|k| k.id == c.id) {
                Some(k) => *k = c,
                None => library.chapters.push(c),
            }
        }
        for l in extra.lessons {
            library.lessons.retain(|k| k.lesson.id != l.lesson.id);
            library.lessons.push(l);
        }
        diagnostics.extend(extra.diagnostics);
    }
    library.sort();
    Loaded {
        library,
        diagnostics,
    }
}

/// Checks only the built-in content.
pub fn check_builtin() -> check::CheckedSet {
    check_set(&source::builtin(), &[])
}

/// Checks the files of `dir`, resolving chapters against `known_chapters` too.
pub fn check_folder(dir: &Path, known_chapters: &[Chapter]) -> check::CheckedSet {
    match source::folder(dir) {
        Ok((files, problems)) => {
            let mut set = check_set(&files, known_chapters);
            set.diagnostics.extend(
                problems
                    .iter()
                    .map(|(path, msg)| Diagnostic::new(path, yaml::Pos::START, msg.clone())),
            );
            set.diagnostics.sort();
            set
        }
        Err((path, message)) => check::CheckedSet {
            diagnostics: vec![Diagnostic::new(&path, yaml::Pos::START, message)],
            ..Default::default()
        },
    }
}
