//! A kernel step's values laid out as styled lines: the shared description of numbers,
//! tensors, tables and metrics ([`trace_view`]) with the TUI's styles, plus heat maps, curves,
//! scatter plots and the cart-pole drawn in text cells.

use super::theme;
use crate::format::num;
use crate::trace_view::{self, Role};
use eshikaku_kernels::trace::{CartPole, Scatter, Step, Value};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// How values are drawn besides the width.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewOpts {
    /// Animation frame (the TUI advances it 25 times a second).
    pub tick: u64,
    /// Shrink images wider than the pane to fit it (`z`), instead of showing them 1:1 and
    /// cutting them at the edge.
    pub fit_images: bool,
    /// Colourless output (`NO_COLOR`): images and heat maps as ASCII shades.
    pub no_color: bool,
    /// Pixel columns skipped at the left of images shown 1:1 that are wider than the pane.
    pub hscroll: usize,
}

/// The points of every curve seen so far, by name, in order of first appearance.
pub type SeriesHistory = Vec<(String, Vec<(f64, f64)>)>;

/// Gathers all series points recorded in `steps`.
pub fn series_history(steps: &[Step]) -> SeriesHistory {
    let mut out: SeriesHistory = Vec::new();
    for s in steps {
        for v in &s.values {
            if let Value::Series { name, x, y } = v {
                match out.iter_mut().find(|(n, _)| n == name) {
                    Some((_, pts)) => pts.push((*x, *y)),
                    None => out.push((name.clone(), vec![(*x, *y)])),
                }
            }
        }
    }
    out
}

/// The lines showing `step` in `width` columns; curves use `history` (points up to this step),
/// animations show the frame for `tick` (the TUI advances it 25 times a second).
pub fn step_lines(
    step: &Step,
    history: &SeriesHistory,
    width: usize,
    opts: &ViewOpts,
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut curves_shown: Vec<&str> = Vec::new();
    for v in &step.values {
        if let Value::Series { name, .. } = v {
            if curves_shown.contains(&name.as_str()) {
                continue;
            }
            curves_shown.push(name);
        }
        value_lines(v, history, width, opts, &mut out);
    }
    out
}

/// The TUI's style for a [`Role`] of the shared description.
pub fn style(role: Role) -> Style {
    match role {
        Role::Text | Role::Number => Style::new(),
        Role::Label | Role::Muted => theme::muted(),
        Role::Heading => theme::heading(),
        Role::Pass => theme::pass(),
        Role::Fail => theme::fail(),
        Role::Bar => theme::formula(),
    }
}

/// A line of the shared description, styled for the TUI.
pub fn styled(line: trace_view::Line) -> Line<'static> {
    Line::from(
        line.0
            .into_iter()
            .map(|s| Span::styled(s.text, style(s.role)))
            .collect::<Vec<_>>(),
    )
}

/// The lines of one value (a curve: all its points in `history`), with a blank line after
/// blocks (one-line values stack). Text-like values come from [`trace_view::describe`];
/// pictures are drawn here.
pub fn value_lines(
    v: &Value,
    history: &SeriesHistory,
    width: usize,
    opts: &ViewOpts,
    out: &mut Vec<Line<'static>>,
) {
    match v {
        Value::Series { name, .. } => {
            if let Some((_, pts)) = history.iter().find(|(n, _)| n == name) {
                curve(name, pts, width, out);
            }
        }
        Value::Image(img) => super::image::image(img, width, opts, out),
        Value::Scatter(sc) => scatter(sc, width, out),
        Value::CartPole(c) => cartpole(c, width, opts.tick, out),
        other => {
            let lines = trace_view::describe(other, width).unwrap_or_default();
            out.extend(lines.into_iter().map(styled));
        }
    }
    if !matches!(v, Value::Scalar { .. } | Value::Metric(_)) {
        out.push(Line::raw(""));
    }
}

/// A sparkline of the curve, resampled to fit `width`.
fn curve(name: &str, pts: &[(f64, f64)], width: usize, out: &mut Vec<Line<'static>>) {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    if pts.is_empty() {
        return;
    }
    out.push(styled(trace_view::curve_title(name, pts)));
    let cols = width.saturating_sub(2).clamp(1, 120).min(pts.len());
    let ys: Vec<f64> = (0..cols).map(|i| pts[i * pts.len() / cols].1).collect();
    let (lo, hi) = ys
        .iter()
        .filter(|y| y.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| {
            (a.min(y), b.max(y))
        });
    let line: String = ys
        .iter()
        .map(|&y| {
            if !y.is_finite() {
                return '×';
            }
            let t = if hi > lo { (y - lo) / (hi - lo) } else { 0.5 };
            BARS[((t * 7.0).round() as usize).min(7)]
        })
        .collect();
    out.push(Line::styled(format!("  {line}"), theme::formula()));
    out.push(Line::styled(
        format!("  y: {} … {}", num(lo), num(hi)),
        theme::muted(),
    ));
}

/// A scatter plot, one coloured dot per occupied cell.
fn scatter(sc: &Scatter, width: usize, out: &mut Vec<Line<'static>>) {
    out.push(styled(trace_view::scatter_title(sc)));
    let cols = width.saturating_sub(4).min(72);
    let rows = (cols / 3).clamp(4, 20);
    for row in super::plot::scatter_grid(sc, cols, rows) {
        let mut spans = vec![Span::styled("  │", theme::muted())];
        for cell in row {
            spans.push(match cell {
                None => Span::raw(" "),
                Some(u16::MAX) => Span::raw("•"),
                Some(k) => Span::styled("•", Style::new().fg(theme::category(usize::from(k)))),
            });
        }
        out.push(Line::from(spans));
    }
}

/// A cart-pole episode, animated: frame `2·tick` (50 Hz physics at 25 redraws a second).
fn cartpole(c: &CartPole, width: usize, tick: u64, out: &mut Vec<Line<'static>>) {
    let n = c.frames.len();
    let Some(i) = usize::try_from(tick.saturating_mul(2))
        .ok()
        .and_then(|t| t.checked_rem(n))
    else {
        return;
    };
    let [x, theta] = c.frames[i];
    out.push(styled(trace_view::cartpole_title(c, i)));
    for line in super::plot::cartpole_frame(x, theta, width.saturating_sub(2).min(60), 8) {
        out.push(Line::raw(format!("  {line}")));
    }
}
