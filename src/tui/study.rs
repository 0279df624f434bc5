//! The study screens' model and update: practice and review rounds, the mock exam and the
//! statistics. Progress lives in memory ([`crate::study::progress::StudyState`]) and is saved
//! by the runtime through [`Effect`]s.

use super::app::{App, Message, Screen, open_lesson};
use super::effect::Effect;
use crate::content::relevant::section_for;
use crate::study::exam::{Exam, ExamPlan};
use crate::study::pick::{QuestionRef, Scope, in_scope, review_queue};
use crate::study::practice::Round;
use crate::study::records::{ExamRecord, KernelRunRecord, MetricRecord, Mode, Rating, Timestamp};
use eshikaku_kernels::knobs::KnobValues;
use eshikaku_kernels::trace::Report;

/// A practice or review round on screen.
pub struct QuizState {
    pub round: Round,
    /// What is being practised, for the header.
    pub title: String,
    /// The highlighted choice (arrows + Enter answer with it).
    pub cursor: usize,
    /// Scroll offset of the question or feedback text.
    pub scroll: usize,
    /// The screen to return to.
    pub back_to: Screen,
}

/// What a confirmation prompt on the exam screen is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    Submit,
    Abandon,
}

/// The exam sizes offered before an exam starts.
pub const EXAM_SIZES: [usize; 4] = [10, 25, 50, 100];

/// The mock exam on screen: choosing its size, running, or scored.
pub struct ExamState {
    /// Before the start: the index into [`EXAM_SIZES`] being chosen.
    pub setup: Option<usize>,
    pub exam: Option<Exam>,
    pub cursor: usize,
    pub confirm: Option<Confirm>,
    /// On the result: the selected wrong answer.
    pub result_cursor: usize,
    pub scroll: usize,
}

/// The record of a finished kernel run.
pub fn kernel_record(
    kernel: &str,
    knobs: &KnobValues,
    report: &Report,
    at: Timestamp,
) -> KernelRunRecord {
    KernelRunRecord {
        kernel: kernel.to_string(),
        at,
        seed: knobs.seed,
        passed: report.passed(),
        metrics: report
            .metrics
            .iter()
            .map(|m| MetricRecord {
                name: m.name.clone(),
                value: m.value,
                target: m.target.as_ref().map(|t| t.to_string()),
                pass: m.pass,
            })
            .collect(),
    }
}

/// Practice: the selected lesson's questions in a shuffled order.
pub fn start_practice(app: &mut App) {
    let Some(entry) = app.current_lesson() else {
        return;
    };
    let id = entry.lesson.id.clone();
    let title = format!("演習: {}", entry.lesson.title);
    let Ok(mut items) = in_scope(&app.library, &Scope::Lesson(id)) else {
        return;
    };
    let mut rng = crate::study::shuffle::rng(app.now as u64);
    rand::seq::SliceRandom::shuffle(items.as_mut_slice(), &mut rng);
    begin_round(app, Mode::Practice, items, title);
}

/// Review: due questions first, then new ones up to today's limit.
pub fn start_review(app: &mut App) {
    let Ok(all) = in_scope(&app.library, &Scope::All) else {
        return;
    };
    let new_left = app.study.new_left_today(app.now);
    let items = review_queue(&app.library, &all, &app.study.cards, app.now, new_left);
    if items.is_empty() {
        app.status = Some("今日の復習はありません (新しい問題も今日の上限に達しました)".into());
        return;
    }
    begin_round(app, Mode::Review, items, "復習".into());
}

fn begin_round(app: &mut App, mode: Mode, items: Vec<QuestionRef>, title: String) {
    if items.is_empty() {
        app.status = Some("このレッスンには問題がありません".into());
        return;
    }
    let back_to = if app.screen == Screen::Quiz {
        Screen::Home
    } else {
        app.screen
    };
    let round = Round::new(mode, items, app.now as u64, &app.library, app.now);
    app.quiz = Some(QuizState {
        round,
        title,
        cursor: 0,
        scroll: 0,
        back_to,
    });
    app.screen = Screen::Quiz;
}

/// Hands the answer waiting on the feedback screen to the runtime for saving.
pub fn save_pending(app: &mut App) {
    if let Some(q) = &mut app.quiz
        && let Some((answer, card)) = q.round.take_unsaved()
    {
        app.study.answered(&answer, card.as_ref());
        app.effects.push(Effect::Answer(answer, card));
        app.study.refresh(&app.library, app.now);
    }
}

