//! The TUI model and its update function (Elm style: `Message` in, new state out).

use super::effect::Effect;
use super::knob_form::{FormMsg, KnobForm};
use super::runner::{KernelRun, RunState};
use super::search::{SearchMsg, SearchState};
use super::study::{ExamState, QuizState};
use crate::content::Library;
use crate::study::progress::StudyState;
use crate::study::records::Timestamp;
use eshikaku_kernels::registry;
use eshikaku_kernels::trace::{Control, Event};

/// Which screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Home,
    Lesson,
    Kernel,
    /// A practice or review round.
    Quiz,
    /// A mock exam, running or scored.
    Exam,
    Stats,
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
    /// A one-line message at the bottom (e.g. "this lesson has no kernel").
    pub status: Option<String>,
    pub quit: bool,
    /// Animation frame counter (25 per second while an animation is on screen).
    pub tick: u64,
    /// The current time, set by the runtime before every update (tests set it by hand).
    pub now: Timestamp,
    /// The terminal size (columns, rows), set by the runtime.
    pub size: (u16, u16),
    /// Saved progress, the FSRS scheduler and the settings.
    pub study: StudyState,
    /// The practice or review round in progress.
    pub quiz: Option<QuizState>,
    /// The mock exam in progress or just scored.
    pub exam: Option<ExamState>,
    /// Scroll offset of the statistics screen.
    pub stats_scroll: usize,
    /// Where `q` on the lesson screen returns to (the quiz or exam that opened it).
    pub lesson_return: Option<Screen>,
    /// Work for the runtime (saving progress), in order.
    pub effects: Vec<Effect>,
    /// The search screen, while open (`/`).
    pub search: Option<SearchState>,
    /// The last search opened in the lesson: highlighted there, `n`/`N` move between hits.
    pub lesson_query: Option<String>,
    /// The lesson line of the current search hit.
    pub lesson_hit: Option<usize>,
    /// Images wider than the step pane are shrunk to fit (`z`) rather than shown 1:1.
    pub fit_images: bool,
    /// No colours (`NO_COLOR` set): images as ASCII shades.
    pub no_color: bool,
    /// Pixel columns wide images are scrolled to the left (`<` / `>`).
    pub image_hscroll: usize,
    /// The knob form of the kernel lab, while open (`e`).
    pub knob_form: Option<KnobForm>,
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
    /// Practise the selected lesson's questions.
    Practice,
    /// Review due questions, then new ones up to the daily limit.
    Review,
    /// Start a mock exam.
    StartExam,
    ShowStats,
    /// The number key `n` (1-based): a choice, or a rating after answering.
    Number(usize),
    /// Toggle the flag on an exam question.
    Flag,
    /// Submit the exam (asks for confirmation).
    Submit,
    /// Answer "yes" to a confirmation.
    Confirm,
    /// Open the lesson at the section the question is about.
    OpenRelevant,
    /// Clear the answer of an exam question.
    ClearAnswer,
    /// Time passed (the runtime sends this while an exam runs).
    Tick,
    /// The mouse wheel moved (`true` = down) over the screen.
    Wheel(bool),
    /// A mouse click at (column, row).
    Click(u16, u16),
    /// Open the search screen (`/`).
    Search,
    /// A key on the search screen.
    SearchKey(SearchMsg),
    /// Next (`true`) or previous search hit inside the lesson (`n` / `N`).
    NextHit(bool),
    /// Images: fit the pane or 1:1 (`z`).
    ToggleFit,
    /// Scroll wide images right (`true`, `>`) or left (`<`).
    ImageScroll(bool),
    /// Open the knob form (`e`).
    EditKnobs,
    /// A key in the knob form.
    Form(FormMsg),
}

/// Pixel columns `<` / `>` move a wide image.
const IMAGE_STEP: usize = 16;
/// A bound for the image scroll (the view clamps it to each image's width).
const MAX_HSCROLL: usize = 4096;

