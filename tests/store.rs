//! The progress store: damaged and newer files, migration, export/import, atomic answers.

use eshikaku::study::export::{Export, FORMAT};
use eshikaku::study::records::{
    AnswerRecord, CardState, ExamItemRecord, ExamRecord, KernelRunRecord, MetricRecord, Mode,
    QuestionKey, Rating,
};
use eshikaku::study::store::{FILE_NAME, Store, StoreError, schema};
use std::path::{Path, PathBuf};

fn answer(q: &str, at: i64, correct: bool) -> AnswerRecord {
    AnswerRecord {
        key: QuestionKey::new("normalization", q),
        at,
        took_ms: 12_000,
        correct,
        rating: Some(if correct { Rating::Good } else { Rating::Again }),
        mode: Mode::Practice,
    }
}

fn card(q: &str, at: i64) -> CardState {
    CardState {
        key: QuestionKey::new("normalization", q),
        stability: 3.5,
        difficulty: 5.25,
        last_review: at,
        due: at + 3 * 86_400_000,
        reps: 2,
        lapses: 1,
    }
}

fn exam(started: i64) -> ExamRecord {
    ExamRecord {
        started,
        used_ms: 600_000,
        allowed_ms: 7_200_000,
        seed: u64::MAX - 7,
        timed_out: false,
        items: vec![
            ExamItemRecord {
                key: QuestionKey::new("normalization", "q1"),
                chapter: "ch1".into(),
                area: "深層学習の応用".into(),
                chosen: Some(2),
                correct: true,
                flagged: false,
            },
            ExamItemRecord {
                key: QuestionKey::new("gan", "q3"),
                chapter: "ch2".into(),
                area: "深層学習の応用".into(),
                chosen: None,
                correct: false,
                flagged: true,
            },
        ],
    }
}

fn kernel_run(at: i64) -> KernelRunRecord {
    KernelRunRecord {
        kernel: "batchnorm".into(),
        at,
        seed: 3,
        passed: true,
        metrics: vec![
            MetricRecord {
                name: "accuracy".into(),
                value: 0.93,
                target: Some("≥ 0.9".into()),
                pass: true,
            },
            MetricRecord {
                name: "loss".into(),
                value: 0.125,
                target: None,
                pass: true,
            },
        ],
    }
}

/// A store holding one record of every kind.
fn fill(s: &Store) {
    s.record_lesson_opened("normalization", 1_000).unwrap();
    s.record_lesson_opened("normalization", 5_000).unwrap();
    s.record_lesson_opened("gan", 2_000).unwrap();
    s.record_kernel_run(&kernel_run(3_000)).unwrap();
    s.record_answer(&answer("q1", 10_000, true), Some(&card("q1", 10_000)))
        .unwrap();
    s.record_answer(&answer("q2", 20_000, false), Some(&card("q2", 20_000)))
        .unwrap();
    s.record_exam(&exam(30_000)).unwrap();
    s.set_setting("retention", "0.85").unwrap();
}

fn db_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("data").join(FILE_NAME)
}

fn backups(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".broken-"))
        .filter(|p| {
            !p.to_string_lossy().ends_with("-wal") && !p.to_string_lossy().ends_with("-shm")
        })
        .collect();
    out.sort();
    out
}

#[test]
fn records_read_back_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let (s, warnings) = Store::open(&path);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(s.location(), Some(path.as_path()));
    assert!(!s.is_read_only());
    fill(&s);
    drop(s);
    let (s, warnings) = Store::open(&path);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        s.lessons_opened().unwrap(),
        vec![
            ("gan".to_string(), 2_000),
            ("normalization".to_string(), 5_000)
        ]
    );
    assert_eq!(s.kernel_runs().unwrap(), vec![kernel_run(3_000)]);
    assert_eq!(
        s.answers().unwrap(),
        vec![answer("q1", 10_000, true), answer("q2", 20_000, false)]
    );
    assert_eq!(
        s.cards().unwrap(),
        vec![card("q1", 10_000), card("q2", 20_000)]
    );
    assert_eq!(s.exams().unwrap(), vec![exam(30_000)]);
    assert_eq!(s.setting("retention").unwrap().as_deref(), Some("0.85"));
    assert_eq!(s.setting("nope").unwrap(), None);
}

#[test]
fn wal_mode_and_schema_version_are_set() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    drop(Store::open(&path));
    let c = rusqlite::Connection::open(&path).unwrap();
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(schema::version(&c).unwrap(), schema::SCHEMA_VERSION);
}

