//! Plain-text rendering of steps and lessons, for `run` and `show`.

use crate::content::code;
use crate::content::model::Lesson;
use crate::trace_view;
use crate::ui::plot;
use crate::wrap::{width, wrap};
use eshikaku_kernels::trace::{Image, Palette, Step, Value};
use std::fmt::Write;

/// A step as indented text lines.
pub fn step(s: &Step) -> String {
    let mut out = format!("[{}] {} ({})\n", s.index + 1, s.title, s.key);
    for v in &s.values {
        value(v, &mut out);
    }
    out
}

/// Columns of a step's text in `run`'s output (values are indented by 2).
const STEP_COLS: usize = 96;

fn value(v: &Value, out: &mut String) {
    match v {
        Value::Image(img) => image(img, out),
        Value::Scatter(sc) => {
            let _ = writeln!(out, "  {}", trace_view::scatter_title(sc).plain());
            for row in plot::scatter_grid(sc, 48, 16) {
                let line: String = row
                    .iter()
                    .map(|c| match c {
                        None => ' ',
                        Some(u16::MAX) => '*',
                        Some(k) => char::from_digit(u32::from(*k) % 36, 36).unwrap_or('*'),
                    })
                    .collect();
                let _ = writeln!(out, "    |{}", line.trim_end());
            }
        }
        Value::CartPole(c) => {
            let last = c.frames.len().saturating_sub(1);
            let _ = writeln!(out, "  {}", trace_view::cartpole_title(c, last).plain());
            if let Some(&[x, theta]) = c.frames.last() {
                for line in plot::cartpole_frame(x, theta, 48, 8) {
                    let _ = writeln!(out, "    {}", line.trim_end());
                }
            }
        }
        other => {
            for line in trace_view::describe(other, STEP_COLS).unwrap_or_default() {
                let _ = writeln!(out, "  {}", line.plain().trim_end());
            }
        }
    }
}

fn image(img: &Image, out: &mut String) {
    let _ = writeln!(out, "  {}", trace_view::image_title(img).plain());
    let (lo, hi) = img
        .data
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    const RAMP: &[char] = &[' ', '.', ':', '-', '=', '+', '*', '#', '%', '@'];
    for row in img.data.chunks(img.width.max(1)) {
        let mut line = String::from("    ");
        for &v in row {
            let c = match img.palette {
                Palette::Categorical => {
                    char::from_digit((v.max(0.0) as u32) % 36, 36).unwrap_or('?')
                }
                _ => {
                    let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
                    RAMP[((t * (RAMP.len() - 1) as f32).round() as usize).min(RAMP.len() - 1)]
                }
            };
            line.push(c);
            line.push(c);
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// A whole lesson as text, wrapped at `cols` columns; with `answers`, the answer keys and
/// explanations come last.
pub fn lesson(l: &Lesson, chapter_title: &str, cols: usize, answers: bool) -> String {
    let mut out = String::new();
    let para = |out: &mut String, text: &str, indent: &str| {
        for line in wrap(text, cols.saturating_sub(width(indent))) {
            let _ = writeln!(out, "{indent}{line}");
        }
    };
    let _ = writeln!(
        out,
        "{}\n{}",
        l.title,
        "=".repeat(width(&l.title).min(cols))
    );
    para(&mut out, &format!("章: {chapter_title}"), "");
    para(&mut out, &format!("シラバス: {}", l.syllabus), "");
    out.push('\n');
    if !l.summary.is_empty() {
        para(&mut out, &l.summary, "");
        out.push('\n');
    }
    for s in &l.body {
        let _ = writeln!(out, "■ {}", s.heading);
        para(&mut out, s.text.trim_end(), "");
        out.push('\n');
    }
    if !l.formulas.is_empty() {
        let _ = writeln!(out, "■ 数式");
        for f in &l.formulas {
            para(&mut out, &f.name, "  ");
            para(&mut out, &f.expr, "      ");
            if !f.note.is_empty() {
                para(&mut out, &f.note, "      ");
            }
        }
        out.push('\n');
    }
    if !l.key_points.is_empty() {
        let _ = writeln!(out, "■ 要点");
        for k in &l.key_points {
            para(&mut out, &format!("- {k}"), "  ");
        }
        out.push('\n');
    }
    if let Some(k) = &l.kernel {
        let _ = writeln!(out, "■ カーネル: eshikaku run {}\n", k.id);
    }
    if !l.questions.is_empty() {
        let _ = writeln!(out, "■ 問題");
        for (i, q) in l.questions.iter().enumerate() {
            para(&mut out, &format!("問{} {}", i + 1, q.prompt), "");
            if let Some(Ok(shown)) = code::blanked(q) {
                for line in shown.lines() {
                    let _ = writeln!(out, "    │ {line}");
                }
            }
            for (j, c) in q.choices.iter().enumerate() {
                para(&mut out, &format!("({}) {c}", j + 1), "   ");
            }
            out.push('\n');
        }
        if answers {
            let _ = writeln!(out, "■ 解答と解説");
            for (i, q) in l.questions.iter().enumerate() {
                para(
                    &mut out,
                    &format!("問{} 正解 ({}): {}", i + 1, q.answer, q.explanation),
                    "",
                );
            }
        } else {
            let _ = writeln!(
                out,
                "(解答と解説: eshikaku show {} --answers、演習: eshikaku quiz --lesson {})",
                l.id, l.id
            );
        }
        out.push('\n');
    }
    if !l.references.is_empty() {
        let _ = writeln!(out, "■ 参考文献");
        for r in &l.references {
            let url = if r.url.is_empty() {
                String::new()
            } else {
                format!(" <{}>", r.url)
            };
            para(&mut out, &format!("- {}{url}", r.title), "  ");
        }
    }
    out
}