/// Lines a mouse-wheel notch scrolls.
pub const WHEEL_LINES: usize = 3;

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
            status: None,
            quit: false,
            tick: 0,
            now: 0,
            size: (80, 24),
            study: StudyState::default(),
            quiz: None,
            exam: None,
            stats_scroll: 0,
            lesson_return: None,
            effects: Vec::new(),
            search: None,
            lesson_query: None,
            lesson_hit: None,
            fit_images: false,
            no_color: false,
            image_hscroll: 0,
            knob_form: None,
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
        kernel_event(app, ev);
        return;
    }
    if let Message::Tick = msg {
        super::study::tick(app);
        return;
    }
    app.status = None;
    if let Message::SearchKey(k) = msg {
        super::search::update(app, k);
        return;
    }
    if let Message::Form(k) = msg {
        form(app, k);
        return;
    }
    if let Some(st) = app.search.as_mut() {
        match msg {
            Message::Wheel(down) => {
                let key = if down { SearchMsg::Down } else { SearchMsg::Up };
                super::search::update(app, key);
            }
            Message::Click(_, y) => {
                if let Some(i) = crate::ui::search::hit_at_row(st.selected, app.size, y)
                    && i < st.hits.len()
                {
                    st.selected = i;
                }
            }
            _ => {}
        }
        return;
    }
    if app.show_help {
        if matches!(msg, Message::ToggleHelp | Message::Back | Message::Quit) {
            app.show_help = false;
        }
        return;
    }
    match msg {
        Message::ToggleHelp => app.show_help = true,
        Message::EditKnobs => open_form(app),
        Message::Search => super::search::open(app),
        Message::Quit => {
            super::study::save_pending(app);
            app.quit = true;
        }
        _ => match app.screen {
            Screen::Home => home(app, msg),
            Screen::Lesson => lesson(app, msg),
            Screen::Kernel => kernel(app, msg),
            Screen::Quiz => super::study::quiz(app, msg),
            Screen::Exam => super::study::exam(app, msg),
            Screen::Stats => super::study::stats(app, msg),
        },
    }
    clamp_scrolls(app);
}

/// Keeps the scroll offsets within what the viewport (`app.size`) can show.
pub fn clamp_scrolls(app: &mut App) {
    if app.screen == Screen::Lesson {
        app.lesson_scroll = app.lesson_scroll.min(crate::ui::lesson::max_scroll(app));
    }
    if app.screen == Screen::Kernel {
        app.step_scroll = app.step_scroll.min(crate::ui::kernel::max_scroll(app));
    }
}

/// Lines one page moves: the height of the scrolled text (the screen minus header and footer).
pub fn page(app: &App) -> usize {
    usize::from(app.size.1.saturating_sub(3)).max(1)
}

fn home(app: &mut App, msg: Message) {
    let last = app.library.lessons.len().saturating_sub(1);
    match msg {
        Message::Back => app.quit = true,
        Message::Up => app.selected = app.selected.saturating_sub(1),
        Message::Down => app.selected = (app.selected + 1).min(last),
        Message::PageUp => app.selected = app.selected.saturating_sub(page(app)),
        Message::PageDown => app.selected = (app.selected + page(app)).min(last),
        Message::Wheel(true) => app.selected = (app.selected + 1).min(last),
        Message::Wheel(false) => app.selected = app.selected.saturating_sub(1),
        Message::Click(_, row) => {
            if let Some(i) = crate::ui::home::lesson_at_row(app, row) {
                app.selected = i;
            }
        }
        Message::Top => app.selected = 0,
        Message::Bottom => app.selected = last,
        Message::Open if app.current_lesson().is_some() => {
            app.lesson_query = None;
            app.lesson_hit = None;
            open_lesson(app, app.selected, 0);
        }
        Message::RunKernel => start_kernel(app),
        Message::Practice => super::study::start_practice(app),
        Message::Review => super::study::start_review(app),
        Message::StartExam => super::study::start_exam(app),
        Message::ShowStats => super::study::show_stats(app),
        _ => {}
    }
}

/// Opens lesson `index` scrolled to line `scroll`, and records that it was read.
pub fn open_lesson(app: &mut App, index: usize, scroll: usize) {
    let Some(entry) = app.library.lessons.get(index) else {
        return;
    };
    let id = entry.lesson.id.clone();
    app.selected = index;
    app.screen = Screen::Lesson;
    app.lesson_scroll = scroll;
    app.study.lesson_opened(&id, app.now);
    app.study.refresh(&app.library, app.now);
    app.effects.push(Effect::LessonOpened(id, app.now));
}

fn lesson(app: &mut App, msg: Message) {
    match msg {
        Message::Back => {
            app.screen = app.lesson_return.take().unwrap_or(Screen::Home);
        }
        Message::Practice => super::study::start_practice(app),
        Message::NextHit(forward) => super::search::next_in_lesson(app, forward),
        Message::Up => app.lesson_scroll = app.lesson_scroll.saturating_sub(1),
        Message::Down => app.lesson_scroll += 1,
        Message::PageUp => app.lesson_scroll = app.lesson_scroll.saturating_sub(page(app)),
        Message::PageDown => app.lesson_scroll += page(app),
        Message::Wheel(true) => app.lesson_scroll += WHEEL_LINES,
        Message::Wheel(false) => app.lesson_scroll = app.lesson_scroll.saturating_sub(WHEEL_LINES),
        Message::Top => app.lesson_scroll = 0,
        Message::Bottom => app.lesson_scroll = usize::MAX / 2,
        Message::RunKernel | Message::Open => start_kernel(app),
        _ => {}
    }
}

