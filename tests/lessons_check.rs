//! `eshikaku lessons check` on fixture content: every problem is reported with its line and
//! column, the exit code says whether anything is wrong, and nothing panics.

mod common;
use common::eshikaku;
use std::path::Path;

#[test]
fn four_broken_files_give_four_located_problems_and_exit_1() {
    let (code, stdout, _) = eshikaku(&["lessons", "check", "tests/fixtures/broken"]);
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    let expect = [
        (
            "tests/fixtures/broken/b/good.yaml:2:5:",
            "duplicate lesson id `good` (first defined at tests/fixtures/broken/a/good.yaml:2:5)",
        ),
        (
            "tests/fixtures/broken/syntax.yaml:4:8:",
            "YAML syntax error",
        ),
        (
            "tests/fixtures/broken/unknown_kernel.yaml:10:7:",
            "unknown kernel `no-such-kernel`: known kernels are gan, dcgan",
        ),
        (
            "tests/fixtures/broken/wrong_type.yaml:9:12:",
            "questions: invalid type",
        ),
    ];
    for (line, (prefix, text)) in lines.iter().zip(expect) {
        assert!(
            line.starts_with(prefix),
            "`{line}` should start with `{prefix}`"
        );
        assert!(line.contains(text), "`{line}` should contain `{text}`");
    }
}

#[test]
fn question_and_reference_problems_are_located() {
    let set = eshikaku::content::check_folder(
        Path::new("tests/fixtures/bad_questions"),
        &eshikaku::content::check_builtin().chapters,
    );
    let got: Vec<String> = set.diagnostics.iter().map(|d| d.to_string()).collect();
    let expect = [
        ("misc.yaml:1:17:", "unsupported format_version 2"),
        ("misc.yaml:2:5:", "does not match the file name `misc`"),
        ("misc.yaml:2:5:", "lesson id `Misc Lesson` is not valid"),
        ("misc.yaml:4:10:", "unknown chapter `no-such-chapter`"),
        (
            "questions.yaml:13:5:",
            "kernel `norm` has no step `bn_typo`",
        ),
        (
            "questions.yaml:18:13:",
            "answer 5 is out of range: it counts from 1 and this question has 4 choices",
        ),
        (
            "questions.yaml:23:11:",
            "marker `no-such-marker` not found in kernels/src/nn/norm/batch_norm.rs",
        ),
        (
            "questions.yaml:34:13:",
            "the correct choice `this is not in the code` does not appear",
        ),
        ("questions.yaml:36:9:", "duplicate question id `q1`"),
        (
            "questions.yaml:38:14:",
            "choice 2 repeats an earlier choice",
        ),
        ("questions.yaml:39:13:", "answer 0 is out of range"),
        ("questions.yaml:40:18:", "`explanation` is empty"),
        ("typo.yaml:9:1:", "Unknown field `qeustions`"),
    ];
    assert_eq!(got.len(), expect.len(), "{got:#?}");
    for (line, (loc, text)) in got.iter().zip(expect) {
        assert!(
            line.starts_with(&format!("tests/fixtures/bad_questions/{loc}")),
            "`{line}` should be at {loc}"
        );
        assert!(line.contains(text), "`{line}` should contain `{text}`");
    }
    assert!(set.lessons.is_empty(), "lessons with problems are left out");
}

#[test]
fn builtin_content_is_valid() {
    let (code, stdout, stderr) = eshikaku(&["lessons", "check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let line = stdout.trim();
    assert!(line.ends_with("kernels: ok"), "{line}");
    assert!(
        line.starts_with(&format!(
            "{} lessons,",
            eshikaku::content::check_builtin().lessons.len()
        )),
        "{line}"
    );
}

#[test]
fn a_folder_adds_chapters_and_lessons_and_overrides_builtin_ones() {
    let (code, stdout, _) = eshikaku(&["lessons", "check", "tests/fixtures/extra"]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(
        stdout.trim(),
        format!(
            "2 lessons, 1 questions, {} kernels: ok",
            eshikaku_kernels::registry::all().len()
        )
    );
    let loaded = eshikaku::content::load(Some(Path::new("tests/fixtures/extra")));
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let lib = loaded.library;
    let norm = lib.lesson("normalization").expect("still there");
    assert_eq!(norm.lesson.title, "上書きされた正規化レッスン");
    assert!(lib.lesson("added").is_some());
    assert_eq!(lib.chapter_title("extra"), "追加の章");
    assert_eq!(
        lib.lessons
            .iter()
            .filter(|l| l.lesson.id == "normalization")
            .count(),
        1
    );
}

#[test]
fn missing_folder_is_a_clear_error_not_a_panic() {
    let (code, stdout, stderr) = eshikaku(&["lessons", "check", "tests/fixtures/does-not-exist"]);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with("tests/fixtures/does-not-exist:1:1: cannot read folder"),
        "{stdout}{stderr}"
    );
}

#[test]
fn garbage_files_never_panic_the_checker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: &[&[u8]] = &[
        b"",
        b"- a\n- b\n",
        b"just a string",
        b"id: [\n",
        b"format_version: 1\nid: x\n",
        b"\xff\xfe\x00garbage",
        b"format_version: 99999999999999999999999\n",
        b"a: &anchor 1\nb: *anchor\n",
        b"questions:\n  - answer: -1\n",
        b"{\"json\": true}",
        b"key: !tag value\n",
        b"a: 1\na: 2\n",
    ];
    for (i, bytes) in cases.iter().enumerate() {
        std::fs::write(dir.path().join(format!("case{i}.yaml")), bytes).expect("write");
    }
    let set = eshikaku::content::check_folder(dir.path(), &[]);
    // Every file is broken in some way, and each gets at least one located message.
    for i in 0..cases.len() {
        let name = format!("case{i}.yaml");
        assert!(
            set.diagnostics.iter().any(|d| d.path.ends_with(&name)),
            "no message for {name}: {:#?}",
            set.diagnostics
        );
    }
    assert!(
        set.diagnostics
            .iter()
            .all(|d| d.pos.line >= 1 && d.pos.col >= 1)
    );
}

#[test]
fn schema_is_json_describing_the_lesson_fields() {
    let (code, stdout, _) = eshikaku(&["lessons", "schema"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("schema is JSON");
    let props = v
        .get("properties")
        .and_then(|p| p.as_object())
        .expect("properties");
    for key in [
        "format_version",
        "id",
        "title",
        "chapter",
        "syllabus",
        "body",
        "key_points",
        "formulas",
        "kernel",
        "questions",
        "references",
    ] {
        assert!(props.contains_key(key), "schema lacks `{key}`");
    }
}
