//! The study screens of the TUI on a test backend: practice with feedback, a code-fill
//! question cut from the real kernel source, the mock exam (running, timed out, result), and
//! the key-driven flows between them, asserted on the model.

#[path = "common/study.rs"]
mod fixture;

use eshikaku::content::code::{BLANK, code_text};
use eshikaku::study::practice::Round;
use eshikaku::study::records::{Mode, Rating};
use eshikaku::tui::app::{App, Message, Screen, update};
use eshikaku::tui::effect::Effect;
use eshikaku::tui::keys::handle_key;
use eshikaku::tui::study::QuizState;
use fixture::{NOW, library};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn app() -> App {
    let mut app = App::new(library(), 0);
    app.now = NOW;
    app.study.refresh(&app.library, app.now);
    app
}

fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| eshikaku::ui::render(app, f)).expect("draw");
    t
}

/// The screen as text, wide characters once, trailing spaces trimmed.
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

/// The shown position of the correct choice of the question on screen.
fn key_position(app: &App) -> usize {
    let q = app.quiz.as_ref().expect("quiz");
    let p = q.round.current.as_ref().expect("a question on screen");
    let (_, question) = p.item.get(&app.library).expect("question");
    p.shuffled.shown(question.answer - 1).expect("shown")
}

#[test]
fn practice_question_and_feedback_snapshots() {
    let mut app = app();
    press(&mut app, KeyCode::Char('t'));
    assert_eq!(app.screen, Screen::Quiz);
    insta::assert_snapshot!("quiz_question_80x24", screen(&render(&app, 80, 24)));
    insta::assert_snapshot!("quiz_question_120x40", screen(&render(&app, 120, 40)));
    let wrong = (key_position(&app) + 1) % 4;
    app.now += 12_000;
    press(&mut app, KeyCode::Char(char::from(b'1' + wrong as u8)));
    let f = app
        .quiz
        .as_ref()
        .and_then(|q| q.round.feedback.as_ref())
        .expect("feedback");
    assert!(!f.correct);
    assert_eq!(f.answer.rating, Some(Rating::Again));
    assert_eq!(f.answer.took_ms, 12_000, "the time taken is recorded");
    insta::assert_snapshot!("quiz_feedback_80x24", screen(&render(&app, 80, 24)));
    insta::assert_snapshot!("quiz_feedback_120x40", screen(&render(&app, 120, 40)));
}

#[test]
fn answering_saves_once_with_the_overridden_rating() {
    let mut app = app();
    press(&mut app, KeyCode::Char('t'));
    let right = key_position(&app);
    app.now += 30_000;
    // Arrow keys + Enter answer with the cursor.
    for _ in 0..right {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    let f = app
        .quiz
        .as_ref()
        .and_then(|q| q.round.feedback.as_ref())
        .expect("feedback");
    assert!(f.correct);
    assert_eq!(
        f.answer.rating,
        Some(Rating::Good),
        "correct within the exam pace"
    );
    assert!(app.effects.is_empty(), "saved when the learner moves on");
    press(&mut app, KeyCode::Char('2')); // override: Hard
    press(&mut app, KeyCode::Enter);
    let saved: Vec<_> = app
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Answer(a, card) => Some((a.clone(), card.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].0.rating, Some(Rating::Hard));
    assert_eq!(saved[0].0.mode, Mode::Practice);
    assert!(saved[0].1.is_some(), "the card is saved with the answer");
    assert_eq!(app.study.cards.len(), 1);
    // Quitting mid-feedback still hands the answer over.
    press(&mut app, KeyCode::Char('1'));
    update(&mut app, Message::Quit);
    assert_eq!(
        app.effects
            .iter()
            .filter(|e| matches!(e, Effect::Answer(..)))
            .count(),
        2
    );
}

#[test]
fn code_fill_question_renders_the_real_kernel_source_with_a_blank() {
    let mut app = app();
    let lesson = app
        .library
        .lessons
        .iter()
        .position(|l| l.lesson.id == "alpha-norm")
        .expect("fixture lesson");
    let qi = app.library.lessons[lesson]
        .lesson
        .questions
        .iter()
        .position(|q| q.id == "code-running-var")
        .expect("code question");
    let item = eshikaku::study::pick::QuestionRef {
        lesson,
        question: qi,
    };
    let round = Round::new(Mode::Practice, vec![item], 4, &app.library, app.now);
    app.quiz = Some(QuizState {
        round,
        title: "演習".into(),
        cursor: 0,
        scroll: 0,
        back_to: Screen::Home,
    });
    app.screen = Screen::Quiz;
    let text = screen(&render(&app, 120, 40));
    let q = &app.library.lessons[lesson].lesson.questions[qi];
    let source = code_text(q.code.as_ref().expect("code")).expect("marker in the kernel");
    // Every line of the real snippet is on screen, the key replaced by the blank.
    for line in source.lines() {
        let shown = line.replacen(&q.choices[0], BLANK, 1);
        assert!(text.contains(shown.trim()), "missing `{shown}` in\n{text}");
    }
    let blank_line = text.lines().find(|l| l.contains(BLANK)).expect("a blank");
    assert!(!blank_line.contains(&q.choices[0]), "the key is hidden");
    insta::assert_snapshot!("quiz_code_fill_120x40", text);
    insta::assert_snapshot!("quiz_code_fill_80x24", screen(&render(&app, 80, 24)));
}

/// Starts the 10-question exam (all 7 fixture questions).
fn start_exam(app: &mut App) {
    press(app, KeyCode::Char('x'));
    assert_eq!(app.screen, Screen::Exam);
    insta::assert_snapshot!("exam_setup_80x24", screen(&render(app, 80, 24)));
    press(app, KeyCode::Enter);
}

#[test]
fn exam_running_and_result_snapshots() {
    let mut app = app();
    start_exam(&mut app);
    let n = app
        .exam
        .as_ref()
        .and_then(|s| s.exam.as_ref())
        .map_or(0, |e| e.items.len());
    assert_eq!(n, 7);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Char('3'));
    app.now += 95_000;
    insta::assert_snapshot!("exam_running_80x24", screen(&render(&app, 80, 24)));
    insta::assert_snapshot!("exam_running_120x40", screen(&render(&app, 120, 40)));
    press(&mut app, KeyCode::Char('s'));
    insta::assert_snapshot!("exam_confirm_80x24", screen(&render(&app, 80, 24)));
    press(&mut app, KeyCode::Char('y'));
    let exam = app
        .exam
        .as_ref()
        .and_then(|s| s.exam.as_ref())
        .expect("exam");
    let r = exam.result.as_ref().expect("submitted");
    assert!(!r.timed_out);
    assert_eq!(r.used_ms, 95_000);
    assert!(
        matches!(app.effects.last(), Some(Effect::Exam(rec, answers)) if rec == r && answers.len() == 2)
    );
    insta::assert_snapshot!("exam_result_80x24", screen(&render(&app, 80, 24)));
    insta::assert_snapshot!("exam_result_120x40", screen(&render(&app, 120, 40)));
    // Enter on a wrong answer opens its lesson; q comes back to the result.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Lesson);
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(app.screen, Screen::Exam);
}