/// Applies a kernel event; a finished run is recorded in the progress.
fn kernel_event(app: &mut App, ev: Event) {
    let Some(run) = &mut app.run else {
        return;
    };
    run.apply(ev);
    if let RunState::Done(report) = &run.state
        && !run.recorded
    {
        run.recorded = true;
        let record = super::study::kernel_record(run.info.id, &run.knobs, report, app.now);
        app.study.kernel_ran(&record);
        app.study.refresh(&app.library, app.now);
        app.effects.push(Effect::KernelRun(record));
    }
}

/// The kernel of the selected lesson.
fn lesson_kernel(app: &mut App) -> Option<&'static eshikaku_kernels::kernel::KernelInfo> {
    let entry = app.current_lesson()?;
    let Some(link) = &entry.lesson.kernel else {
        app.status = Some("このレッスンにはカーネルがありません".into());
        return None;
    };
    let found = registry::find(&link.id);
    if found.is_none() {
        app.status = Some(format!("カーネル `{}` が見つかりません", link.id));
    }
    found
}

/// Starts the selected lesson's kernel in step mode with the last run's knobs (the defaults
/// at first), and shows the kernel screen.
fn start_kernel(app: &mut App) {
    let Some(info) = lesson_kernel(app) else {
        return;
    };
    let knobs = match &app.run {
        Some(run) if run.info.id == info.id => run.knobs.clone(),
        _ => eshikaku_kernels::knobs::KnobValues::defaults(info.knobs, 0),
    };
    start_kernel_with(app, info, knobs);
}

/// Starts `info` with `knobs` in step mode (the runtime spawns the worker: [`Effect::StartKernel`]).
fn start_kernel_with(
    app: &mut App,
    info: &'static eshikaku_kernels::kernel::KernelInfo,
    knobs: eshikaku_kernels::knobs::KnobValues,
) {
    app.run = Some(KernelRun::new(info, knobs, true));
    app.effects.push(Effect::StartKernel);
    app.viewed_step = None;
    app.step_scroll = 0;
    app.screen = Screen::Kernel;
}

/// Opens the knob form with the current run's values (or the defaults).
fn open_form(app: &mut App) {
    let form = match &app.run {
        Some(run) => KnobForm::new(run.info, &run.knobs),
        None => match lesson_kernel(app) {
            Some(info) => KnobForm::new(
                info,
                &eshikaku_kernels::knobs::KnobValues::defaults(info.knobs, 0),
            ),
            None => return,
        },
    };
    app.knob_form = Some(form);
}

/// A key in the knob form: edit, or start the run on a valid submit.
fn form(app: &mut App, msg: FormMsg) {
    let Some(form) = app.knob_form.as_mut() else {
        return;
    };
    if msg == FormMsg::Close {
        app.knob_form = None;
        return;
    }
    let submit = msg == FormMsg::Submit;
    match form.update(msg, app.now) {
        Some(values) => {
            let info = form.kernel;
            app.knob_form = None;
            start_kernel_with(app, info, values);
        }
        None if submit => {
            if let Some(row) = form.first_error() {
                form.cursor = row;
            }
            app.status = Some("値を直してください (赤字の行)".into());
        }
        None => {}
    }
}

fn kernel(app: &mut App, msg: Message) {
    let shown = app.shown_step();
    let page = page(app);
    let clicked = match msg {
        Message::Click(x, y) => crate::ui::kernel::step_at(app, x, y),
        _ => None,
    };
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
        Message::ToggleFit => app.fit_images = !app.fit_images,
        Message::ImageScroll(true) => {
            app.image_hscroll = (app.image_hscroll + IMAGE_STEP).min(MAX_HSCROLL)
        }
        Message::ImageScroll(false) => {
            app.image_hscroll = app.image_hscroll.saturating_sub(IMAGE_STEP)
        }
        Message::RunKernel => start_kernel(app),
        Message::Up => app.step_scroll = app.step_scroll.saturating_sub(1),
        Message::Down => app.step_scroll += 1,
        Message::PageUp => app.step_scroll = app.step_scroll.saturating_sub(page),
        Message::PageDown => app.step_scroll += page,
        Message::Click(..) => {
            if let Some(i) = clicked {
                // The newest step: follow the run again, as `f` does.
                app.viewed_step = (Some(i) != newest).then_some(i);
                app.step_scroll = 0;
            }
        }
        Message::Wheel(true) => app.step_scroll += WHEEL_LINES,
        Message::Wheel(false) => app.step_scroll = app.step_scroll.saturating_sub(WHEEL_LINES),
        Message::Top => app.step_scroll = 0,
        Message::Bottom => app.step_scroll = usize::MAX / 2,
        _ => {}
    }
}