/// Keys on the practice / review screen.
pub fn quiz(app: &mut App, msg: Message) {
    let Some(q) = &mut app.quiz else {
        app.screen = Screen::Home;
        return;
    };
    let answering = q.round.current.is_some();
    let choices = q
        .round
        .current
        .as_ref()
        .map_or(0, |p| p.shuffled.order.len());
    match msg {
        Message::Back => {
            let back = q.back_to;
            save_pending(app);
            app.quiz = None;
            app.screen = back;
        }
        Message::Number(n) if answering => answer(app, n.saturating_sub(1)),
        Message::Number(n) => {
            if let Some(r) = Rating::ALL.get(n.wrapping_sub(1)) {
                q.round.set_rating(*r, &app.study.sched);
            }
        }
        Message::Up if answering => q.cursor = q.cursor.saturating_sub(1),
        Message::Down if answering => q.cursor = (q.cursor + 1).min(choices.saturating_sub(1)),
        Message::Up | Message::PageUp => q.scroll = q.scroll.saturating_sub(1),
        Message::Down | Message::PageDown => q.scroll += 1,
        Message::Open if answering => {
            let c = q.cursor;
            answer(app, c);
        }
        Message::Open | Message::NextStep if !answering => next_question(app),
        Message::OpenRelevant if !answering => open_relevant(app, Screen::Quiz),
        _ => {}
    }
}

fn answer(app: &mut App, shown: usize) {
    let Some(q) = &mut app.quiz else { return };
    let fed = q.round.answer(
        &app.library,
        shown,
        app.now,
        &app.study.sched,
        &app.study.cards,
    );
    if fed.is_some() {
        q.scroll = 0;
    }
}

fn next_question(app: &mut App) {
    save_pending(app);
    let Some(q) = &mut app.quiz else { return };
    q.round.next(&app.library, app.now);
    q.cursor = 0;
    q.scroll = 0;
}

/// The question the feedback or the selected exam result is about.
fn focused_question(app: &App) -> Option<QuestionRef> {
    match app.screen {
        Screen::Quiz => app.quiz.as_ref()?.round.feedback.as_ref().map(|f| f.item),
        Screen::Exam => {
            let st = app.exam.as_ref()?;
            let exam = st.exam.as_ref()?;
            let result = exam.result.as_ref()?;
            let wrong: Vec<usize> = (0..result.items.len())
                .filter(|&i| !result.items[i].correct)
                .collect();
            let i = *wrong.get(st.result_cursor)?;
            Some(exam.items.get(i)?.item)
        }
        _ => None,
    }
}

/// Opens the lesson of the focused question at its most relevant section; `q` comes back.
fn open_relevant(app: &mut App, back: Screen) {
    let Some(r) = focused_question(app) else {
        return;
    };
    let Some((entry, q)) = r.get(&app.library) else {
        return;
    };
    let width = usize::from(app.size.0.saturating_sub(2));
    let line = section_for(&entry.lesson, q).map_or(0, |s| {
        crate::ui::lesson_text::section_line(
            &entry.lesson,
            app.library.chapter_title(&entry.lesson.chapter),
            width,
            s,
        )
    });
    save_pending(app);
    open_lesson(app, r.lesson, line);
    app.lesson_return = Some(back);
}

/// Whether a mock exam is running (started and not yet submitted).
pub fn exam_in_progress(app: &App) -> bool {
    app.exam
        .as_ref()
        .and_then(|st| st.exam.as_ref())
        .is_some_and(|e| !e.is_submitted())
}

/// Opens the exam screen at its size choice.
pub fn start_exam(app: &mut App) {
    if app.library.question_count() == 0 {
        app.status = Some("問題がありません".into());
        return;
    }
    app.exam = Some(ExamState {
        setup: Some(0),
        exam: None,
        cursor: 0,
        confirm: None,
        result_cursor: 0,
        scroll: 0,
    });
    app.screen = Screen::Exam;
}

/// Starts the exam with the chosen size (72 s per question, as in the real exam).
fn begin_exam(app: &mut App, size: usize) {
    let bank = app.library.question_count();
    let Ok(plan) = ExamPlan::new(bank, Some(size), None, app.now as u64) else {
        return;
    };
    let exam = Exam::start(&app.library, &plan, app.now);
    if let Some(st) = &mut app.exam {
        st.setup = None;
        st.exam = Some(exam);
        st.cursor = 0;
    }
}

/// Submits the running exam when its time is up.
pub fn tick(app: &mut App) {
    let Some(st) = &mut app.exam else { return };
    let Some(exam) = &mut st.exam else { return };
    if exam.tick(&app.library, app.now) {
        st.confirm = None;
        finish_exam(app);
        app.status = Some("時間切れです。解答を提出しました".into());
    }
}