/// Opens a damaged file: a backup must exist, a warning name it, and the new store work.
fn assert_recovers(path: &Path, original: &[u8]) {
    let (s, warnings) = Store::open(path);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("could not be read"), "{}", warnings[0]);
    assert_eq!(s.location(), Some(path));
    let kept = backups(path.parent().unwrap());
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(warnings[0].contains(&kept[0].display().to_string()));
    let name = kept[0].file_name().unwrap().to_string_lossy().into_owned();
    let stamp = name.strip_prefix("progress.sqlite3.broken-").unwrap();
    assert_eq!(stamp.len(), "YYYYmmdd-HHMMSS".len(), "{name}");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), original, "backup differs");
    assert!(s.answers().unwrap().is_empty());
    s.record_answer(&answer("q1", 1, true), None).unwrap();
    assert_eq!(s.answers().unwrap().len(), 1);
}

#[test]
fn garbage_file_is_kept_aside_and_a_new_one_started() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let garbage: Vec<u8> = (0..5000u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    assert_recovers(&path, &garbage);
}

#[test]
fn truncated_file_is_kept_aside_and_a_new_one_started() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let (s, _) = Store::open(&path);
    fill(&s);
    for i in 0..300 {
        s.record_answer(&answer(&format!("q{i}"), 100_000 + i, true), None)
            .unwrap();
    }
    drop(s);
    let full = std::fs::read(&path).unwrap();
    assert!(
        full.len() > 4 * 4096,
        "database too small to truncate: {}",
        full.len()
    );
    let cut = &full[..full.len() / 2];
    std::fs::write(&path, cut).unwrap();
    assert_recovers(&path, cut);
}

#[test]
fn newer_schema_is_read_but_never_modified() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let (s, _) = Store::open(&path);
    fill(&s);
    drop(s);
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", schema::SCHEMA_VERSION + 1)
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let (s, warnings) = Store::open(&path);
    assert!(s.is_read_only());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("read-only"), "{}", warnings[0]);
    assert_eq!(s.answers().unwrap().len(), 2, "the data is still shown");
    let err = s
        .record_answer(&answer("q9", 99_000, true), Some(&card("q9", 99_000)))
        .unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly(_)), "{err:?}");
    assert!(err.to_string().contains("newer version"), "{err}");
    assert!(s.set_setting("retention", "0.8").is_err());
    assert!(s.record_lesson_opened("x", 1).is_err());
    assert!(s.record_exam(&exam(5)).is_err());
    assert!(s.record_kernel_run(&kernel_run(5)).is_err());
    assert!(s.import(&s.export().unwrap()).is_err());
    drop(s);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file was modified"
    );
    assert!(backups(path.parent().unwrap()).is_empty());
}

#[test]
fn version_1_database_migrates_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    {
        // A database as the first release wrote it, built by hand.
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(schema::MIGRATIONS[0]).unwrap();
        c.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO answers (lesson, question, at, took_ms, correct, rating, mode)
               VALUES ('normalization', 'q1', 10000, 12000, 1, 3, 'practice');
             INSERT INTO kernel_runs (kernel, at, seed, passed) VALUES ('gan', 7, 1, 0);
             INSERT INTO lessons_opened VALUES ('gan', 4);",
        )
        .unwrap();
    }
    let (s, warnings) = Store::open(&path);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(!s.is_read_only());
    assert_eq!(s.answers().unwrap(), vec![answer("q1", 10_000, true)]);
    let runs = s.kernel_runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert!(runs[0].metrics.is_empty() && !runs[0].passed);
    assert_eq!(s.lessons_opened().unwrap(), vec![("gan".to_string(), 4)]);
    // The tables of version 2 exist and work.
    s.set_setting("daily_new", "10").unwrap();
    s.record_kernel_run(&kernel_run(8)).unwrap();
    assert_eq!(s.kernel_runs().unwrap()[1], kernel_run(8));
    drop(s);
    let c = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(schema::version(&c).unwrap(), schema::SCHEMA_VERSION);
}

/// Compares two stores' contents (everything the export holds but its time stamp).
fn assert_same_contents(a: &Store, b: &Store) {
    let (mut ea, mut eb) = (a.export().unwrap(), b.export().unwrap());
    ea.exported_at = 0;
    eb.exported_at = 0;
    assert_eq!(ea, eb);
}

