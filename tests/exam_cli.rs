//! `eshikaku quiz` and `eshikaku exam` driven through stdin, as a script would, with the
//! progress kept in a temporary `ESHIKAKU_HOME`.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs the binary with `input` on stdin: (exit code, stdout, stderr).
fn run(home: &std::path::Path, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_eshikaku"))
        .args(args)
        .env("ESHIKAKU_HOME", home)
        .env("COLUMNS", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("finishes");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixture() -> String {
    format!("{}/tests/fixtures/study", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_scripted_exam_prints_the_per_chapter_result() {
    let home = tempfile::tempdir().expect("tempdir");
    let (code, out, err) = run(
        home.path(),
        &["exam", "--questions", "5", "--minutes", "6", "--seed", "3"],
        "1\n2\n3\n4\n1\n",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("制限時間 06:00"), "{out}");
    assert!(out.contains("■ 章ごとの得点"), "{out}");
    assert!(out.contains("■ シラバスの分野ごとの得点"), "{out}");
    let scored = out
        .lines()
        .filter(|l| l.contains('/') && l.contains('%'))
        .count();
    assert!(scored >= 2, "a score line per chapter and area:\n{out}");
    assert!(home.path().join("progress.sqlite3").exists());
    // The statistics afterwards are valid JSON that include this exam.
    let (code, json, err) = run(home.path(), &["stats", "--json"], "");
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let exams = v["exams"].as_array().expect("exam history");
    assert_eq!(exams.len(), 1, "{json}");
    assert_eq!(exams[0]["questions"], 5);
    let per_chapter: u64 = exams[0]["by_chapter"]
        .as_array()
        .expect("per chapter")
        .iter()
        .map(|s| s["total"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(per_chapter, 5);
}

#[test]
fn skipped_questions_score_nothing_and_show_as_unanswered() {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = fixture();
    let (code, out, err) = run(
        home.path(),
        &[
            "--content",
            &dir,
            "exam",
            "--questions",
            "200",
            "--seed",
            "9",
        ],
        &"\n".repeat(300),
    );
    assert_eq!(code, 0, "{err}");
    // Every line empty: every question skipped, so nothing is correct.
    let line = out
        .lines()
        .find(|l| l.starts_with("得点 "))
        .expect("a score line");
    assert!(line.starts_with("得点 0/"), "{line}");
    assert!(out.contains("(未解答)"));
}

#[test]
fn quiz_reads_answers_gives_feedback_and_brings_wrong_ones_back() {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = fixture();
    let args = [
        "--content",
        &dir,
        "quiz",
        "--lesson",
        "beta-rl",
        "--seed",
        "5",
    ];
    // Answer 1 to everything: some right, some wrong; wrong ones come back until input ends.
    let (code, out, err) = run(home.path(), &args, &"1\n".repeat(20));
    assert_eq!(code, 0, "{err}");
    let right = out.matches("✓ 正解").count();
    let wrong = out.matches("✗ 不正解").count();
    assert!(right + wrong >= 3, "{out}");
    assert!(out.contains("解説:"));
    if wrong > 0 {
        assert!(
            out.contains("(もう一度)"),
            "a wrong answer comes back:\n{out}"
        );
    }
    assert!(out.contains("スコア: 初回正答 "), "{out}");
    // The same seed gives the same session.
    let (_, again, _) = run(home.path(), &args, &"1\n".repeat(20));
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("評価:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&out), strip(&again));
}

#[test]
fn bad_arguments_exit_2_with_the_fix() {
    let home = tempfile::tempdir().expect("tempdir");
    let (code, _, err) = run(home.path(), &["quiz", "--lesson", "nope"], "");
    assert_eq!(code, 2);
    assert!(err.contains("no lesson `nope`; lessons: "), "{err}");
    let (code, _, err) = run(home.path(), &["exam", "--minutes", "0"], "");
    assert_eq!(code, 2);
    assert!(err.contains("--minutes"), "{err}");
}

#[test]
fn show_hides_the_answer_keys_unless_asked() {
    let home = tempfile::tempdir().expect("tempdir");
    let (code, out, _) = run(home.path(), &["show", "normalization"], "");
    assert_eq!(code, 0);
    assert!(!out.contains("■ 解答と解説"));
    assert!(out.contains("--answers"));
    let (_, out, _) = run(home.path(), &["show", "normalization", "--answers"], "");
    assert!(out.contains("■ 解答と解説"));
}
