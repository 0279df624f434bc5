//! `eshikaku stats`, `progress export|import` and `settings` on the real binary, each with its
//! own data folder (`ESHIKAKU_HOME`).

use eshikaku::study::records::{AnswerRecord, CardState, Mode, QuestionKey, Rating};
use eshikaku::study::store::{FILE_NAME, Store};
use std::path::Path;
use std::process::Command;

/// Runs the binary with `ESHIKAKU_HOME=home`: `(exit code, stdout, stderr)`.
fn run(home: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_eshikaku"))
        .args(args)
        .env("ESHIKAKU_HOME", home)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The first question of the built-in content.
fn first_question() -> QuestionKey {
    let lib = eshikaku::content::load(None).library;
    let l = lib
        .lessons
        .iter()
        .find(|l| !l.lesson.questions.is_empty())
        .expect("built-in content has questions");
    QuestionKey::new(&l.lesson.id, &l.lesson.questions[0].id)
}

/// A data folder holding one answer and its card, a lesson opened and a setting.
fn filled_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let (store, warnings) = Store::open(&home.path().join(FILE_NAME));
    assert!(warnings.is_empty(), "{warnings:?}");
    let key = first_question();
    let now = 1_790_000_000_000;
    let answer = AnswerRecord {
        key: key.clone(),
        at: now,
        took_ms: 15_000,
        correct: true,
        rating: Some(Rating::Easy),
        mode: Mode::Review,
    };
    let card = CardState {
        key: key.clone(),
        stability: 8.0,
        difficulty: 4.0,
        last_review: now,
        due: now + 8 * 86_400_000,
        reps: 1,
        lapses: 0,
    };
    store.record_answer(&answer, Some(&card)).unwrap();
    store.record_lesson_opened(&key.lesson, now).unwrap();
    store.set_setting("daily_new", "7").unwrap();
    home
}

#[test]
fn stats_json_on_an_empty_store_is_valid_with_zero_counts() {
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = run(home.path(), &["stats", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["due_today"], 0);
    assert_eq!(v["total"]["answers"], 0);
    assert_eq!(v["total"]["seen"], 0);
    assert_eq!(v["new_count"], v["questions"]);
    assert!(v["questions"].as_u64().unwrap() > 0);
    assert_eq!(v["forecast"].as_array().unwrap().len(), 14);
    assert!(v["exams"].as_array().unwrap().is_empty());
    assert!(
        home.path().join(FILE_NAME).exists(),
        "the database is created"
    );
}

#[test]
fn stats_text_and_json_count_saved_answers() {
    let home = filled_home();
    let key = first_question();
    let (code, out, err) = run(home.path(), &["stats", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["total"]["answers"], 1);
    let lesson = v["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == key.lesson.as_str())
        .unwrap();
    assert_eq!(lesson["seen"], 1);
    assert_eq!(lesson["read"], true);
    let (code, out, err) = run(home.path(), &["stats"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("学習の統計"), "{out}");
    assert!(out.contains("復習予定"), "{out}");
    assert!(out.contains("既読"), "{out}");
}

#[test]
fn export_then_import_into_another_home_round_trips() {
    let from = filled_home();
    let to = tempfile::tempdir().unwrap();
    let file = to.path().join("progress.json");
    let file_arg = file.to_str().unwrap();
    let (code, _, err) = run(from.path(), &["progress", "export", "--out", file_arg]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(to.path(), &["progress", "import", file_arg]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 answers, 1 cards"), "{out}");
    let (code, out, _) = run(to.path(), &["progress", "import", file_arg]);
    assert_eq!(code, 0);
    assert!(out.contains("nothing new"), "{out}");
    let export = |home: &Path| {
        let (code, out, err) = run(home, &["progress", "export"]);
        assert_eq!(code, 0, "{err}");
        let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["exported_at"] = 0.into();
        v
    };
    let (a, b) = (export(from.path()), export(to.path()));
    assert_eq!(a, b);
    assert_eq!(b["answers"].as_array().unwrap().len(), 1);
    assert_eq!(b["settings"]["daily_new"], "7");
}

#[test]
fn import_of_another_file_is_refused_clearly() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("other.json");
    std::fs::write(&file, r#"{"format": "anki", "version": 1}"#).unwrap();
    let (code, _, err) = run(home.path(), &["progress", "import", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("not an eshikaku progress export"), "{err}");
}

#[test]
fn settings_are_listed_set_and_validated() {
    let home = tempfile::tempdir().unwrap();
    let (code, out, _) = run(home.path(), &["settings"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("retention = 0.9") && out.contains("daily_new = 20"),
        "{out}"
    );
    let (code, out, err) = run(home.path(), &["settings", "retention", "0.85"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "retention = 0.85");
    let (code, out, _) = run(home.path(), &["settings", "retention"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("retention = 0.85"), "{out}");
    let (code, _, err) = run(home.path(), &["settings", "retention", "1.5"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("out of range") && err.contains("0.99"),
        "{err}"
    );
    let (code, _, err) = run(home.path(), &["settings", "daily_new", "lots"]);
    assert_eq!(code, 2);
    assert!(err.contains("whole number from 0 to 500"), "{err}");
    let (code, _, err) = run(home.path(), &["settings", "colour"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown setting"), "{err}");
    let (_, out, _) = run(home.path(), &["settings", "retention"]);
    assert!(
        out.starts_with("retention = 0.85"),
        "a refused value changes nothing"
    );
}
