//! The hostile corpus: files no instructor should write, each given to the real binary's
//! `lessons check`. Every one must end in `path:line:column: message` lines and exit 1,
//! without panicking, without printing a control character, within bounded time and memory.
//!
//! The committed cases are folders under `tests/fixtures/hostile/`; the huge or odd ones
//! (50 MB, deep nesting, a FIFO, a symlink loop) are made at test time in a temporary folder.
//! Each run prints its wall time and peak RSS (`cargo test --test hostile -- --nocapture`);
//! RELIABILITY.md records them. Only generous bounds are asserted (a hung or runaway process,
//! not a slow machine, must fail the test).

mod bounded;

use bounded::{Outcome, run, run_check};
use std::io::Write;
use std::path::Path;

/// Peak memory any case may use. A normal check peaks near 10 MB.
const MAX_RSS_KB: u64 = 200 * 1024;

/// `(case folder, "file:line:col", text the message must contain)` for the committed cases.
const CASES: &[(&str, &str, &str)] = &[
    (
        "absurd_numbers",
        "absurd_numbers.yaml:1:17",
        "format_version: number too large",
    ),
    ("alias_bomb", "alias_bomb.yaml:2:9", "anchors and aliases"),
    (
        "answer_overflow",
        "answer_overflow.yaml:13:13",
        "answer 18446744073709551615 is out of range",
    ),
    (
        "bom_inside",
        "bom_inside.yaml:6:1",
        "Unknown field `<U+FEFF>summary`",
    ),
    (
        "c1_and_del",
        "c1_and_del.yaml:6:10",
        "control character <U+009B> at character 5",
    ),
    (
        "chapter_escape",
        "chapters.yaml:4:12",
        "control character ^[",
    ),
    (
        "code_path_absolute",
        "code_path_absolute.yaml:13:11",
        "code.file `/etc/passwd` is outside kernels/src/",
    ),
    (
        "code_path_parent",
        "code_path_parent.yaml:13:11",
        "code.file `../../etc/passwd` is outside kernels/src/",
    ),
    (
        "duplicate_ids",
        "b/same.yaml:2:5",
        "duplicate lesson id `same`",
    ),
    (
        "duplicate_key",
        "duplicate_key.yaml:6:1",
        "duplicate key `title`",
    ),
    (
        "duplicate_question_ids",
        "dup_q.yaml:15:9",
        "duplicate question id `q1`",
    ),
    ("empty", "empty.yaml:1:1", "missing field `format_version`"),
    // Found by the fuzzer: an empty value at the very end was placed on a line past the end.
    (
        "empty_value_at_end",
        "empty_value_at_end.yaml:14:17",
        "`explanation` is empty",
    ),
    (
        "invalid_utf8",
        "invalid_utf8.yaml:1:1",
        "not valid UTF-8 (first bad byte on line 8",
    ),
    (
        "multi_document",
        "multi_document.yaml:15:1",
        "a second YAML document starts here",
    ),
    (
        "raw_control_bytes",
        "raw_control_bytes.yaml:6:10",
        "control character ^G",
    ),
    ("syntax_error", "unclosed.yaml:4:8", "YAML syntax error"),
    ("tabs", "tabs.yaml:7:2", "tabs disallowed"),
    ("tags", "tags.yaml:3:17", "tags (`!tag`) are not supported"),
    (
        "terminal_escapes",
        "terminal_escapes.yaml:3:8",
        "control character ^[ (U+001B) at character 1",
    ),
    (
        "top_level_sequence",
        "top_level_sequence.yaml:1:1",
        "must be a YAML mapping",
    ),
    // Found by the fuzzer: the scanner put this error one line past the end of the file.
    ("truncated", "truncated.yaml:11:9", "simple key expected"),
    (
        "unknown_field",
        "unknown_field.yaml:6:1",
        "Unknown field `difficulty`",
    ),
    (
        "wrong_types",
        "wrong_types.yaml:12:14",
        "choices: invalid type: string",
    ),
];

/// Checks what every hostile run must satisfy, and that `want` is among its problems.
fn assert_rejected(case: &str, out: &Outcome, want_at: &str, want: &str) {
    let report = format!("case `{case}`:\n{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.code, Some(1), "exit status, {report}");
    assert!(!out.stderr.contains("panicked"), "{report}");
    assert!(
        !(out.stdout.clone() + &out.stderr).contains(|c: char| c.is_control() && c != '\n'),
        "a control character reached the terminal, {report}"
    );
    assert!(
        out.max_rss_kb < MAX_RSS_KB,
        "{} kB, {report}",
        out.max_rss_kb
    );
    for line in out.stdout.lines() {
        assert!(
            located(line),
            "not `path:line:column: message`: `{line}`, {report}"
        );
    }
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains(&format!("{want_at}: ")) && l.contains(want)),
        "expected `{want_at}: …{want}…`, {report}"
    );
    println!(
        "hostile {case:<24} {:>7.1} ms {:>7} kB peak RSS",
        out.elapsed.as_secs_f64() * 1e3,
        out.max_rss_kb
    );
}

