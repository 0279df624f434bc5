//! Timing of the TUI, run by hand (`--ignored`): the time from start to the first frame and
//! the time to render one frame at 120×40. Results are recorded in BENCHMARKS.md.
//!
//! `cargo test --release --test tui_bench -- --ignored --nocapture`

use eshikaku::content;
use eshikaku::tui::app::{App, Message, Screen, update};
use eshikaku::tui::runner::KernelRun;
use eshikaku_kernels::registry;
use eshikaku_kernels::trace::{CollectSink, Trace};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Instant;

fn draw(t: &mut Terminal<TestBackend>, app: &App) {
    t.draw(|f| eshikaku::ui::render(app, f)).expect("draw");
}

/// Mean time per frame of `n` renders of `app`, in microseconds.
fn per_frame(app: &App, n: u32) -> f64 {
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("backend");
    draw(&mut t, app);
    let start = Instant::now();
    for _ in 0..n {
        draw(&mut t, app);
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
}

#[test]
#[ignore = "timing; run by hand"]
fn startup_and_frame_times() {
    let start = Instant::now();
    let loaded = content::load(None);
    let mut app = App::new(loaded.library, loaded.diagnostics.len());
    app.size = (120, 40);
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("backend");
    draw(&mut t, &app);
    println!(
        "start → first frame (content + model + home frame): {:?}",
        start.elapsed()
    );

    println!("home frame 120×40: {:.0} µs", per_frame(&app, 200));
    app.selected = app
        .library
        .lessons
        .iter()
        .position(|l| l.lesson.id == "normalization")
        .unwrap_or(0);
    update(&mut app, Message::Open);
    println!("lesson frame 120×40: {:.0} µs", per_frame(&app, 200));
    let info = registry::find("norm").expect("norm");
    let knobs = info.configure(0, &[] as &[&str]).expect("defaults");
    let mut sink = CollectSink::default();
    let result = info.run(&knobs, &mut Trace::new(&mut sink));
    app.run = Some(KernelRun::replay(info, knobs, sink.steps, result));
    app.screen = Screen::Kernel;
    app.viewed_step = Some(7);
    println!(
        "kernel chart step frame 120×40: {:.0} µs",
        per_frame(&app, 200)
    );
    let search = Instant::now();
    update(&mut app, Message::Search);
    for c in "正規化".chars() {
        update(
            &mut app,
            Message::SearchKey(eshikaku::tui::search::SearchMsg::Input(c)),
        );
    }
    println!(
        "search: 4 keystrokes incl. all-lesson search: {:?}",
        search.elapsed()
    );
}
