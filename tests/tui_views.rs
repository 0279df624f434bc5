//! The TUI's newer views on a test backend: search, charts and images in the kernel lab, the
//! knob form, the help box over Japanese text (frame intact in every row), the too-small
//! notice, and every screen at every size without a panic.

use eshikaku::content;
use eshikaku::tui::app::{App, Message, Screen, update};
use eshikaku::tui::keys::handle_key;
use eshikaku::tui::runner::KernelRun;
use eshikaku_kernels::KernelError;
use eshikaku_kernels::registry;
use eshikaku_kernels::trace::{Cell, CollectSink, Histogram, Image, Palette, Table, Trace};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;

fn app() -> App {
    let loaded = content::load(None);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    App::new(loaded.library, 0)
}

fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| eshikaku::ui::render(app, f)).expect("draw");
    t
}

/// The screen as text: wide characters once, trailing spaces trimmed.
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

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn lesson_index(app: &App, id: &str) -> usize {
    app.library
        .lessons
        .iter()
        .position(|l| l.lesson.id == id)
        .expect("built-in lesson")
}

fn open(app: &mut App, id: &str) {
    app.selected = lesson_index(app, id);
    press(app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Lesson);
}

/// A run of the norm kernel made of the given synthetic steps (no worker thread).
fn synthetic_run(app: &mut App, record: impl Fn(&mut Trace)) {
    let info = registry::find("norm").expect("norm");
    let knobs = info.configure(0, &[] as &[&str]).expect("defaults");
    let mut sink = CollectSink::default();
    record(&mut Trace::new(&mut sink));
    app.run = Some(KernelRun::replay(
        info,
        knobs,
        sink.steps,
        Err(KernelError::Cancelled),
    ));
    app.screen = Screen::Kernel;
}

fn chart_steps(tr: &mut Trace) {
    for it in [250.0, 500.0, 750.0] {
        tr.step("学習の経過", |s| {
            s.series("G(z) の平均 (目標 4)", it, it / 200.0);
            s.series("loss_D", it, 1.4 - it / 1000.0);
        })
        .expect("collect");
    }
    tr.step("分布と表", |s| {
        s.histogram(
            Histogram::new(
                "D の出力の分布",
                "D の出力",
                (0..5).map(|b| format!("0.{b}")),
            )
            .set("本物 x", (0..5).map(|b| f64::from(b * 3)))
            .set("生成 G(z)", (0..5).map(|b| f64::from(12 - b * 2))),
        );
        s.table(
            Table::new("正規化の比較", ["手法", "平均をとる軸", "誤差"])
                .row([Cell::from("BatchNorm"), "(N, H, W)".into(), 0.012345.into()])
                .row([Cell::from("LayerNorm"), "(C, H, W)".into(), 3.5.into()]),
        );
    })
    .expect("collect");
}

fn image_steps(tr: &mut Trace) {
    tr.step("生成された数字", |s| {
        s.image(Image {
            name: "8×8 のサンプル".into(),
            width: 72,
            height: 8,
            palette: Palette::Gray,
            data: (0..72 * 8)
                .map(|i| ((i % 72) as f32 / 8.0).sin().abs())
                .collect(),
        });
        s.image(Image {
            name: "CAM のヒートマップ".into(),
            width: 6,
            height: 4,
            palette: Palette::Heat,
            data: (0..24).map(|i| i as f32 / 23.0).collect(),
        });
    })
    .expect("collect");
}

#[test]
fn search_results_snapshots_and_open_at_the_hit() {
    let mut app = app();
    app.size = (80, 24);
    press(&mut app, KeyCode::Char('/'));
    assert!(app.search.is_some());
    type_text(&mut app, "正規化");
    insta::assert_snapshot!("search_80x24", screen(&render(&app, 80, 24)));
    app.size = (120, 40);
    press(&mut app, KeyCode::Backspace);
    type_text(&mut app, "化");
    insta::assert_snapshot!("search_120x40", screen(&render(&app, 120, 40)));
    press(&mut app, KeyCode::Esc);
    assert!(app.search.is_none());
    assert_eq!(app.screen, Screen::Home);
}