/// Whether `line` reads `path:line:column: message` with numbers where they belong.
fn located(line: &str) -> bool {
    let Some((head, message)) = line.split_once(": ") else {
        return false;
    };
    let mut parts = head.rsplitn(3, ':');
    let col = parts.next().and_then(|c| c.parse::<usize>().ok());
    let row = parts.next().and_then(|c| c.parse::<usize>().ok());
    let path = parts.next().unwrap_or("");
    col.is_some_and(|c| c >= 1)
        && row.is_some_and(|r| r >= 1)
        && !path.is_empty()
        && !message.is_empty()
}

#[test]
fn every_committed_hostile_file_is_rejected_with_a_located_message() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile");
    let mut on_disk: Vec<String> = std::fs::read_dir(&root)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    on_disk.sort();
    let listed: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    assert_eq!(
        on_disk, listed,
        "every fixture folder has exactly one row in CASES"
    );
    for (case, at, want) in CASES {
        let dir = root.join(case);
        let out = run_check(&dir);
        assert_rejected(case, &out, &format!("{}/{at}", dir.display()), want);
    }
}

#[test]
fn odd_but_valid_files_are_accepted() {
    let out = run_check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tolerated"));
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.starts_with("2 lessons"), "{}", out.stdout);
}

/// Writes `files` (name, bytes) into a fresh folder and checks it.
fn check_generated(files: &[(&str, Vec<u8>)]) -> (tempfile::TempDir, Outcome) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).expect("write fixture");
    }
    let out = run_check(dir.path());
    (dir, out)
}

fn lesson_with(id: &str, title: &str, questions: &str) -> Vec<u8> {
    format!(
        "format_version: 1\nid: {id}\ntitle: {title}\nchapter: normalization\nsyllabus: テスト\n\
         body:\n  - heading: 見出し\n    text: 本文。\nquestions:\n{questions}"
    )
    .into_bytes()
}

#[test]
fn huge_files_are_refused_before_being_read() {
    // Written in 1 MB pieces: the test process stays small (see `bounded::Outcome::max_rss_kb`).
    let dir = tempfile::tempdir().expect("temp dir");
    let mut file = std::fs::File::create(dir.path().join("huge.yaml")).expect("create");
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..50 {
        file.write_all(&chunk).expect("write");
    }
    drop(file);
    let out = run_check(dir.path());
    let at = format!("{}/huge.yaml:1:1", dir.path().display());
    assert_rejected("huge_50mb", &out, &at, "file is over 1 MB (52428800 bytes)");
}

#[test]
fn deep_nesting_ends_in_an_error_not_a_stack_overflow() {
    let mut indented = String::from("a:\n");
    for level in 1..1000 {
        indented.push_str(&" ".repeat(level));
        indented.push_str("a:\n");
    }
    let cases = [
        (
            "deep_block",
            ("- ".repeat(500_000) + "x\n").into_bytes(),
            1,
            "nesting too deep",
        ),
        (
            "deep_flow",
            ("a: ".to_string() + &"[".repeat(500_000)).into_bytes(),
            1,
            "recursion limit",
        ),
        (
            "deep_indent",
            indented.into_bytes(),
            102,
            "nesting too deep",
        ),
    ];
    for (case, text, line, want) in cases {
        let name = format!("{case}.yaml");
        let (dir, out) = check_generated(&[(&name, text)]);
        let at = format!("{}/{name}:{line}:", dir.path().display());
        let out_line = out.stdout.lines().next().unwrap_or("");
        assert!(out_line.starts_with(&at), "{case}: {}", out.stdout);
        let col = out_line[at.len()..].split(':').next().unwrap_or("");
        assert_rejected(case, &out, &format!("{at}{col}"), want);
    }
}

#[test]
fn long_lines_and_long_lists_are_checked_in_linear_time() {
    let choices: Vec<String> = (0..100_000).map(|i| format!("c{i}")).collect();
    let many = format!(
        "  - id: q1\n    prompt: p\n    choices: [{}]\n    answer: 0\n    explanation: e\n",
        choices.join(", ")
    );
    let (dir, out) = check_generated(&[("many.yaml", lesson_with("many", "t", &many))]);
    let at = format!("{}/many.yaml:13:13", dir.path().display());
    assert_rejected("many_choices_100k", &out, &at, "answer 0 is out of range");

    let q = "  - id: q1\n    prompt: p\n    choices: [a, b]\n    answer: 3\n    explanation: e\n";
    let title = "長".repeat(300_000);
    let (dir, out) = check_generated(&[("long.yaml", lesson_with("long", &title, q))]);
    let at = format!("{}/long.yaml:13:13", dir.path().display());
    assert_rejected("long_line_900kb", &out, &at, "answer 3 is out of range");
}

