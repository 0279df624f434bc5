//! Durability of the progress store (issue #15): a writer killed at random moments never
//! damages the database nor loses an answer whose save had returned; one killed while it is
//! still creating the database (or a hot journal) does not stop the next start from using the
//! file; two writers at once lose nothing; an unusable data folder gives a warning and an
//! in-memory store.
//!
//! The writer is this test binary itself, re-run with `DURABILITY_DB` set: the test
//! `child_writer` then records answers in a loop and prints `saved <id>` after each
//! `record_answer` returns (it does nothing in a normal run).

use eshikaku::study::records::{AnswerRecord, CardState, Mode, QuestionKey, Rating};
use eshikaku::study::store::{FILE_NAME, Store};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DB_ENV: &str = "DURABILITY_DB";
const RUN_ENV: &str = "DURABILITY_RUN";
const COUNT_ENV: &str = "DURABILITY_COUNT";

/// The writer (only when started by the tests below).
#[test]
fn child_writer() {
    let Some(db) = std::env::var_os(DB_ENV) else {
        return;
    };
    let run = std::env::var(RUN_ENV).unwrap_or_default();
    let count: usize = std::env::var(COUNT_ENV)
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(usize::MAX);
    let (store, warnings) = Store::open(Path::new(&db));
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut out = std::io::stdout();
    for i in 0..count {
        let id = format!("{run}-{i}");
        let key = QuestionKey::new("durability", &id);
        let at = 1_700_000_000_000 + i as i64;
        let answer = AnswerRecord {
            key: key.clone(),
            at,
            took_ms: 1_000,
            correct: i % 2 == 0,
            rating: Some(Rating::Good),
            mode: Mode::Review,
        };
        let card = CardState {
            key,
            stability: 1.0 + i as f32,
            difficulty: 5.0,
            last_review: at,
            due: at + 86_400_000,
            reps: 1,
            lapses: 0,
        };
        store.record_answer(&answer, Some(&card)).unwrap();
        // Written straight to the pipe (not through the test harness's capture).
        out.write_all(format!("saved {id}\n").as_bytes()).unwrap();
        out.flush().unwrap();
    }
}

/// Starts the writer on `db`.
fn spawn_writer(db: &Path, run: &str, count: Option<usize>) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child_writer", "--nocapture", "--test-threads=1"])
        .env(DB_ENV, db)
        .env(RUN_ENV, run)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(n) = count {
        cmd.env(COUNT_ENV, n.to_string());
    }
    cmd.spawn().expect("the test binary runs")
}

/// The ids the writer reported saved.
fn saved_ids(child: &mut Child) -> Vec<String> {
    let mut text = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut text).unwrap();
    }
    // The harness may print `test child_writer ... ` in front of the first line.
    text.lines()
        .filter_map(|l| l.split_once("saved ").map(|(_, id)| id.to_string()))
        .collect()
}

/// Opens the database as the app does and checks it: no warning, integrity ok, and the ids
/// of every answer and card.
fn check(db: &Path) -> (HashSet<String>, HashSet<String>) {
    let (store, warnings) = Store::open(db);
    assert!(warnings.is_empty(), "{warnings:?}");
    let c = rusqlite::Connection::open(db).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let answers = store.answers().unwrap();
    let cards = store.cards().unwrap();
    (
        answers.into_iter().map(|a| a.key.question).collect(),
        cards.into_iter().map(|c| c.key.question).collect(),
    )
}