#[test]
fn searching_a_word_from_one_lesson_body_opens_it_at_the_word() {
    let mut app = app();
    app.size = (100, 30);
    // A term only the normalization lesson uses (in its body, far below the top).
    let word = "グループ正規化";
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, word);
    let st = app.search.as_ref().expect("search");
    let lessons: std::collections::BTreeSet<usize> = st.hits.iter().map(|h| h.lesson).collect();
    assert_eq!(
        lessons.into_iter().collect::<Vec<_>>(),
        vec![lesson_index(&app, "normalization")],
        "found in one lesson only"
    );
    // The last hit in the lesson text (not in a question) is deep in the lesson.
    let last = st
        .hits
        .iter()
        .rposition(|h| !h.in_question)
        .expect("a hit in the text");
    for _ in 0..last {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Lesson);
    assert_eq!(app.selected, lesson_index(&app, "normalization"));
    assert!(app.lesson_scroll > 10, "opened scrolled down to the hit");
    let t = render(&app, 100, 30);
    let shown = screen(&t);
    assert!(shown.contains(word), "{shown}");
    // The hit is highlighted.
    let buf = t.backend().buffer();
    let highlighted = (0..buf.area.height).any(|y| {
        (0..buf.area.width).any(|x| buf[(x, y)].symbol() == "グ" && buf[(x, y)].bg != Color::Reset)
    });
    assert!(highlighted);
    // n moves to the next hit in the lesson, wrapping around.
    let first = app.lesson_hit;
    press(&mut app, KeyCode::Char('n'));
    assert!(app.lesson_hit.is_some());
    press(&mut app, KeyCode::Char('N'));
    assert_eq!(app.lesson_hit, first);
}

/// The popup's bounds: the rows and columns of its `┌` and `┘` corners.
fn popup_bounds(buf: &Buffer) -> (u16, u16, u16, u16) {
    let find = |sym: &str| {
        (0..buf.area.height)
            .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
            .find(|&(x, y)| buf[(x, y)].symbol() == sym)
            .expect("popup corner")
    };
    let (x0, y0) = find("┌");
    let (x1, y1) = find("┘");
    (x0, y0, x1, y1)
}

#[test]
fn help_over_a_japanese_lesson_keeps_its_frame_in_every_row() {
    for (w, h) in [(80, 24), (100, 30), (120, 40), (81, 25), (99, 31)] {
        let mut app = app();
        app.size = (w, h);
        open(&mut app, "normalization");
        press(&mut app, KeyCode::Char('j'));
        press(&mut app, KeyCode::Char('?'));
        let t = render(&app, w, h);
        let buf = t.backend().buffer();
        let (x0, y0, x1, y1) = popup_bounds(buf);
        for y in y0 + 1..y1 {
            assert_eq!(
                buf[(x0, y)].symbol(),
                "│",
                "left border at row {y} ({w}×{h})"
            );
            assert_eq!(
                buf[(x1, y)].symbol(),
                "│",
                "right border at row {y} ({w}×{h})"
            );
            // No wide character straddles either border.
            if x0 > 0 {
                assert!(eshikaku::ui::wrap::width(buf[(x0 - 1, y)].symbol()) <= 1);
            }
            assert!(eshikaku::ui::wrap::width(buf[(x1 - 1, y)].symbol()) <= 1);
        }
        if (w, h) == (80, 24) || (w, h) == (120, 40) {
            insta::assert_snapshot!(format!("help_lesson_{w}x{h}"), screen(&t));
        }
    }
}

