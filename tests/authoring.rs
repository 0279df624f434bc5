//! The authoring kit: `lessons new` writes a skeleton that passes `lessons check`, the check
//! reports give-away measures, and the question bank meets its minimums.

mod common;

use common::eshikaku;
use eshikaku::content::code::{BLANK, blanked};
use eshikaku::content::stats::QuestionStats;

#[test]
fn lessons_new_writes_a_skeleton_that_passes_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path().to_str().expect("utf-8 path");
    let (code, stdout, stderr) = eshikaku(&[
        "lessons",
        "new",
        "demo",
        "--chapter",
        "normalization",
        "--dir",
        d,
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let lesson = dir.path().join("07_normalization").join("demo.yaml");
    let text = std::fs::read_to_string(&lesson).expect("skeleton written");
    assert!(
        text.starts_with("# yaml-language-server: $schema=../lesson.schema.json"),
        "{text}"
    );
    let schema = std::fs::read_to_string(dir.path().join("lesson.schema.json")).expect("schema");
    assert!(schema.contains("\"questions\""), "{schema}");

    let (code, stdout, stderr) = eshikaku(&["lessons", "check", d]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.starts_with("1 lessons, 2 questions"), "{stdout}");

    // An existing chapter folder is reused; an existing file is never overwritten.
    std::fs::rename(
        dir.path().join("07_normalization"),
        dir.path().join("99_normalization"),
    )
    .expect("rename");
    let (code, _, _) = eshikaku(&[
        "lessons",
        "new",
        "two",
        "--chapter",
        "normalization",
        "--dir",
        d,
    ]);
    assert_eq!(code, 0);
    assert!(dir.path().join("99_normalization/two.yaml").is_file());
    let (code, _, stderr) = eshikaku(&[
        "lessons",
        "new",
        "two",
        "--chapter",
        "normalization",
        "--dir",
        d,
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("already exists"), "{stderr}");
    let (code, _, stderr) = eshikaku(&["lessons", "new", "x", "--chapter", "nosuch", "--dir", d]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown chapter `nosuch`; chapters: generative"),
        "{stderr}"
    );
}

#[test]
fn check_warns_about_give_aways_without_failing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path().to_str().expect("utf-8 path");
    let (code, _, _) = eshikaku(&[
        "lessons",
        "new",
        "demo",
        "--chapter",
        "normalization",
        "--dir",
        d,
    ]);
    assert_eq!(code, 0);
    // Four more questions whose key is the first and longest option.
    let path = dir.path().join("07_normalization/demo.yaml");
    let mut text = std::fs::read_to_string(&path).expect("read");
    let mut extra = String::new();
    for i in 0..4 {
        extra.push_str(&format!(
            "  - id: long{i}\n    prompt: p\n    choices: [\"the longest option of all\", a, b, c]\n    answer: 1\n    explanation: e\n"
        ));
    }
    text = text.replace("\nreferences:", &format!("\n{extra}\nreferences:"));
    std::fs::write(&path, text).expect("write");
    let (code, stdout, stderr) = eshikaku(&["lessons", "check", d]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("demo.yaml: 6 questions (6 four-choice; code: 0 Rust, 1 Python, 0 other); key uniquely longest 67%, most keys at one position 83%"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: ") && stderr.contains("uniquely longest option in 67%"),
        "{stderr}"
    );
    assert!(
        stderr.contains("83% of the keys are at position 1 (limit 35%)"),
        "{stderr}"
    );
}

/// Every lesson has at least 12 questions, 2 Rust code-fill questions when it has a kernel,
/// 2 questions with code written in the lesson, and the bank at least 250 in all.
#[test]
fn question_bank_meets_its_minimums() {
    let set = eshikaku::content::check_builtin();
    let mut short = Vec::new();
    let mut total = 0;
    for l in &set.lessons {
        let s = QuestionStats::of(&l.lesson);
        total += s.total;
        // "Python" here is code written in the lesson: NumPy/PyTorch, or a Dockerfile for the
        // docker lesson, where Python code would not make sense.
        let written = s.python_code + s.other_code;
        if s.total < 12 {
            short.push(format!("{}: {} questions (< 12)", l.path, s.total));
        }
        if l.lesson.kernel.is_some() && s.rust_code < 2 {
            short.push(format!("{}: {} Rust code-fill (< 2)", l.path, s.rust_code));
        }
        if written < 2 {
            short.push(format!("{}: {written} Python code questions (< 2)", l.path));
        }
    }
    if total < 250 {
        short.push(format!("{total} questions in all (< 250)"));
    }
    assert!(short.is_empty(), "{}", short.join("\n"));
}

#[test]
fn no_code_fill_gives_its_key_away_next_to_the_blank() {
    let set = eshikaku::content::check_builtin();
    let mut leaks = Vec::new();
    for l in &set.lessons {
        for q in &l.lesson.questions {
            let Some(Ok(code)) = blanked(q) else { continue };
            let key = &q.choices[q.answer - 1];
            let lines: Vec<&str> = code.lines().collect();
            let Some(at) = lines.iter().position(|line| line.contains(BLANK)) else {
                continue;
            };
            let near = lines[at..lines.len().min(at + 2)].join("\n");
            if near.contains(key.as_str()) {
                leaks.push(format!("{} {}: `{key}`", l.path, q.id));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "keys visible next to the blank:\n{}",
        leaks.join("\n")
    );
}
