//! The TUI model and its update function (Elm style: `Message` in, new state out).

use super::runner::KernelRun;
use crate::content::Library;
use eshikaku_kernels::registry;
use eshikaku_kernels::trace::{Control, Event};
use std::cell::Cell;

/// Which screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Home,
    Lesson,
    Kernel,
}

/// Everything the TUI shows.
pub struct App {
    pub library: Library,
    /// Problems found while loading content (shown as a warning line).
    pub content_problems: usize,
    pub screen: Screen,
    pub show_help: bool,
    /// Selected lesson in the home list (index into `library.lessons`).
    pub selected: usize,
    /// Scroll offset of the lesson text, in lines.
    pub lesson_scroll: usize,
    /// The kernel run of the open lesson, if started.
    pub run: Option<KernelRun>,
    /// Which received step the kernel screen shows; `None` follows the newest.
    pub viewed_step: Option<usize>,
    /// Scroll offset inside the shown step.
    pub step_scroll: usize,
    /// The largest useful `lesson_scroll`, as found by the last render.
    pub lesson_max_scroll: Cell<usize>,
    /// The largest useful `step_scroll`, as found by the last render.
    pub step_max_scroll: Cell<usize>,
    /// A one-line message at the bottom (e.g. "this lesson has no kernel").
    pub status: Option<String>,
    pub quit: bool,
    /// Redraw counter (25 per second), drives animations.
    pub tick: u64,
}

/// Everything that can happen to the model.
#[derive(Debug)]
pub enum Message {
    Quit,
    Back,
    ToggleHelp,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    RunKernel,
    NextStep,
    Continue,
    Pause,
    PrevStep,
    FollowStep,
    Kernel(Event),
}

/// Lines a page-up/page-down moves.
pub const PAGE: usize = 10;

impl App {
    pub fn new(library: Library, content_problems: usize) -> Self {
        Self {
            library,
            content_problems,
            screen: Screen::Home,
            show_help: false,
            selected: 0,
            lesson_scroll: 0,
            run: None,
            viewed_step: None,
            step_scroll: 0,
            lesson_max_scroll: Cell::new(usize::MAX / 2),
            step_max_scroll: Cell::new(usize::MAX / 2),
            status: None,
            quit: false,
            tick: 0,
        }
    }

    /// The lesson selected on the home screen.
    pub fn current_lesson(&self) -> Option<&crate::content::check::LessonEntry> {
        self.library.lessons.get(self.selected)
    }

    /// Index of the step the kernel screen shows.
    pub fn shown_step(&self) -> Option<usize> {
        let n = self.run.as_ref().map_or(0, |r| r.steps.len());
        match self.viewed_step {
            Some(i) if i < n => Some(i),
            _ => n.checked_sub(1),
        }
    }
}

/// Applies `msg` to `app`.
pub fn update(app: &mut App, msg: Message) {
    if let Message::Kernel(ev) = msg {
        if let Some(run) = &mut app.run {
            run.apply(ev);
        }
        return;
    }
    app.status = None;
    if app.show_help {
        if matches!(msg, Message::ToggleHelp | Message::Back | Message::Quit) {
            app.show_help = false;
        }
        return;
    }
    match msg {
        Message::ToggleHelp => app.show_help = true,
        Message::Quit => app.quit = true,
        _ => match app.screen {
            Screen::Home => home(app, msg),
            Screen::Lesson => lesson(app, msg),
            Screen::Kernel => kernel(app, msg),
        },
    }
    app.lesson_scroll = app.lesson_scroll.min(app.lesson_max_scroll.get());
    app.step_scroll = app.step_scroll.min(app.step_max_scroll.get());
}

fn home(app: &mut App, msg: Message) {
    let last = app.library.lessons.len().saturating_sub(1);
    match msg {
        Message::Back => app.quit = true,
        Message::Up => app.selected = app.selected.saturating_sub(1),
        Message::Down => app.selected = (app.selected + 1).min(last),
        Message::PageUp => app.selected = app.selected.saturating_sub(PAGE),
        Message::PageDown => app.selected = (app.selected + PAGE).min(last),
        Message::Top => app.selected = 0,
        Message::Bottom => app.selected = last,
        Message::Open if app.current_lesson().is_some() => {
            app.screen = Screen::Lesson;
            app.lesson_scroll = 0;
        }
        Message::RunKernel => start_kernel(app),
        _ => {}
    }
}

fn lesson(app: &mut App, msg: Message) {
    match msg {
        Message::Back => app.screen = Screen::Home,
        Message::Up => app.lesson_scroll = app.lesson_scroll.saturating_sub(1),
        Message::Down => app.lesson_scroll += 1,
        Message::PageUp => app.lesson_scroll = app.lesson_scroll.saturating_sub(PAGE),
        Message::PageDown => app.lesson_scroll += PAGE,
        Message::Top => app.lesson_scroll = 0,
        Message::Bottom => app.lesson_scroll = usize::MAX / 2,
        Message::RunKernel | Message::Open => start_kernel(app),
        _ => {}
    }
}

/// Starts the selected lesson's kernel in step mode and shows the kernel screen.
fn start_kernel(app: &mut App) {
    let Some(entry) = app.current_lesson() else {
        return;
    };
    let Some(link) = &entry.lesson.kernel else {
        app.status = Some("このレッスンにはカーネルがありません".into());
        return;
    };
    let Some(info) = registry::find(&link.id) else {
        app.status = Some(format!("カーネル `{}` が見つかりません", link.id));
        return;
    };
    let knobs = eshikaku_kernels::knobs::KnobValues::defaults(info.knobs, 0);
    app.run = Some(KernelRun::start(info, knobs, true));
    app.viewed_step = None;
    app.step_scroll = 0;
    app.screen = Screen::Kernel;
}

fn kernel(app: &mut App, msg: Message) {
    let shown = app.shown_step();
    let Some(run) = &mut app.run else {
        app.screen = Screen::Lesson;
        return;
    };
    let newest = run.steps.len().checked_sub(1);
    match msg {
        Message::Back => {
            app.run = None;
            app.screen = Screen::Lesson;
        }
        Message::NextStep => {
            // Browsing older steps: move forward; at the newest step: ask the kernel for one more.
            if shown < newest {
                app.viewed_step = shown.map(|i| i + 1);
            } else {
                app.viewed_step = None;
                run.send(Control::Next);
            }
            app.step_scroll = 0;
        }
        Message::PrevStep => {
            app.viewed_step = Some(shown.map_or(0, |i| i.saturating_sub(1)));
            app.step_scroll = 0;
        }
        Message::FollowStep => {
            app.viewed_step = None;
            app.step_scroll = 0;
        }
        Message::Continue => {
            app.viewed_step = None;
            run.send(Control::Continue);
        }
        Message::Pause => run.send(Control::Pause),
        Message::RunKernel => start_kernel(app),
        Message::Up => app.step_scroll = app.step_scroll.saturating_sub(1),
        Message::Down => app.step_scroll += 1,
        Message::PageUp => app.step_scroll = app.step_scroll.saturating_sub(PAGE),
        Message::PageDown => app.step_scroll += PAGE,
        Message::Top => app.step_scroll = 0,
        Message::Bottom => app.step_scroll = usize::MAX / 2,
        _ => {}
    }
}
