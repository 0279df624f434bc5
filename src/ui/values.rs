//! A kernel step's values laid out as styled lines: numbers, tensors, tables, heat maps,
//! curves and metrics.

use super::theme;
use super::wrap::wrap;
use crate::format::num;
use eshikaku_kernels::trace::{CartPole, Metric, Scatter, Step, Table, Value};
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

/// The lines of one value (a curve: all its points in `history`), with a blank line after
/// blocks (one-line values stack).
pub fn value_lines(
    v: &Value,
    history: &SeriesHistory,
    width: usize,
    opts: &ViewOpts,
    out: &mut Vec<Line<'static>>,
) {
    match v {
        Value::Scalar { name, value } => out.push(Line::from(vec![
            Span::styled(format!("{name} = "), theme::muted()),
            Span::raw(num(*value)),
        ])),
        Value::Tensor(t) => tensor(t, width, out),
        Value::Series { name, .. } => {
            if let Some((_, pts)) = history.iter().find(|(n, _)| n == name) {
                curve(name, pts, width, out);
            }
        }
        Value::Image(img) => super::image::image(img, width, opts, out),
        Value::Table(t) => table(t, out),
        Value::Text { text } => {
            for line in wrap(text, width) {
                out.push(Line::raw(line));
            }
        }
        Value::Metric(m) => out.push(metric(m)),
        Value::Scatter(sc) => scatter(sc, width, out),
        Value::CartPole(c) => cartpole(c, width, opts.tick, out),
    }
    if !matches!(v, Value::Scalar { .. } | Value::Metric(_)) {
        out.push(Line::raw(""));
    }
}

fn tensor(t: &eshikaku_kernels::trace::TensorSummary, width: usize, out: &mut Vec<Line<'static>>) {
    out.push(Line::from(vec![
        Span::styled(t.name.clone(), theme::heading()),
        Span::styled(format!("  shape {:?}", t.shape), theme::muted()),
    ]));
    let stats = format!(
        "  平均 {}  標準偏差 {}  最小 {}  最大 {}",
        num(clean(t.mean, t.min.abs().max(t.max.abs()))),
        num(t.std),
        num(t.min),
        num(t.max)
    );
    out.extend(wrap(&stats, width).into_iter().map(Line::raw));
    let head: Vec<String> = t.head.iter().map(|x| num(*x)).collect();
    let more = if t.head.len() < t.shape.iter().product() {
        ", …"
    } else {
        ""
    };
    for line in wrap(&format!("  [{}{more}]", head.join(", ")), width) {
        out.push(Line::styled(line, theme::muted()));
    }
}

/// `x` with rounding noise (below `1e-12` of the tensor's `scale`) shown as exactly 0, so a
/// normalised tensor reads "mean 0" rather than "mean -3.6e-17".
fn clean(x: f64, scale: f64) -> f64 {
    if x.abs() <= 1e-12 * scale { 0.0 } else { x }
}

/// `✓ name = value  (目標 ≥ t)` in green, or `✗` in red.
pub fn metric(m: &Metric) -> Line<'static> {
    let (mark, style) = match (&m.target, m.pass) {
        (None, _) => ("·", theme::muted()),
        (Some(_), true) => ("✓", theme::pass()),
        (Some(_), false) => ("✗", theme::fail()),
    };
    let mut spans = vec![
        Span::styled(format!("{mark} "), style),
        Span::raw(format!("{} = {}", m.name, num(m.value))),
    ];
    if let Some(t) = &m.target {
        spans.push(Span::styled(format!("  (目標 {t})"), theme::muted()));
    }
    Line::from(spans)
}

/// A sparkline of the curve, resampled to fit `width`.
fn curve(name: &str, pts: &[(f64, f64)], width: usize, out: &mut Vec<Line<'static>>) {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let Some(&(x_last, y_last)) = pts.last() else {
        return;
    };
    out.push(Line::from(vec![
        Span::styled(format!("{name} "), theme::heading()),
        Span::styled(
            format!(
                "({} 点, 最新 x={} y={})",
                pts.len(),
                num(x_last),
                num(y_last)
            ),
            theme::muted(),
        ),
    ]));
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

fn table(t: &Table, out: &mut Vec<Line<'static>>) {
    out.push(Line::styled(t.name.clone(), theme::heading()));
    for (i, row) in crate::format::aligned_rows(t).into_iter().enumerate() {
        let style = if i == 0 { theme::muted() } else { Style::new() };
        out.push(Line::styled(format!("  {row}"), style));
    }
}

/// A scatter plot, one coloured dot per occupied cell.
fn scatter(sc: &Scatter, width: usize, out: &mut Vec<Line<'static>>) {
    out.push(Line::from(vec![
        Span::styled(sc.name.clone(), theme::heading()),
        Span::styled(format!("  {} 点", sc.points.len()), theme::muted()),
    ]));
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
    out.push(Line::from(vec![
        Span::styled(c.name.clone(), theme::heading()),
        Span::styled(
            format!(
                "  t = {}/{n}  x = {x:+.2} m  θ = {:+.1}°",
                i + 1,
                theta.to_degrees()
            ),
            theme::muted(),
        ),
    ]));
    for line in super::plot::cartpole_frame(x, theta, width.saturating_sub(2).min(60), 8) {
        out.push(Line::raw(format!("  {line}")));
    }
}