#[test]
fn kernel_lab_chart_step_snapshots() {
    let mut app = app();
    open(&mut app, "normalization");
    synthetic_run(&mut app, chart_steps);
    app.viewed_step = Some(2);
    insta::assert_snapshot!("kernel_chart_80x24", screen(&render(&app, 80, 24)));
    insta::assert_snapshot!("kernel_chart_120x40", screen(&render(&app, 120, 40)));
    let shown = screen(&render(&app, 120, 40));
    assert!(
        shown.contains("学習の経過 — 反復 750"),
        "repeats told apart: {shown}"
    );
    assert!(
        shown.contains("目標"),
        "the target line is in the legend: {shown}"
    );
    app.viewed_step = Some(3);
    insta::assert_snapshot!("kernel_table_120x40", screen(&render(&app, 120, 40)));
}

/// The colours of each cell of rows `rows` as text: `fg/bg` per cell.
fn styled_rows(buf: &Buffer, rows: std::ops::Range<u16>, cols: std::ops::Range<u16>) -> String {
    let mut out = String::new();
    for y in rows {
        for x in cols.clone() {
            let c = &buf[(x, y)];
            let hex = |c: Color| match c {
                Color::Rgb(r, g, b) => format!("{r:02x}{g:02x}{b:02x}"),
                Color::Reset => "------".into(),
                other => format!("{other:?}"),
            };
            out.push_str(&format!("{}{}/{} ", c.symbol(), hex(c.fg), hex(c.bg)));
        }
        out.push('\n');
    }
    out
}

#[test]
fn kernel_lab_image_step_snapshots_with_colours() {
    let mut app = app();
    open(&mut app, "normalization");
    synthetic_run(&mut app, image_steps);
    insta::assert_snapshot!("kernel_image_80x24", screen(&render(&app, 80, 24)));
    insta::assert_snapshot!("kernel_image_120x40", screen(&render(&app, 120, 40)));
    let t = render(&app, 120, 40);
    let text = screen(&t);
    let row = text
        .lines()
        .position(|l| l.contains("CAM のヒートマップ"))
        .expect("heat map heading");
    let row = u16::try_from(row).expect("row");
    let x = text
        .lines()
        .nth(usize::from(row) + 1)
        .map_or(0, |l| l.find('▀').unwrap_or(0));
    let x = u16::try_from(x).expect("col");
    insta::assert_snapshot!(
        "kernel_heatmap_colours",
        styled_rows(t.backend().buffer(), row + 1..row + 3, x..x + 6)
    );
    // 80 columns: the 72-pixel image is cut 1:1 (never shrunk below a pixel per cell); z fits.
    app.size = (80, 24);
    let narrow = screen(&render(&app, 80, 24));
    assert!(narrow.contains("</> 移動、z 縮小"), "{narrow}");
    press(&mut app, KeyCode::Char('>'));
    let moved = screen(&render(&app, 80, 24));
    assert!(
        moved.contains("16–"),
        "scrolled 16 px to the right: {moved}"
    );
    press(&mut app, KeyCode::Char('<'));
    press(&mut app, KeyCode::Char('z'));
    assert!(app.fit_images);
    let fitted = screen(&render(&app, 80, 24));
    assert!(fitted.contains("縮小表示 — z で 1:1"), "{fitted}");
    // NO_COLOR: ASCII shades.
    app.no_color = true;
    app.fit_images = false;
    let plain = screen(&render(&app, 120, 40));
    assert!(plain.contains('@') && !plain.contains('▀'), "{plain}");
}