/// A small deterministic random sequence (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn killed_writers_never_damage_the_database_or_lose_a_saved_answer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(FILE_NAME);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let started = Instant::now();
    let mut total_saved = 0;
    for run in 0..200 {
        let mut child = spawn_writer(&db, &format!("r{run}"), None);
        std::thread::sleep(Duration::from_millis(5 + rng.below(60)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let saved = saved_ids(&mut child);
        total_saved += saved.len();
        let (answers, cards) = check(&db);
        for id in &saved {
            assert!(answers.contains(id), "run {run}: saved answer {id} lost");
            assert!(cards.contains(id), "run {run}: saved card {id} lost");
        }
        // Answer and card are saved together or not at all.
        assert_eq!(answers, cards, "run {run}");
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!("200 kills in {secs:.1} s, {total_saved} answers confirmed saved");
    assert!(
        total_saved > 200,
        "kills came too early to test anything: {total_saved}"
    );
    assert!(secs < 60.0, "took {secs:.1} s");
}

/// Killed within the first milliseconds, the writer is often still creating the database
/// (switching the new file to WAL under a rollback journal). The next start must still use
/// the file: it once found a hot journal, failed to read it read-only ("attempt to write a
/// readonly database") and fell back to memory at every start from then on.
#[test]
fn a_writer_killed_while_creating_the_database_does_not_stop_the_next_start() {
    let mut rng = Rng(12_345);
    for run in 0..60 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(FILE_NAME);
        let mut child = spawn_writer(&db, &format!("r{run}"), None);
        std::thread::sleep(Duration::from_micros(500 + rng.below(15_000)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let (store, warnings) = Store::open(&db);
        assert!(warnings.is_empty(), "run {run}: {warnings:?}");
        assert_eq!(store.location(), Some(db.as_path()), "run {run}");
    }
}

/// The same, made deterministic: the files a crash in the middle of a rollback-journal
/// transaction leaves (a copy taken while the transaction is open holds no lock, as after a
/// crash). Opening rolls the transaction back and keeps the file.
#[test]
fn a_hot_journal_is_rolled_back_and_the_file_kept() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.sqlite3");
    let db = dir.path().join(FILE_NAME);
    let c = rusqlite::Connection::open(&live).unwrap();
    c.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA cache_size = 1; CREATE TABLE t(x BLOB);")
        .unwrap();
    c.execute_batch("BEGIN").unwrap();
    for _ in 0..50 {
        c.execute("INSERT INTO t VALUES (zeroblob(8000))", [])
            .unwrap();
    }
    let journal = |p: &Path| {
        p.with_file_name(format!(
            "{}-journal",
            p.file_name().unwrap().to_string_lossy()
        ))
    };
    assert!(
        journal(&live).exists(),
        "the open transaction has a journal"
    );
    std::fs::copy(&live, &db).unwrap();
    std::fs::copy(journal(&live), journal(&db)).unwrap();
    drop(c);
    let (store, warnings) = Store::open(&db);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(store.location(), Some(db.as_path()));
    drop(store);
    let rows: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0, "the interrupted inserts are rolled back");
}

#[test]
fn two_writers_at_once_lose_no_answer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(FILE_NAME);
    let n = 150;
    let mut a = spawn_writer(&db, "a", Some(n));
    let mut b = spawn_writer(&db, "b", Some(n));
    let (sa, sb) = (saved_ids(&mut a), saved_ids(&mut b));
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    assert_eq!((sa.len(), sb.len()), (n, n));
    let (answers, _) = check(&db);
    assert_eq!(answers.len(), 2 * n);
    assert!(sa.iter().chain(&sb).all(|id| answers.contains(id)));
}

#[test]
fn an_unwritable_data_folder_warns_and_keeps_progress_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let home = blocker.join("eshikaku");
    let out = Command::new(env!("CARGO_BIN_EXE_eshikaku"))
        .args(["stats", "--json"])
        .env("ESHIKAKU_HOME", &home)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: cannot use the progress database"),
        "{err}"
    );
    assert!(err.contains("progress will not be saved"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("stats still work");
}

#[cfg(unix)]
#[test]
fn a_read_only_data_folder_warns_and_keeps_progress_in_memory() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("ro");
    std::fs::create_dir(&home).unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(home.join("probe"), "x").is_ok() {
        eprintln!("skipped: running as a user who can write anywhere (root)");
        return;
    }
    let (store, warnings) = Store::open(&home.join(FILE_NAME));
    assert_eq!(store.location(), None);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("will not be saved"), "{}", warnings[0]);
}
