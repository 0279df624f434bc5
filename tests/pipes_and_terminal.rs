//! The real binary when its output goes nowhere: a reader that closes the pipe early, or no
//! terminal at all. Every command must end quietly: no panic message, no backtrace.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};

/// The commands whose output a learner might pipe into `head`.
const COMMANDS: &[&[&str]] = &[
    &["list"],
    &["list", "--json"],
    &["run", "norm"],
    &["run", "norm", "--json"],
    &["show", "normalization"],
    &["lessons", "check"],
    &["lessons", "check", "tests/fixtures/broken"],
    &["lessons", "schema"],
    &["--help"],
];

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_eshikaku"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts")
}

/// Waits for `child`, returning its status and everything it wrote to stderr.
fn finish(mut child: Child) -> (ExitStatus, String) {
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_string(&mut err).expect("stderr is readable");
    }
    (child.wait().expect("child ends"), err)
}

/// Exit 0, exit 141, or killed by SIGPIPE: what a well-behaved Unix tool does.
fn ended_quietly(status: ExitStatus) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if status.signal() == Some(13) {
            return true;
        }
    }
    matches!(status.code(), Some(0 | 141))
        // `lessons check` on broken files exits 1 whether or not anyone reads its output.
        || status.code() == Some(1)
}

fn assert_quiet(args: &[&str], status: ExitStatus, stderr: &str) {
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "`eshikaku {}` printed a panic:\n{stderr}",
        args.join(" ")
    );
    assert!(
        ended_quietly(status),
        "`eshikaku {}` ended with {status}:\n{stderr}",
        args.join(" ")
    );
}

/// The reader is gone before the command writes anything, so its first write hits a closed
/// pipe every time (no race with the pipe buffer).
#[test]
fn every_command_ends_quietly_when_the_reader_is_already_gone() {
    for args in COMMANDS {
        let mut child = spawn(args);
        drop(child.stdout.take());
        let (status, stderr) = finish(child);
        assert_quiet(args, status, &stderr);
    }
}

/// `eshikaku … | head -1`: the reader takes one line, then closes.
#[test]
fn every_command_ends_quietly_when_the_reader_closes_after_one_line() {
    for args in COMMANDS {
        let mut child = spawn(args);
        if let Some(out) = child.stdout.take() {
            let mut line = String::new();
            BufReader::new(out)
                .read_line(&mut line)
                .expect("first line");
            assert!(
                !line.is_empty(),
                "`eshikaku {}` printed nothing",
                args.join(" ")
            );
        }
        let (status, stderr) = finish(child);
        assert_quiet(args, status, &stderr);
    }
}

/// `eshikaku < /dev/null`, output piped: no terminal, so say what to run instead and exit 2.
#[test]
fn the_tui_without_a_terminal_says_what_to_run_and_exits_2() {
    let child = spawn(&[]);
    let out = child.wait_with_output().expect("child ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line expected:\n{stderr}");
    assert!(stderr.contains("eshikaku list"), "{stderr}");
    assert!(stderr.contains("eshikaku show LESSON"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing drawn on stdout");
}