#[test]
fn knob_form_edits_validates_and_starts_a_run() {
    let mut app = app();
    app.now = 1_700_000_000_000;
    open(&mut app, "normalization");
    press(&mut app, KeyCode::Char('e'));
    let form = app.knob_form.as_ref().expect("form");
    assert!(!form.fields.is_empty());
    insta::assert_snapshot!("knob_form_80x24", screen(&render(&app, 80, 24)));
    insta::assert_snapshot!("knob_form_120x40", screen(&render(&app, 120, 40)));
    // An invalid value is explained inline and blocks the run.
    press(&mut app, KeyCode::Down);
    type_text(&mut app, "x");
    let err = app
        .knob_form
        .as_ref()
        .and_then(|f| f.fields[0].error.clone());
    assert!(err.is_some(), "invalid as typed");
    let shown = screen(&render(&app, 120, 40));
    assert!(shown.contains('✗'), "{shown}");
    press(&mut app, KeyCode::Enter);
    assert!(app.knob_form.is_some() && app.run.is_none());
    // Fix it, take a new seed, run.
    press(&mut app, KeyCode::Backspace);
    let seed_before = app.knob_form.as_ref().map(|f| f.seed.clone());
    let msg = handle_key(
        &app,
        KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
    );
    update(&mut app, msg.expect("ctrl-r"));
    let seed_after = app.knob_form.as_ref().map(|f| f.seed.clone());
    assert_ne!(seed_before, seed_after);
    press(&mut app, KeyCode::Enter);
    assert!(app.knob_form.is_none());
    assert_eq!(app.screen, Screen::Kernel);
    let run = app.run.as_ref().expect("run");
    assert_eq!(Some(run.knobs.seed.to_string()), seed_after);
    assert!(
        app.effects
            .contains(&eshikaku::tui::effect::Effect::StartKernel),
        "the runtime starts the worker"
    );
}

#[test]
fn too_small_notice_snapshot() {
    let app = app();
    insta::assert_snapshot!("too_small_30x8", screen(&render(&app, 30, 8)));
    assert!(screen(&render(&app, 39, 24)).contains("端末が小さすぎます"));
    assert!(!screen(&render(&app, 40, 10)).contains("端末が小さすぎます"));
}

#[test]
fn paging_moves_by_the_viewport_height() {
    let mut app = app();
    app.size = (80, 24);
    open(&mut app, "normalization");
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.lesson_scroll, 21);
    press(&mut app, KeyCode::End);
    let end = app.lesson_scroll;
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(app.lesson_scroll, end, "clamped to the last page");
    press(&mut app, KeyCode::Home);
    assert_eq!(app.lesson_scroll, 0);
    update(&mut app, Message::Wheel(true));
    assert_eq!(app.lesson_scroll, 3);
}

#[test]
fn a_click_selects_a_lesson_in_the_home_list() {
    let mut app = app();
    app.size = (100, 30);
    // Row 1 is the first chapter heading, row 2 its first lesson, row 3 the second.
    update(&mut app, Message::Click(5, 3));
    assert_eq!(app.selected, 1);
    update(&mut app, Message::Click(5, 1));
    assert_eq!(app.selected, 1, "a heading selects nothing");
}

#[test]
fn every_screen_renders_at_every_size() {
    let mut states = Vec::new();
    states.push(app());
    let mut a = app();
    open(&mut a, "normalization");
    a.lesson_query = Some("正規化".into());
    states.push(a);
    let mut s = app();
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "gan");
    states.push(s);
    for steps in [chart_steps as fn(&mut Trace), image_steps] {
        let mut k = app();
        open(&mut k, "normalization");
        synthetic_run(&mut k, steps);
        k.show_help = true;
        states.push(k);
    }
    let mut f = app();
    open(&mut f, "normalization");
    press(&mut f, KeyCode::Char('e'));
    states.push(f);
    // The study screens: practice, a running mock exam, statistics.
    let mut q = app();
    open(&mut q, "normalization");
    press(&mut q, KeyCode::Char('t'));
    assert_eq!(q.screen, Screen::Quiz);
    states.push(q);
    let mut x = app();
    press(&mut x, KeyCode::Char('x'));
    press(&mut x, KeyCode::Enter);
    assert_eq!(x.screen, Screen::Exam);
    states.push(x);
    let mut st = app();
    press(&mut st, KeyCode::Char('s'));
    states.push(st);
    let start = std::time::Instant::now();
    for app in &states {
        for w in (1..=200).step_by(7).chain([39, 40, 80, 200]) {
            for h in (1..=60).step_by(5).chain([9, 10, 24, 60]) {
                render(app, w, h);
            }
        }
    }
    assert!(start.elapsed().as_secs() < 30, "{:?}", start.elapsed());
}

