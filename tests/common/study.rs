//! A small fixed library for the study-engine tests (its questions never change with the course).

use eshikaku::content::{self, Library};
use std::path::Path;

/// The two lessons of `tests/fixtures/study`.
pub fn library() -> Library {
    let builtin = content::check_builtin();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/study");
    let set = content::check_folder(&dir, &builtin.chapters);
    assert!(set.diagnostics.is_empty(), "{:?}", set.diagnostics);
    Library {
        chapters: set.chapters,
        lessons: set.lessons,
    }
}

/// 2026-12-01 09:00 UTC, a fixed "now".
pub const NOW: i64 = 1_796_115_600_000;
