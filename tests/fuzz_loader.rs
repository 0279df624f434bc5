//! A mutation fuzzer for the lesson loader, on the stable toolchain.
//!
//! Starts from the real lessons in `content/` and mutates them (bit flips, inserted and deleted
//! bytes, lines spliced from other lessons, YAML-specific tokens, re-indentation, absurd
//! values) before running them through parse + validate ([`check_set`]), the path every
//! content file takes. Zero panics allowed; every diagnostic must point inside the file.
//!
//! The normal suite runs a short smoke round. The long run is ignored by default:
//!
//! ```text
//! ESHIKAKU_FUZZ_EXECS=1000000 cargo test --test fuzz_loader -- --ignored --nocapture
//! ```
//!
//! `ESHIKAKU_FUZZ_SEED` picks another sequence. An input that panics (or gets a diagnostic
//! pointing outside the file) is written to `target/fuzz-crashes/` and the run fails; turn it
//! into a regression test in `hostile.rs`.

mod fuzz;

use eshikaku::content::check::check_set;
use eshikaku::content::diagnostic::Diagnostic;
use eshikaku::content::source::{self, SourceFile};
use fuzz::{Mutator, Rng};
use std::panic::{AssertUnwindSafe, catch_unwind};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Runs `execs` mutated inputs; returns how many failed (each saved to `target/fuzz-crashes`).
fn fuzz(execs: u64, seed: u64) -> u64 {
    let corpus = source::builtin();
    let texts: Vec<Vec<u8>> = corpus.iter().map(|f| f.text.clone().into_bytes()).collect();
    let chapters = corpus.iter().find(|f| f.is_chapter_list()).cloned();
    let lessons: Vec<&SourceFile> = corpus.iter().filter(|f| !f.is_chapter_list()).collect();
    let mut rng = Rng::new(seed);
    let mutator = Mutator::new(&texts);
    let mut failures = 0;
    let mut diagnostics = 0u64;
    for exec in 0..execs {
        let base = lessons[rng.below(lessons.len())];
        let bytes = mutator.mutate(base.text.as_bytes(), &mut rng);
        let mutated = SourceFile {
            text: String::from_utf8_lossy(&bytes).into_owned(),
            ..base.clone()
        };
        let mut files = vec![mutated];
        // Now and then mutate the chapter list too, or add a second lesson (duplicate ids).
        if let Some(c) = &chapters {
            let mut c = c.clone();
            if rng.below(8) == 0 {
                c.text = String::from_utf8_lossy(&mutator.mutate(c.text.as_bytes(), &mut rng))
                    .into_owned();
            }
            files.push(c);
        }
        if rng.below(8) == 0 {
            files.push(lessons[rng.below(lessons.len())].clone());
        }
        match catch_unwind(AssertUnwindSafe(|| check_set(&files, &[]))) {
            Ok(set) => {
                diagnostics += set.diagnostics.len() as u64;
                if let Some(d) = misplaced(&files, &set.diagnostics) {
                    failures += 1;
                    save_input(exec, &files, &format!("position outside the file: {d}"));
                }
            }
            Err(_) => {
                failures += 1;
                save_input(exec, &files, "panic");
            }
        }
    }
    eprintln!(
        "fuzz: {execs} executions, seed {seed}, {failures} failures, {diagnostics} diagnostics"
    );
    failures
}

/// A diagnostic that names no file of the set, or a line the file does not have (a set may
/// hold two files with the same path: the mutated lesson and the original).
fn misplaced<'a>(files: &[SourceFile], diags: &'a [Diagnostic]) -> Option<&'a Diagnostic> {
    diags.iter().find(|d| {
        !files.iter().filter(|f| f.path == d.path).any(|f| {
            let lines = f.text.split(['\n', '\r']).count().max(1);
            d.pos.line >= 1 && d.pos.line <= lines && d.pos.col >= 1
        })
    })
}

/// Keeps a failing input (every file of the set) for a regression test.
fn save_input(exec: u64, files: &[SourceFile], what: &str) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("../fuzz-crashes")
        .join(exec.to_string());
    for (i, f) in files.iter().enumerate() {
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(
            dir.join(format!("{i}-{}", f.rel.replace('/', "_"))),
            &f.text,
        );
    }
    eprintln!(
        "fuzz: {what} on exec {exec}; input saved to {}",
        dir.display()
    );
}

/// A short round in the normal suite: the harness itself keeps working.
#[test]
fn fuzz_smoke() {
    assert_eq!(fuzz(env_u64("ESHIKAKU_FUZZ_SMOKE_EXECS", 1_500), 1), 0);
}

/// The long run (see the module docs); count from `ESHIKAKU_FUZZ_EXECS`.
#[test]
#[ignore = "long: run with ESHIKAKU_FUZZ_EXECS=1000000 -- --ignored"]
fn fuzz_long() {
    let execs = env_u64("ESHIKAKU_FUZZ_EXECS", 100_000);
    let seed = env_u64("ESHIKAKU_FUZZ_SEED", 0);
    assert_eq!(
        fuzz(execs, seed),
        0,
        "panics found: see target/fuzz-crashes/"
    );
}