#[cfg(unix)]
#[test]
fn devices_pipes_link_loops_and_links_out_of_the_folder_are_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("pipe.yaml");
    let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: `mkfifo` only reads the NUL-terminated path it is given.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.yaml")).expect("symlink");
    std::os::unix::fs::symlink(".", dir.path().join("loop")).expect("symlink");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let secret = elsewhere.path().join("secret");
    std::fs::write(&secret, "s3cret_token: hunter2\n").expect("secret");
    std::os::unix::fs::symlink(&secret, dir.path().join("secret.yaml")).expect("symlink");
    std::fs::write(dir.path().join("real.yaml"), "").expect("file");
    std::os::unix::fs::symlink("real.yaml", dir.path().join("inside.yaml")).expect("symlink");
    let out = run_check(dir.path());
    let shown = dir.path().display();
    assert_rejected(
        "fifo",
        &out,
        &format!("{shown}/pipe.yaml:1:1"),
        "not a regular file",
    );
    assert_rejected(
        "dev_zero",
        &out,
        &format!("{shown}/zero.yaml:1:1"),
        "outside the content folder is not followed",
    );
    assert_rejected(
        "link_outside",
        &out,
        &format!("{shown}/secret.yaml:1:1"),
        "outside the content folder is not followed",
    );
    assert!(!out.stdout.contains("s3cret"), "{}", out.stdout);
    // A link to a file inside the folder is read like the file itself.
    assert_rejected(
        "link_inside",
        &out,
        &format!("{shown}/inside.yaml:1:1"),
        "missing field `format_version`",
    );
    assert_rejected(
        "symlink_loop",
        &out,
        &format!("{shown}/loop:1:1"),
        "not followed",
    );
}

#[test]
fn control_characters_in_file_names_are_printed_inert() {
    let root = tempfile::tempdir().expect("temp dir");
    let evil = root.path().join("evil\u{1b}]0;PWNED\u{7}");
    std::fs::create_dir(&evil).expect("dir");
    std::fs::write(evil.join("empty.yaml"), "").expect("file");
    let out = run_check(root.path());
    let at = format!("{}/evil^[]0;PWNED^G/empty.yaml:1:1", root.path().display());
    assert_rejected("escape_in_folder_name", &out, &at, "missing field");
}

/// `list` and `show` on a folder whose lesson and chapter titles hold escape sequences: the
/// lesson is skipped with an inert warning, the chapter title is shown inert.
#[test]
fn list_and_show_print_no_control_character_from_a_hostile_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile");
    for case in [
        "terminal_escapes",
        "chapter_escape",
        "c1_and_del",
        "raw_control_bytes",
    ] {
        let dir = root.join(case);
        for args in [&["list"][..], &["list", "--json"], &["show", case]] {
            let out = run(["--content".as_ref(), dir.as_os_str()]
                .into_iter()
                .chain(args.iter().map(|a| a.as_ref())));
            let all = out.stdout.clone() + &out.stderr;
            assert!(!all.contains("panicked"), "{case} {args:?}: {all}");
            assert!(
                !all.contains(|c: char| c.is_control() && c != '\n'),
                "{case} {args:?} printed a control character: {all:?}"
            );
            if case != "chapter_escape" {
                assert!(all.contains("control character"), "{case} {args:?}: {all}");
            }
        }
    }
    let out = run(["--content", "tests/fixtures/hostile/chapter_escape", "list"]);
    assert!(
        out.stdout.contains("^[[2J^[]0;PWNED^G  [evil]"),
        "{}",
        out.stdout
    );
}

/// Found by the fuzzer: with no chapter defined at all, the message read "use one of  or …".
#[test]
fn an_unknown_chapter_with_no_chapters_defined_says_so() {
    use eshikaku::content::check::check_set;
    use eshikaku::content::source::{Origin, SourceFile};
    let q = "  - id: q1\n    prompt: p\n    choices: [a, b]\n    answer: 1\n    explanation: e\n";
    let file = SourceFile {
        path: "course/a.yaml".into(),
        rel: "a.yaml".into(),
        text: String::from_utf8(lesson_with("a", "t", q)).expect("UTF-8"),
        origin: Origin::Folder,
    };
    let set = check_set(&[file], &[]);
    let got: Vec<String> = set.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "course/a.yaml:4:10: unknown chapter `normalization`: no chapters are defined yet or add it to chapters.yaml"
        ]
    );
}