#[test]
fn export_then_import_into_a_fresh_store_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = Store::open(&db_in(&dir));
    fill(&s);
    let e = s.export().unwrap();
    assert_eq!(e.format, FORMAT);
    let json = serde_json::to_string_pretty(&e).unwrap();
    let back = Export::from_json(&json).unwrap();
    assert_eq!(back, e);
    let fresh = Store::in_memory();
    let summary = fresh.import(&back).unwrap();
    assert_eq!(summary.answers, 2);
    assert_eq!(summary.cards, 2);
    assert_eq!(summary.exams, 1);
    assert_eq!(summary.lessons_opened, 2);
    assert_eq!(summary.kernel_runs, 1);
    assert_eq!(summary.settings, 1);
    assert_same_contents(&s, &fresh);
}

#[test]
fn importing_twice_adds_nothing() {
    let s = Store::in_memory();
    fill(&s);
    let e = s.export().unwrap();
    let other = Store::in_memory();
    other.record_answer(&answer("q7", 7, true), None).unwrap();
    assert!(other.import(&e).unwrap().total() > 0);
    let snapshot = other.export().unwrap();
    let again = other.import(&e).unwrap();
    assert_eq!(again.total(), 0, "{again}");
    let mut after = other.export().unwrap();
    after.exported_at = snapshot.exported_at;
    assert_eq!(after, snapshot);
    assert_eq!(other.answers().unwrap().len(), 3);
}

#[test]
fn import_keeps_the_more_recent_card_and_local_settings() {
    let s = Store::in_memory();
    s.record_answer(&answer("q1", 50_000, true), Some(&card("q1", 50_000)))
        .unwrap();
    s.set_setting("retention", "0.95").unwrap();
    let older = Store::in_memory();
    fill(&older);
    let summary = s.import(&older.export().unwrap()).unwrap();
    assert_eq!(summary.cards, 1, "only q2 is new; q1 here is more recent");
    assert_eq!(s.cards().unwrap()[0], card("q1", 50_000));
    assert_eq!(s.setting("retention").unwrap().as_deref(), Some("0.95"));
}

#[test]
fn import_rejects_another_format_or_a_newer_version() {
    let s = Store::in_memory();
    let mut e = s.export().unwrap();
    e.version += 1;
    let err = s.import(&e).unwrap_err();
    assert!(matches!(err, StoreError::Format(_)));
    assert!(err.to_string().contains("not supported"), "{err}");
    let err = Export::from_json(r#"{"format":"anki","version":1}"#).unwrap_err();
    assert!(err.contains("not an eshikaku progress export"), "{err}");
    let err = Export::from_json(r#"{"format":"eshikaku-progress","version":9}"#).unwrap_err();
    assert!(err.contains("version 9"), "{err}");
    assert!(
        Export::from_json("{")
            .unwrap_err()
            .contains("not valid JSON")
    );
}

#[test]
fn a_failing_card_write_rolls_the_answer_back() {
    let s = Store::in_memory();
    let mut bad = card("q1", 10_000);
    bad.stability = f32::NAN; // stored as NULL: violates NOT NULL
    let err = s.record_answer(&answer("q1", 10_000, true), Some(&bad));
    assert!(matches!(err, Err(StoreError::Sqlite(_))), "{err:?}");
    assert!(
        s.answers().unwrap().is_empty(),
        "the answer was kept without its card"
    );
    assert!(s.cards().unwrap().is_empty());
    s.record_answer(&answer("q1", 10_000, true), Some(&card("q1", 10_000)))
        .unwrap();
    assert_eq!(s.answers().unwrap().len(), 1);
    assert_eq!(s.cards().unwrap().len(), 1);
}

#[test]
fn an_unusable_folder_gives_an_in_memory_store_and_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let (s, warnings) = Store::open(&file.join("sub").join(FILE_NAME));
    assert_eq!(s.location(), None);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("will not be saved"), "{}", warnings[0]);
    s.record_answer(&answer("q1", 1, true), None).unwrap();
    assert_eq!(s.answers().unwrap().len(), 1);
}

#[test]
fn two_stores_on_one_file_both_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let (a, _) = Store::open(&path);
    let (b, _) = Store::open(&path);
    for i in 0..20 {
        a.record_answer(&answer(&format!("a{i}"), i, true), None)
            .unwrap();
        b.record_answer(&answer(&format!("b{i}"), i, false), None)
            .unwrap();
    }
    assert_eq!(a.answers().unwrap().len(), 40);
    assert_eq!(b.answers().unwrap().len(), 40);
}
