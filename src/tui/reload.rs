//! Live reload of a course folder (`eshikaku --content DIR`): lessons an instructor edits are
//! picked up while the TUI runs. A new version that does not pass the checks is not used: the
//! old lessons stay and the first problem is shown on the status line.

use super::app::{App, Screen};
use crate::content::Loaded;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often the folder is looked at.
pub const POLL: Duration = Duration::from_secs(1);
/// At most this many files are looked at (a course folder is small).
const MAX_ENTRIES: usize = 10_000;

/// A content folder and a fingerprint of its files (names, sizes, modification times).
pub struct Watch {
    dir: PathBuf,
    stamp: u64,
}

impl Watch {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            stamp: fingerprint(dir),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether a file was added, removed or modified since the last call that said so.
    pub fn changed(&mut self) -> bool {
        let now = fingerprint(&self.dir);
        let changed = now != self.stamp;
        self.stamp = now;
        changed
    }
}

/// A hash of every file's relative path, size and modification time below `dir` (symbolic
/// links are not followed).
fn fingerprint(dir: &Path) -> u64 {
    let mut entries = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(read) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in read.flatten() {
            if entries.len() >= MAX_ENTRIES {
                break;
            }
            let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
                continue;
            };
            if meta.is_dir() {
                todo.push(e.path());
            } else {
                entries.push((e.path(), meta.len(), meta.modified().ok()));
            }
        }
    }
    entries.sort();
    let mut h = DefaultHasher::new();
    entries.hash(&mut h);
    h.finish()
}

/// Whether the app may swap its lessons now: not in the middle of a practice, an exam or a
/// kernel run (their positions point into the current lessons).
pub fn can_swap(app: &App) -> bool {
    matches!(app.screen, Screen::Home | Screen::Lesson | Screen::Stats)
        && app.quiz.is_none()
        && app.exam.is_none()
        && app.run.is_none()
}

/// Uses the newly loaded lessons, or keeps the old ones and reports the first problem.
pub fn apply(app: &mut App, loaded: Loaded) {
    if let Some(first) = loaded.diagnostics.first() {
        app.status = Some(format!(
            "再読み込みできませんでした ({} 件の問題、前の版のまま): {first}",
            loaded.diagnostics.len()
        ));
        return;
    }
    let selected = app
        .current_lesson()
        .map(|e| e.lesson.id.clone())
        .unwrap_or_default();
    app.library = loaded.library;
    app.selected = app
        .library
        .lessons
        .iter()
        .position(|e| e.lesson.id == selected)
        .unwrap_or(0);
    app.study.refresh(&app.library, app.now);
    app.status = Some("レッスンを再読み込みしました".into());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_modified_file_is_noticed_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("a.yaml");
        std::fs::write(&f, "x: 1\n").expect("write");
        let mut w = Watch::new(dir.path());
        assert!(!w.changed());
        std::fs::write(&f, "x: 22\n").expect("write");
        assert!(w.changed());
        assert!(!w.changed());
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        std::fs::write(dir.path().join("sub/b.yaml"), "y").expect("write");
        assert!(w.changed());
    }
}