#[test]
fn the_step_note_stays_visible_while_the_values_scroll() {
    let mut app = app();
    app.size = (80, 24);
    open(&mut app, "normalization");
    let info = registry::find("norm").expect("norm");
    let knobs = info.configure(0, &[] as &[&str]).expect("defaults");
    let mut sink = CollectSink::default();
    let result = info.run(&knobs, &mut Trace::new(&mut sink));
    app.run = Some(KernelRun::replay(info, knobs, sink.steps, result));
    app.screen = Screen::Kernel;
    app.viewed_step = Some(7);
    press(&mut app, KeyCode::End);
    assert!(
        app.step_scroll > 0,
        "the values scroll: {}",
        screen(&render(&app, 80, 24))
    );
    let shown = screen(&render(&app, 80, 24));
    assert!(
        shown.contains("┃ "),
        "the note is pinned above the values: {shown}"
    );
}

#[test]
fn a_click_selects_a_search_hit() {
    let mut app = app();
    app.size = (100, 30);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "正規化");
    // Row 0 is the query; each hit takes two rows from row 1.
    update(&mut app, Message::Click(10, 5));
    assert_eq!(app.search.as_ref().map(|s| s.selected), Some(2));
    update(&mut app, Message::Wheel(true));
    assert_eq!(app.search.as_ref().map(|s| s.selected), Some(3));
}

#[test]
fn a_click_selects_a_step_in_the_kernel_lab_list() {
    let mut app = app();
    app.size = (120, 40);
    synthetic_run(&mut app, chart_steps);
    assert_eq!(app.shown_step(), Some(3), "the newest step is shown");
    // The list starts on row 1 (below the header), one row per step.
    update(&mut app, Message::Click(5, 2));
    assert_eq!(app.shown_step(), Some(1));
    let t = render(&app, 120, 40);
    let buf = t.backend().buffer();
    let selected = eshikaku::ui::theme::selected().bg;
    let highlighted = |y: u16| Some(buf[(2, y)].bg) == selected;
    assert!(
        highlighted(2) && !highlighted(4),
        "the clicked row is highlighted: {:?} {:?}",
        buf[(2, 2)],
        buf[(2, 4)]
    );
    update(&mut app, Message::Click(5, 30));
    assert_eq!(
        app.shown_step(),
        Some(1),
        "a row below the last step selects nothing"
    );
    update(&mut app, Message::Click(60, 1));
    assert_eq!(
        app.shown_step(),
        Some(1),
        "a click outside the list selects nothing"
    );
    update(&mut app, Message::Click(5, 4));
    assert_eq!(app.shown_step(), Some(3));
    assert_eq!(
        app.viewed_step, None,
        "the newest step follows the run again"
    );
}

#[test]
fn a_table_wider_than_the_pane_keeps_its_numbers_whole() {
    let mut app = app();
    app.size = (80, 24);
    synthetic_run(&mut app, |tr| {
        tr.step("広い表", |s| {
            let cols = ["n", "辺 |E|", "スイープ", "固有値分解 flop", "時間 ms"];
            let cols = cols.into_iter().chain(["Â·X flop", "時間 ms", "flop の比"]);
            s.table(Table::new("広い表", cols).row((0..8).map(|_| Cell::Num(130.4))));
        })
        .expect("collect");
    });
    let shown = screen(&render(&app, 80, 24));
    // Only the cell at the pane's right edge may be cut; the 4 before it are whole.
    let whole = shown.matches("130.4").count();
    assert!(whole >= 4, "{whole} whole numbers: {shown}");
}
