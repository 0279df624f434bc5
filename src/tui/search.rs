//! Search across every lesson (`/`): the query, its hits, and the keys of the search screen.
//!
//! A lesson is searched line by line as the lesson screen lays it out at the current width,
//! so a hit knows the exact line to scroll to. Questions are searched by prompt and choices.

use super::app::{App, Screen, open_lesson};
use crate::ui::lesson_text;
use crate::ui::search_match::find_ci;

/// Hits shown at most (more are counted, not listed).
pub const MAX_HITS: usize = 500;

/// One place where the query occurs.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index into `library.lessons`.
    pub lesson: usize,
    /// The lesson-text line holding the hit (at the width of the search), or the line of the
    /// question heading for a hit in a question.
    pub line: usize,
    /// The text around the hit: the laid-out line, or the question's prompt or choice.
    pub context: String,
    /// Whether the hit is in a question rather than the lesson text.
    pub in_question: bool,
}

/// The search screen's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchState {
    pub query: String,
    pub hits: Vec<Hit>,
    /// All hits, including those beyond [`MAX_HITS`].
    pub total: usize,
    pub selected: usize,
    /// The screen the search was opened from (Esc returns there).
    pub from: Option<Screen>,
}

/// What the search screen's keys do.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchMsg {
    Input(char),
    Backspace,
    /// Clear the whole query (Ctrl-u).
    Clear,
    Up,
    Down,
    Open,
    Close,
}

/// Opens the search screen (not during a running mock exam: the lessons are closed then).
pub fn open(app: &mut App) {
    if super::study::exam_in_progress(app) {
        app.status = Some("模擬試験中は検索できません".into());
        return;
    }
    let query = app.lesson_query.clone().unwrap_or_default();
    let mut st = SearchState {
        query,
        from: Some(app.screen),
        ..SearchState::default()
    };
    refresh(app, &mut st);
    app.search = Some(st);
}

/// Applies a key of the search screen.
pub fn update(app: &mut App, msg: SearchMsg) {
    let Some(mut st) = app.search.take() else {
        return;
    };
    match msg {
        SearchMsg::Input(c) => {
            st.query.push(c);
            refresh(app, &mut st);
        }
        SearchMsg::Backspace => {
            st.query.pop();
            refresh(app, &mut st);
        }
        SearchMsg::Clear => {
            st.query.clear();
            refresh(app, &mut st);
        }
        SearchMsg::Up => st.selected = st.selected.saturating_sub(1),
        SearchMsg::Down => st.selected = (st.selected + 1).min(st.hits.len().saturating_sub(1)),
        SearchMsg::Close => return,
        SearchMsg::Open => {
            if let Some(hit) = st.hits.get(st.selected).cloned() {
                open_hit(app, &st, &hit);
                return;
            }
        }
    }
    app.search = Some(st);
}

/// Opens the lesson of `hit` with the hit's line near the top and the query highlighted.
fn open_hit(app: &mut App, st: &SearchState, hit: &Hit) {
    if hit.lesson != app.selected {
        app.run = None;
    }
    let back = match st.from {
        Some(s @ (Screen::Quiz | Screen::Exam)) => Some(s),
        _ => None,
    };
    open_lesson(app, hit.lesson, hit.line.saturating_sub(CONTEXT_ABOVE));
    app.lesson_return = back;
    app.lesson_query = Some(st.query.clone());
    app.lesson_hit = Some(hit.line);
    super::app::clamp_scrolls(app);
}

/// Lines shown above a hit when a lesson opens at it.
const CONTEXT_ABOVE: usize = 2;

/// Recomputes the hits of `st.query`.
fn refresh(app: &App, st: &mut SearchState) {
    st.hits.clear();
    st.total = 0;
    st.selected = 0;
    if st.query.trim().is_empty() {
        return;
    }
    let width = usize::from(crate::ui::lesson::text_area(app.size).width);
    for (i, entry) in app.library.lessons.iter().enumerate() {
        let l = &entry.lesson;
        let lines = lesson_text::plain_lines(l, app.library.chapter_title(&l.chapter), width);
        for (n, text) in lines.iter().enumerate() {
            if !find_ci(text, &st.query).is_empty() {
                push(st, i, n, text.trim().to_string(), false);
            }
        }
        let q_line = lines
            .iter()
            .position(|t| t.starts_with("■ 問題"))
            .unwrap_or(0);
        for q in &l.questions {
            let texts = std::iter::once(&q.prompt).chain(&q.choices);
            if let Some(t) = texts
                .into_iter()
                .find(|t| !find_ci(t, &st.query).is_empty())
            {
                push(st, i, q_line, format!("問題: {}", one_line(t)), true);
            }
        }
    }
}

fn push(st: &mut SearchState, lesson: usize, line: usize, context: String, in_question: bool) {
    st.total += 1;
    if st.hits.len() < MAX_HITS {
        st.hits.push(Hit {
            lesson,
            line,
            context,
            in_question,
        });
    }
}

/// `text` on one line (newlines as spaces).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Moves the lesson to the next (`forward`) or previous line holding the last query (`n`/`N`).
pub fn next_in_lesson(app: &mut App, forward: bool) {
    let Some(query) = app.lesson_query.clone() else {
        app.status = Some("検索語がありません (/ で検索)".into());
        return;
    };
    let Some(entry) = app.current_lesson() else {
        return;
    };
    let l = &entry.lesson;
    let width = usize::from(crate::ui::lesson::text_area(app.size).width);
    let lines = lesson_text::plain_lines(l, app.library.chapter_title(&l.chapter), width);
    let hits: Vec<usize> = (0..lines.len())
        .filter(|&n| !find_ci(&lines[n], &query).is_empty())
        .collect();
    let current = app.lesson_hit.unwrap_or(app.lesson_scroll + CONTEXT_ABOVE);
    let next = if forward {
        hits.iter().find(|&&n| n > current).or(hits.first())
    } else {
        hits.iter().rev().find(|&&n| n < current).or(hits.last())
    };
    match next {
        Some(&n) => {
            app.lesson_hit = Some(n);
            app.lesson_scroll = n.saturating_sub(CONTEXT_ABOVE);
        }
        None => app.status = Some(format!("「{query}」はこのレッスンにありません")),
    }
}
