//! A tensor summary as lines: title with shape, statistics, the first values.

use super::{Line, Role, flow, span};
use crate::format::num;
use crate::wrap::{width, wrap};
use eshikaku_kernels::trace::TensorSummary;

/// `name  shape [..]`, then `平均 m  標準偏差 s  最小 a  最大 b`, then `[v₀, v₁, …]`, wrapped
/// to `cols` columns. A mean below `1e-12` of the tensor's largest magnitude is rounding noise
/// and is shown as 0 (a normalised tensor reads "平均 0", not "-3.6e-17").
pub fn tensor(t: &TensorSummary, cols: usize) -> Vec<Line> {
    let mut out = heading(t, cols);
    let mean = clean(t.mean, t.min.abs().max(t.max.abs()));
    let stats = [
        ("平均", mean),
        ("標準偏差", t.std),
        ("最小", t.min),
        ("最大", t.max),
    ];
    let chunks = stats
        .iter()
        .map(|(k, v)| {
            vec![
                span(Role::Label, format!("{k} ")),
                span(Role::Number, format!("{}  ", num(*v))),
            ]
        })
        .collect();
    out.extend(flow(chunks, "  ", cols).into_iter().map(trim_end));
    let more = t.head.len() < t.shape.iter().product();
    let n = t.head.len();
    let head = t.head.iter().enumerate().map(|(i, x)| {
        let first = if i == 0 { "[" } else { "" };
        let last = match (i + 1 == n, more) {
            (true, true) => ", …]",
            (true, false) => "]",
            _ => ", ",
        };
        vec![span(Role::Muted, format!("{first}{}{last}", num(*x)))]
    });
    out.extend(flow(head.collect(), "  ", cols).into_iter().map(trim_end));
    out
}

/// The name, wrapped to `cols`, and `shape [..]` after it on its last line if it fits there,
/// else on a line of its own.
fn heading(t: &TensorSummary, cols: usize) -> Vec<Line> {
    let shape = format!("  shape {:?}", t.shape);
    let mut lines: Vec<Line> = wrap(&t.name, cols)
        .into_iter()
        .map(|l| Line(vec![span(Role::Heading, l)]))
        .collect();
    match lines.last_mut() {
        Some(last) if last.width() + width(&shape) <= cols => last.0.push(span(Role::Muted, shape)),
        _ => lines.push(Line(vec![span(Role::Muted, shape)])),
    }
    lines
}

/// `x` with rounding noise (below `1e-12` of the tensor's `scale`) shown as exactly 0.
fn clean(x: f64, scale: f64) -> f64 {
    if x.abs() <= 1e-12 * scale { 0.0 } else { x }
}

/// The line without trailing spaces in its last span.
fn trim_end(mut l: Line) -> Line {
    if let Some(s) = l.0.last_mut() {
        s.text.truncate(s.text.trim_end().len());
    }
    l
}
