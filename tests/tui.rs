//! The TUI: every screen rendered on a test backend (snapshots at 80×24 and 120×40), key-driven
//! flows asserted on the model, and no panic at any terminal size.

use eshikaku::content;
use eshikaku::tui::app::{App, Message, Screen, update};
use eshikaku::tui::keys::handle_key;
use eshikaku::tui::runner::{KernelRun, RunState};
use eshikaku_kernels::registry;
use eshikaku_kernels::trace::{CollectSink, Trace};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::{Duration, Instant};

fn app() -> App {
    let loaded = content::load(None);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    App::new(loaded.library, 0)
}

/// The app with only the given built-in lessons, so snapshots do not change whenever a
/// lesson is added elsewhere.
fn app_with(ids: &[&str]) -> App {
    let mut app = app();
    app.library
        .lessons
        .retain(|l| ids.contains(&l.lesson.id.as_str()));
    app
}

fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| eshikaku::ui::render(app, f)).expect("draw");
    t
}

/// The screen as text: one line per row, wide characters once (no filler cells), trailing
/// spaces trimmed.
fn screen(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut x = 0;
        while x < buf.area.width {
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            x += u16::try_from(eshikaku::ui::wrap::width(sym).max(1)).unwrap_or(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn press(app: &mut App, code: KeyCode) {
    if let Some(msg) = handle_key(app, KeyEvent::new(code, KeyModifiers::NONE)) {
        update(app, msg);
    }
}

fn open_normalization(app: &mut App) {
    let idx = app
        .library
        .lessons
        .iter()
        .position(|l| l.lesson.id == "normalization")
        .expect("built-in lesson");
    app.selected = idx;
    press(app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Lesson);
}

/// The norm kernel's default run, replayed into the model without a worker thread.
fn replayed_norm(app: &mut App, upto: Option<usize>) {
    let info = registry::find("norm").expect("norm");
    let knobs = info.configure(0, &[] as &[&str]).expect("defaults");
    let mut sink = CollectSink::default();
    let result = info.run(&knobs, &mut Trace::new(&mut sink));
    app.run = Some(KernelRun::replay(info, knobs, sink.steps, result));
    app.viewed_step = upto;
    app.screen = Screen::Kernel;
}

#[test]
fn home_screen_snapshots() {
    let app = app_with(&["docker", "normalization"]);
    insta::assert_snapshot!("home_80x24", screen(&render(&app, 80, 24)));
    insta::assert_snapshot!("home_120x40", screen(&render(&app, 120, 40)));
}

#[test]
fn lesson_screen_snapshots_with_japanese_text() {
    let mut app = app();
    open_normalization(&mut app);
    insta::assert_snapshot!("lesson_80x24", screen(&render(&app, 80, 24)));
    insta::assert_snapshot!("lesson_120x40", screen(&render(&app, 120, 40)));
    for _ in 0..3 {
        press(&mut app, KeyCode::Char(' '));
    }
    insta::assert_snapshot!("lesson_80x24_scrolled", screen(&render(&app, 80, 24)));
}

#[test]
fn kernel_screen_snapshots() {
    let mut app = app();
    open_normalization(&mut app);
    replayed_norm(&mut app, Some(2));
    insta::assert_snapshot!("kernel_80x24_step3", screen(&render(&app, 80, 24)));
    insta::assert_snapshot!("kernel_120x40_step3", screen(&render(&app, 120, 40)));
    app.viewed_step = None;
    insta::assert_snapshot!("kernel_120x40_metrics", screen(&render(&app, 120, 40)));
}

#[test]
fn help_overlay_snapshot_and_toggle() {
    let mut app = app_with(&["docker", "normalization"]);
    press(&mut app, KeyCode::Char('?'));
    assert!(app.show_help);
    insta::assert_snapshot!("help_80x24", screen(&render(&app, 80, 24)));
    press(&mut app, KeyCode::Char('j'));
    assert!(
        app.show_help,
        "keys other than ?/q/Esc are swallowed by the overlay"
    );
    press(&mut app, KeyCode::Esc);
    assert!(!app.show_help);
    assert!(!app.quit, "Esc closes help rather than quitting");
}

#[test]
fn lesson_text_is_wrapped_within_the_screen() {
    let mut app = app();
    open_normalization(&mut app);
    let text = screen(&render(&app, 60, 30));
    for line in text.lines() {
        assert!(
            eshikaku::ui::wrap::width(line) <= 60,
            "line wider than the screen: {line}"
        );
    }
    assert!(text.contains("正規化層は、層への入力を"), "{text}");
}

fn wait_for(app: &mut App, what: &str, cond: impl Fn(&App) -> bool) {
    // The runtime's part: start the worker threads the model asked for.
    eshikaku::tui::effect::start_kernels(app);
    let start = Instant::now();
    while !cond(app) {
        while let Some(ev) = app.run.as_mut().and_then(|r| r.try_event()) {
            update(app, Message::Kernel(ev));
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn open_lesson_run_kernel_step_and_come_back() {
    let mut app = app();
    open_normalization(&mut app);
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(app.screen, Screen::Kernel);
    wait_for(&mut app, "first step", |a| {
        a.run.as_ref().is_some_and(|r| !r.steps.is_empty())
    });
    // Step mode: the kernel waits; no second step arrives by itself.
    std::thread::sleep(Duration::from_millis(50));
    wait_for(&mut app, "nothing", |_| true);
    assert_eq!(app.run.as_ref().map(|r| r.steps.len()), Some(1));
    assert_eq!(
        app.run.as_ref().map(|r| r.state.clone()),
        Some(RunState::Stepping)
    );

    press(&mut app, KeyCode::Char('n'));
    wait_for(&mut app, "second step", |a| {
        a.run.as_ref().is_some_and(|r| r.steps.len() == 2)
    });
    assert_eq!(app.shown_step(), Some(1));

    // Browse back, then forward again without asking the kernel for more.
    press(&mut app, KeyCode::Left);
    assert_eq!(app.shown_step(), Some(0));
    press(&mut app, KeyCode::Right);
    assert_eq!(app.shown_step(), Some(1));
    assert_eq!(app.run.as_ref().map(|r| r.steps.len()), Some(2));

    press(&mut app, KeyCode::Char('c'));
    wait_for(&mut app, "the end", |a| {
        a.run.as_ref().is_some_and(KernelRun::is_finished)
    });
    let run = app.run.as_ref().expect("run");
    match &run.state {
        RunState::Done(report) => assert!(report.passed(), "{:?}", report.metrics),
        other => panic!("run did not finish cleanly: {other:?}"),
    }
    assert_eq!(run.steps.last().map(|s| s.key.as_str()), Some("metrics"));
    // The step note of the lesson is shown beside the step.
    app.viewed_step = Some(2);
    let shown = screen(&render(&app, 120, 40));
    assert!(shown.contains("BN の出力はチャネルごとに"), "{shown}");

    press(&mut app, KeyCode::Char('q'));
    assert_eq!(app.screen, Screen::Lesson);
    assert!(app.run.is_none());
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(app.screen, Screen::Home);
    press(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
}

#[test]
fn leaving_a_stepping_run_cancels_it() {
    let mut app = app();
    open_normalization(&mut app);
    press(&mut app, KeyCode::Char('r'));
    wait_for(&mut app, "first step", |a| {
        a.run.as_ref().is_some_and(|r| !r.steps.is_empty())
    });
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::Lesson);
    assert!(app.run.is_none(), "the run (and its worker) is dropped");
}

#[test]
fn home_navigation_clamps_and_ctrl_c_quits() {
    let mut app = app();
    for _ in 0..50 {
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(app.selected, app.library.lessons.len() - 1);
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(app.selected, 0);
    let msg = handle_key(
        &app,
        KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
    );
    assert!(matches!(msg, Some(Message::Quit)));
}

#[test]
fn no_panic_at_any_terminal_size() {
    let mut states = Vec::new();
    states.push(app());
    let mut a = app();
    open_normalization(&mut a);
    states.push(a);
    let mut a = app();
    open_normalization(&mut a);
    replayed_norm(&mut a, None);
    states.push(a);
    let mut a = app();
    open_normalization(&mut a);
    replayed_norm(&mut a, Some(1));
    a.show_help = true;
    states.push(a);
    for app in &states {
        for w in (0..=40).chain([79, 80, 81, 200]) {
            for h in (0..=12).chain([24, 60]) {
                render(app, w, h);
            }
        }
    }
}

#[test]
fn scatter_and_cartpole_values_render_and_animate() {
    let mut app = app();
    open_normalization(&mut app);
    let info = registry::find("norm").expect("norm");
    let knobs = info.configure(0, &[] as &[&str]).expect("defaults");
    let mut sink = CollectSink::default();
    Trace::new(&mut sink)
        .step("synthetic", |s| {
            s.scatter(
                "埋め込み",
                vec![[0.0, 0.0], [1.0, 2.0], [2.0, 1.0]],
                vec![0, 1, 2],
            );
            s.cartpole("エピソード", vec![[0.0, 0.0], [0.5, 0.3], [-1.0, -0.3]]);
        })
        .expect("collect");
    app.run = Some(KernelRun::replay(
        info,
        knobs,
        sink.steps,
        Err(eshikaku_kernels::KernelError::Cancelled),
    ));
    app.screen = Screen::Kernel;
    let first = screen(&render(&app, 100, 40));
    assert!(first.contains("埋め込み  3 点"), "{first}");
    let braille = |s: &str| s.chars().any(|c| ('\u{2801}'..='\u{28FF}').contains(&c));
    assert!(
        braille(&first),
        "points and the pole drawn on a canvas: {first}"
    );
    assert!(first.contains("t = 1/3"), "{first}");
    app.tick = 1;
    let later = screen(&render(&app, 100, 40));
    assert!(
        later.contains("t = 3/3") && later.contains("θ = -17.2°"),
        "{later}"
    );
    for (w, h) in [(0, 0), (5, 3), (12, 6), (30, 10)] {
        render(&app, w, h);
    }
}
