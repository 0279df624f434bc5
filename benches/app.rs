//! The app's own timings (issue #14): loading and validating every built-in lesson, and
//! rendering one kernel-lab frame with a chart at 120×40 into ratatui's `TestBackend`.
//!
//! `cargo bench --bench app` — results are recorded in BENCHMARKS.md (targets: content ≤ 20 ms,
//! a frame ≤ 5 ms; the TUI's startup to its first frame is measured there in a pty).

use divan::Bencher;
use eshikaku::content;
use eshikaku::tui::app::{App, Screen, update};
use eshikaku::tui::keys::handle_key;
use eshikaku::tui::runner::KernelRun;
use eshikaku_kernels::KernelError;
use eshikaku_kernels::registry;
use eshikaku_kernels::trace::{CollectSink, Trace};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn main() {
    divan::main();
}

/// Reads, parses and checks every built-in lesson and chapter (what start-up does first).
#[divan::bench]
fn content_load_validate() -> content::Loaded {
    content::load(None)
}

/// A kernel lab showing a training chart of three series points per line, as
/// `tests/tui_views.rs` builds it (a replayed run of the `norm` kernel's lesson).
fn kernel_lab() -> App {
    let loaded = content::load(None);
    let mut app = App::new(loaded.library, 0);
    app.selected = app
        .library
        .lessons
        .iter()
        .position(|l| l.lesson.id == "normalization")
        .expect("built-in lesson");
    if let Some(msg) = handle_key(&app, KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)) {
        update(&mut app, msg);
    }
    let info = registry::find("norm").expect("norm");
    let knobs = info.configure(0, &[] as &[&str]).expect("defaults");
    let mut sink = CollectSink::default();
    let mut tr = Trace::new(&mut sink);
    for it in (1..=40).map(|i| f64::from(i) * 25.0) {
        tr.step("学習の経過", |s| {
            s.series("G(z) の平均 (目標 4)", it, it / 200.0);
            s.series("loss_D", it, 1.4 - it / 1000.0);
        })
        .expect("collect");
    }
    app.run = Some(KernelRun::replay(
        info,
        knobs,
        sink.steps,
        Err(KernelError::Cancelled),
    ));
    app.screen = Screen::Kernel;
    app.viewed_step = Some(39);
    app
}

/// One full frame of the kernel lab with its chart, 120×40.
#[divan::bench]
fn kernel_lab_frame_120x40(bencher: Bencher) {
    let app = kernel_lab();
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
    bencher.bench_local(|| {
        term.draw(|f| eshikaku::ui::render(&app, f)).expect("draw");
    });
}