/// Records a submitted exam.
fn finish_exam(app: &mut App) {
    let Some(exam) = app.exam.as_ref().and_then(|s| s.exam.as_ref()) else {
        return;
    };
    let Some(record) = exam.result.clone() else {
        return;
    };
    let answers = exam.answer_records(&app.library);
    for a in &answers {
        app.study.answered(a, None);
    }
    app.study.data.exams.push(record.clone());
    app.effects.push(Effect::Exam(record, answers));
    app.study.refresh(&app.library, app.now);
}

/// Keys on the exam screen.
pub fn exam(app: &mut App, msg: Message) {
    let Some(st) = &mut app.exam else {
        app.screen = Screen::Home;
        return;
    };
    if let Some(i) = st.setup {
        match msg {
            Message::Up => st.setup = Some(i.saturating_sub(1)),
            Message::Down => st.setup = Some((i + 1).min(EXAM_SIZES.len() - 1)),
            Message::Number(n) if (1..=EXAM_SIZES.len()).contains(&n) => st.setup = Some(n - 1),
            Message::Open => begin_exam(app, EXAM_SIZES[i]),
            Message::Back => {
                app.exam = None;
                app.screen = Screen::Home;
            }
            _ => {}
        }
        return;
    }
    let submitted = st.exam.as_ref().is_some_and(Exam::is_submitted);
    if submitted {
        exam_result(app, msg);
    } else {
        exam_running(app, msg);
    }
}

fn exam_running(app: &mut App, msg: Message) {
    let now = app.now;
    let Some(st) = &mut app.exam else { return };
    let Some(exam) = &mut st.exam else { return };
    if let Some(c) = st.confirm {
        match (msg, c) {
            (Message::Confirm, Confirm::Submit) => {
                exam.submit(&app.library, now, false);
                st.confirm = None;
                finish_exam(app);
            }
            (Message::Confirm, Confirm::Abandon) => {
                app.exam = None;
                app.screen = Screen::Home;
                app.status = Some("模擬試験を中断しました (記録されません)".into());
            }
            _ => st.confirm = None,
        }
        return;
    }
    let n = exam
        .items
        .get(exam.current)
        .map_or(0, |i| i.shuffled.order.len());
    match msg {
        Message::Number(k) if k >= 1 => exam.choose(k - 1),
        Message::Up => st.cursor = st.cursor.saturating_sub(1),
        Message::Down => st.cursor = (st.cursor + 1).min(n.saturating_sub(1)),
        Message::Open => exam.choose(st.cursor),
        Message::ClearAnswer => exam.clear(),
        Message::Flag => exam.toggle_flag(),
        Message::NextStep => {
            exam.go_to(exam.current + 1, now);
            st.cursor = 0;
        }
        Message::PrevStep => {
            exam.go_to(exam.current.saturating_sub(1), now);
            st.cursor = 0;
        }
        Message::Top => exam.go_to(0, now),
        Message::Bottom => exam.go_to(usize::MAX, now),
        Message::Submit => st.confirm = Some(Confirm::Submit),
        Message::Back => st.confirm = Some(Confirm::Abandon),
        _ => {}
    }
}

fn exam_result(app: &mut App, msg: Message) {
    let Some(st) = &mut app.exam else { return };
    let wrong = st
        .exam
        .as_ref()
        .and_then(|e| e.result.as_ref())
        .map_or(0, |r| r.items.iter().filter(|i| !i.correct).count());
    match msg {
        Message::Up => st.result_cursor = st.result_cursor.saturating_sub(1),
        Message::Down => st.result_cursor = (st.result_cursor + 1).min(wrong.saturating_sub(1)),
        Message::PageUp => st.scroll = st.scroll.saturating_sub(5),
        Message::PageDown => st.scroll += 5,
        Message::Open | Message::OpenRelevant => open_relevant(app, Screen::Exam),
        Message::Back => {
            app.exam = None;
            app.screen = Screen::Home;
        }
        _ => {}
    }
}

/// Shows the statistics screen.
pub fn show_stats(app: &mut App) {
    app.study.refresh(&app.library, app.now);
    app.stats_scroll = 0;
    app.screen = Screen::Stats;
}

/// Keys on the statistics screen.
pub fn stats(app: &mut App, msg: Message) {
    match msg {
        Message::Back => app.screen = Screen::Home,
        Message::Up => app.stats_scroll = app.stats_scroll.saturating_sub(1),
        Message::Down => app.stats_scroll += 1,
        Message::PageUp => app.stats_scroll = app.stats_scroll.saturating_sub(10),
        Message::PageDown => app.stats_scroll += 10,
        Message::Top => app.stats_scroll = 0,
        _ => {}
    }
}

/// The exam record shown on the result screen, if any.
pub fn exam_result_record(app: &App) -> Option<&ExamRecord> {
    app.exam.as_ref()?.exam.as_ref()?.result.as_ref()
}