#[test]
fn the_exam_submits_itself_when_the_clock_runs_out() {
    let mut app = app();
    start_exam(&mut app);
    press(&mut app, KeyCode::Char('1'));
    let allowed = app
        .exam
        .as_ref()
        .and_then(|s| s.exam.as_ref())
        .map_or(0, |e| e.allowed_ms);
    assert_eq!(allowed, 7 * 72_000);
    app.now += allowed - 1;
    update(&mut app, Message::Tick);
    assert!(app.effects.iter().all(|e| !matches!(e, Effect::Exam(..))));
    app.now += 2;
    update(&mut app, Message::Tick);
    let r = app
        .exam
        .as_ref()
        .and_then(|s| s.exam.as_ref())
        .and_then(|e| e.result.clone())
        .expect("submitted by the clock");
    assert!(r.timed_out);
    assert_eq!(r.used_ms, allowed);
    assert!(matches!(app.effects.last(), Some(Effect::Exam(..))));
    // Keys no longer change answers.
    press(&mut app, KeyCode::Char('2'));
    let after = app
        .exam
        .as_ref()
        .and_then(|s| s.exam.as_ref())
        .and_then(|e| e.result.clone());
    assert_eq!(after, Some(r));
}

#[test]
fn feedback_opens_the_lesson_at_the_relevant_section() {
    let mut app = app();
    app.size = (80, 10);
    press(&mut app, KeyCode::Char('t'));
    // Answer until the question about inference statistics is on feedback.
    loop {
        let q = app.quiz.as_ref().expect("quiz");
        let Some(p) = &q.round.current else {
            panic!("not found")
        };
        let (_, question) = p.item.get(&app.library).expect("q");
        let id = question.id.clone();
        press(&mut app, KeyCode::Char('1'));
        if id == "bn-inference" {
            break;
        }
        press(&mut app, KeyCode::Enter);
    }
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(app.screen, Screen::Lesson);
    let text = screen(&render(&app, 80, 10));
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.contains("移動平均の更新")),
        "opens at the section on running statistics:\n{text}"
    );
    assert!(
        !text.contains("■ バッチ正規化の軸"),
        "not at the top:\n{text}"
    );
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(app.screen, Screen::Quiz, "q returns to the practice");
}

#[test]
fn home_marks_follow_reading_and_answering() {
    let mut app = app();
    let marks = |app: &App| {
        let s = app.study.stats.as_ref().expect("stats");
        let l = &s.lessons[0];
        (l.read, l.counts.seen)
    };
    assert_eq!(marks(&app), (false, 0));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Lesson);
    assert_eq!(
        marks(&app),
        (true, 0),
        "opening a lesson marks it read at once"
    );
    press(&mut app, KeyCode::Char('t'));
    press(&mut app, KeyCode::Char('1'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(marks(&app), (true, 1), "an answer counts once saved");
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(
        app.screen,
        Screen::Lesson,
        "back where the practice started"
    );
    press(&mut app, KeyCode::Char('q'));
    let home = screen(&render(&app, 100, 30));
    assert!(home.contains("解いた 1/"), "{home}");
}

#[test]
fn study_screens_render_at_every_size_without_panic() {
    let mut app = app();
    press(&mut app, KeyCode::Char('t'));
    let mut states = vec![];
    for step in 0..3 {
        if step == 1 {
            press(&mut app, KeyCode::Char('1'));
        }
        if step == 2 {
            press(&mut app, KeyCode::Esc);
            start_exam(&mut app);
            press(&mut app, KeyCode::Char('s'));
        }
        states.push(app.screen);
        for w in (1..=120).step_by(7) {
            for h in (1..=40).step_by(3) {
                render(&app, w, h);
            }
        }
    }
    assert_eq!(states, vec![Screen::Quiz, Screen::Quiz, Screen::Exam]);
}
