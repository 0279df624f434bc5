//! Runs the real binary with a time limit, measuring its wall time and peak memory.

use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A process that ran longer than this is taken to be hung (a check takes milliseconds).
const TIMEOUT: Duration = Duration::from_secs(60);

/// What a bounded run did.
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// Peak resident set size in kB (0 where the platform does not say). An upper bound: Linux
    /// also counts the test process's own memory at the moment of the spawn, so tests keep
    /// big inputs on disk, not in memory. RELIABILITY.md has exact figures from
    /// `/usr/bin/time -v`.
    pub max_rss_kb: u64,
}

/// `eshikaku lessons check DIR`, bounded.
pub fn run_check(dir: &Path) -> Outcome {
    run([OsStr::new("lessons"), OsStr::new("check"), dir.as_os_str()])
}

/// `eshikaku ARGS…`, bounded.
pub fn run<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_eshikaku"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let start = Instant::now();
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let (code, max_rss_kb) = wait_bounded(&mut child, start);
    Outcome {
        code,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        elapsed: start.elapsed(),
        max_rss_kb,
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Waits for `child` (killing it after [`TIMEOUT`]): exit code and peak RSS in kB.
#[cfg(unix)]
fn wait_bounded(child: &mut Child, start: Instant) -> (Option<i32>, u64) {
    let pid = i32::try_from(child.id()).expect("pid fits");
    loop {
        let mut status = 0;
        // SAFETY: an all-zero `rusage` is a valid value; `wait4` fills it in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: waits for our own child; both out-pointers are valid for writes.
        let got = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(got >= 0, "wait4 failed");
        if got == pid {
            let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
            return (code, u64::try_from(usage.ru_maxrss).unwrap_or(0));
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("still running after {TIMEOUT:?}: hung");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[cfg(not(unix))]
fn wait_bounded(child: &mut Child, start: Instant) -> (Option<i32>, u64) {
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return (status.code(), 0);
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("still running after {TIMEOUT:?}: hung");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}
