//! A question as styled lines: prompt, code with its blank, and the choices in the order shown.
//! Shared by the practice, review and exam screens.

use super::theme;
use super::wrap::{width, wrap};
use crate::content::code::{BLANK, blanked};
use crate::content::model::Question;
use crate::study::shuffle::Shuffled;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// How to mark the choices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks {
    /// The highlighted position (keyboard cursor).
    pub cursor: Option<usize>,
    /// The position the learner chose.
    pub chosen: Option<usize>,
    /// The correct position, once it may be revealed.
    pub correct: Option<usize>,
}

/// The prompt, the code (if any) and the choices of `q`, at most `width` columns wide.
pub fn lines(q: &Question, shuffled: &Shuffled, marks: Marks, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for l in wrap(&q.prompt, width) {
        out.push(Line::raw(l));
    }
    out.push(Line::raw(""));
    if let Some(code) = q.code.as_ref().zip(blanked(q)) {
        let (c, text) = code;
        match text {
            Ok(text) => code_lines(c.lang.name(), &text, width, &mut out),
            Err(_) => out.push(Line::styled("(コードを表示できません)", theme::warn())),
        }
        out.push(Line::raw(""));
    }
    for (shown, &written) in shuffled.order.iter().enumerate() {
        let text = q.choices.get(written).map_or("", String::as_str);
        choice_lines(shown, text, marks, width, &mut out);
    }
    out
}

/// A code block: a header with the language, then the lines behind a bar, hard-wrapped, with
/// the blank highlighted.
fn code_lines(lang: &str, text: &str, width: usize, out: &mut Vec<Line<'static>>) {
    out.push(Line::styled(format!("┌─ {lang}"), theme::muted()));
    for line in text.lines() {
        for piece in hard_wrap(line, width.saturating_sub(2).max(1)) {
            let mut spans = vec![Span::styled("│ ", theme::muted())];
            let mut rest = piece.as_str();
            while let Some(i) = rest.find(BLANK) {
                spans.push(Span::styled(rest[..i].to_string(), theme::formula()));
                spans.push(Span::styled(BLANK, theme::blank()));
                rest = &rest[i + BLANK.len()..];
            }
            spans.push(Span::styled(rest.to_string(), theme::formula()));
            out.push(Line::from(spans));
        }
    }
    out.push(Line::styled("└─", theme::muted()));
}

/// Splits a code line into pieces of at most `max` columns, keeping every space, never
/// splitting the blank marker.
fn hard_wrap(line: &str, max: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut used = 0;
    let mut rest = line;
    while !rest.is_empty() {
        let (token, w) = if rest.starts_with(BLANK) {
            (BLANK, width(BLANK))
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            (&rest[..c.len_utf8()], c.width().unwrap_or(0))
        };
        if used + w > max && used > 0 {
            out.push(String::new());
            used = 0;
        }
        if let Some(last) = out.last_mut() {
            last.push_str(token);
        }
        used += w;
        rest = &rest[token.len()..];
    }
    out
}

/// One choice: ` ▸ 1  text` with a hanging indent, coloured by what is known about it.
fn choice_lines(shown: usize, text: &str, marks: Marks, cols: usize, out: &mut Vec<Line<'static>>) {
    let is_cursor = marks.cursor == Some(shown);
    let is_chosen = marks.chosen == Some(shown);
    let is_correct = marks.correct == Some(shown);
    let (sign, style) = match (marks.correct.is_some(), is_correct, is_chosen) {
        (true, true, _) => ("✓", theme::pass()),
        (true, false, true) => ("✗", theme::fail()),
        (false, _, true) => ("●", theme::key()),
        _ => (" ", Style::new()),
    };
    let pointer = if is_cursor { "▸" } else { " " };
    let head = format!("{pointer}{sign}{} ", shown + 1);
    let indent = width(&head);
    let body_style = if is_cursor {
        style.add_modifier(Modifier::REVERSED)
    } else {
        style
    };
    for (i, l) in wrap(text, cols.saturating_sub(indent).max(1))
        .into_iter()
        .enumerate()
    {
        let lead = if i == 0 {
            Span::styled(head.clone(), theme::key())
        } else {
            Span::raw(" ".repeat(indent))
        };
        out.push(Line::from(vec![lead, Span::styled(l, body_style)]));
    }
}
