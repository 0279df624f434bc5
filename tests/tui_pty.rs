//! The real binary in a real pseudo-terminal: resized and interrupted in the middle of a kernel
//! run, and crashed on purpose. Each time the terminal must come back as it was: out of the
//! alternate screen, mouse reporting off, line editing and echo on.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The app running in a pty, with everything it wrote fed to a terminal emulator.
struct Session {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    screen: Arc<Mutex<vt100::Parser>>,
    home: tempfile::TempDir,
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

impl Session {
    fn start(envs: &[(&str, &str)]) -> Session {
        let pair = native_pty_system().openpty(size(100, 30)).expect("a pty");
        let home = tempfile::tempdir().expect("temp dir");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_eshikaku"));
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        cmd.env("TERM", "xterm-256color");
        cmd.env("ESHIKAKU_HOME", home.path());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("the app starts");
        drop(pair.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(30, 100, 0)));
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let sink = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("screen").process(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().expect("writer");
        Session {
            master: pair.master,
            writer,
            child,
            screen,
            home,
        }
    }

    fn text(&self) -> String {
        self.screen.lock().expect("screen").screen().contents()
    }

    /// Waits until the screen shows `needle`; panics with the screen if it never does.
    fn wait_for(&self, needle: &str, limit: Duration) {
        let start = Instant::now();
        while start.elapsed() < limit {
            if self.text().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("never showed {needle:?}; screen:\n{}", self.text());
    }

    fn keys(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("keys reach the app");
        self.writer.flush().expect("flush");
    }

    fn resize(&mut self, cols: u16, rows: u16) {
        self.screen
            .lock()
            .expect("screen")
            .screen_mut()
            .set_size(rows, cols);
        self.master.resize(size(cols, rows)).expect("resize");
    }

    /// Waits for the app to end; its exit code.
    fn exit_code(&mut self, limit: Duration) -> u32 {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("status") {
                // Let the reader thread take the last bytes.
                std::thread::sleep(Duration::from_millis(200));
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("the app did not end; screen:\n{}", self.text());
    }

    /// Asserts the terminal is as a shell expects it: normal screen, no mouse reporting,
    /// canonical input with echo.
    fn assert_given_back(&self) {
        let parser = self.screen.lock().expect("screen");
        let screen = parser.screen();
        assert!(!screen.alternate_screen(), "still in the alternate screen");
        assert_eq!(
            screen.mouse_protocol_mode(),
            vt100::MouseProtocolMode::None,
            "mouse reporting left on"
        );
        let fd = self.master.as_raw_fd().expect("pty fd");
        // SAFETY: `termios` is plain data, filled by `tcgetattr` on a descriptor we own.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut t) }, 0, "tcgetattr");
        assert_ne!(t.c_lflag & libc::ICANON, 0, "raw mode left on (no ICANON)");
        assert_ne!(t.c_lflag & libc::ECHO, 0, "raw mode left on (no ECHO)");
    }
}

#[test]
fn resizing_and_ctrl_c_during_a_kernel_run_give_the_terminal_back() {
    let mut s = Session::start(&[]);
    s.wait_for("E資格", Duration::from_secs(30));
    // Open the first lesson's kernel lab and let the run go on by itself.
    s.keys(b"r");
    s.wait_for("ステップ実行中", Duration::from_secs(30));
    s.keys(b"c");
    // Mid-run: too small, then large again; the app redraws for each size.
    s.resize(30, 8);
    s.wait_for("端末が小さすぎます", Duration::from_secs(10));
    s.resize(120, 40);
    s.wait_for("ステップ", Duration::from_secs(10));
    assert!(
        s.child.try_wait().expect("status").is_none(),
        "app ended on resize"
    );
    s.keys(&[0x03]); // Ctrl-C
    assert_eq!(s.exit_code(Duration::from_secs(10)), 0);
    s.assert_given_back();
}

#[test]
fn a_panic_gives_the_terminal_back_and_says_where_to_report() {
    let mut s = Session::start(&[("ESHIKAKU_DEBUG_PANIC", "tui")]);
    assert_eq!(s.exit_code(Duration::from_secs(30)), 101);
    s.assert_given_back();
    let text = s.text();
    assert!(text.contains("this is a bug"), "{text}");
    assert!(text.contains("Reporting a bug"), "{text}");
    let crash = std::fs::read_dir(s.home.path())
        .expect("data dir")
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("crash-"))
        .expect("a crash file in the data folder");
    let details = std::fs::read_to_string(crash.path()).expect("crash file");
    assert!(details.contains("deliberate panic"), "{details}");
    assert!(details.contains("backtrace"), "{details}");
}

#[test]
fn a_kernel_that_panics_is_shown_as_failed_and_the_app_goes_on() {
    let mut s = Session::start(&[("ESHIKAKU_DEBUG_PANIC", "kernel")]);
    s.wait_for("E資格", Duration::from_secs(30));
    s.keys(b"r");
    s.wait_for("内部エラー (バグ)", Duration::from_secs(30));
    assert!(
        s.child.try_wait().expect("status").is_none(),
        "the app ended"
    );
    let parser = s.screen.lock().expect("screen");
    assert!(
        parser.screen().alternate_screen(),
        "the TUI lost its screen"
    );
    drop(parser);
    s.keys(&[0x03]);
    assert_eq!(s.exit_code(Duration::from_secs(10)), 0);
    s.assert_given_back();
}
