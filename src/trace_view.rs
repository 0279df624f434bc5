//! One description of a kernel's trace values, shared by the CLI and the TUI.
//!
//! A value becomes [`Line`]s of [`Span`]s that carry a semantic [`Role`] (a label, a number, a
//! pass mark…) instead of a style: the TUI maps roles to colours (`ui::values`), the CLI prints
//! the text plain (`cli::text`). Numbers are written by the one formatter,
//! [`crate::format::num`] (4 significant digits). Pictures (images, curves, scatter plots, the
//! cart-pole) are drawn by each front end; their title lines come from here.
//!
//! Dependencies point one way: `eshikaku_kernels::trace` ← `trace_view` ← `ui` / `cli`.

mod table;
mod tensor;

pub use table::{histogram, histogram_table, table};
pub use tensor::tensor;

use crate::format::num;
use crate::wrap::{width, wrap};
use eshikaku_kernels::trace::{CartPole, Image, Metric, Scatter, Value};

/// What a piece of text is, for the front end to style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Prose or a cell label.
    Text,
    /// The name of a quantity (`loss = `).
    Label,
    /// A number.
    Number,
    /// A title line of a value.
    Heading,
    /// Secondary detail: shapes, units, targets, table headers.
    Muted,
    /// A met target.
    Pass,
    /// A missed target.
    Fail,
    /// Text bars of a histogram.
    Bar,
}

/// A piece of text with its role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub role: Role,
    pub text: String,
}

/// A piece of text with `role`.
pub fn span(role: Role, text: impl Into<String>) -> Span {
    Span {
        role,
        text: text.into(),
    }
}

/// One output line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line(pub Vec<Span>);

impl Line {
    /// The line as plain text.
    pub fn plain(&self) -> String {
        self.0.iter().map(|s| s.text.as_str()).collect()
    }

    /// Display width in columns.
    pub fn width(&self) -> usize {
        self.0.iter().map(|s| width(&s.text)).sum()
    }
}

impl From<Vec<Span>> for Line {
    fn from(spans: Vec<Span>) -> Self {
        Self(spans)
    }
}

/// The lines of a value that is text rather than a picture — a scalar, a tensor, a table, a
/// histogram (as text bars), prose, a metric, one point of a curve — at most `cols` columns
/// wide where it can wrap; `None` for pictures (images, scatter plots, the cart-pole).
pub fn describe(v: &Value, cols: usize) -> Option<Vec<Line>> {
    Some(match v {
        Value::Scalar { name, value } => vec![scalar(name, *value)],
        Value::Tensor(t) => tensor(t, cols),
        Value::Series { name, x, y } => vec![Line(vec![
            span(Role::Label, format!("{name}: ")),
            span(Role::Number, format!("({}, {})", num(*x), num(*y))),
        ])],
        Value::Table(t) => table(t),
        Value::Histogram(h) => histogram(h),
        Value::Text { text } => wrap(text, cols)
            .into_iter()
            .map(|l| Line(vec![span(Role::Text, l)]))
            .collect(),
        Value::Metric(m) => vec![metric(m)],
        Value::Image(_) | Value::Scatter(_) | Value::CartPole(_) => return None,
    })
}

/// `name = value`.
pub fn scalar(name: &str, value: f64) -> Line {
    Line(vec![
        span(Role::Label, format!("{name} = ")),
        span(Role::Number, num(value)),
    ])
}

/// `✓ name = value  (目標 ≥ t)`: `✓` when met, `✗` when missed, `·` without a target.
pub fn metric(m: &Metric) -> Line {
    let (mark, role) = match (&m.target, m.pass) {
        (None, _) => ("·", Role::Muted),
        (Some(_), true) => ("✓", Role::Pass),
        (Some(_), false) => ("✗", Role::Fail),
    };
    let mut spans = vec![
        span(role, format!("{mark} ")),
        span(Role::Label, format!("{} = ", m.name)),
        span(Role::Number, num(m.value)),
    ];
    if let Some(t) = &m.target {
        spans.push(span(Role::Muted, format!("  (目標 {t})")));
    }
    Line(spans)
}

/// `name  H×W`: an image's title.
pub fn image_title(img: &Image) -> Line {
    Line(vec![
        span(Role::Heading, img.name.clone()),
        span(Role::Muted, format!("  {}×{}", img.height, img.width)),
    ])
}

/// `name  N 点`: a scatter plot's title.
pub fn scatter_title(sc: &Scatter) -> Line {
    Line(vec![
        span(Role::Heading, sc.name.clone()),
        span(Role::Muted, format!("  {} 点", sc.points.len())),
    ])
}

/// `name (N 点, 最新 x=… y=…)`: a curve's title, from all its points so far.
pub fn curve_title(name: &str, pts: &[(f64, f64)]) -> Line {
    let (x, y) = pts.last().copied().unwrap_or((0.0, 0.0));
    Line(vec![
        span(Role::Heading, format!("{name} ")),
        span(
            Role::Muted,
            format!("({} 点, 最新 x={} y={})", pts.len(), num(x), num(y)),
        ),
    ])
}

/// `name  t = i/n  x = +0.12 m  θ = −3.4°`: the cart-pole's title at frame `i` (0-based).
pub fn cartpole_title(c: &CartPole, i: usize) -> Line {
    let [x, theta] = c.frames.get(i).copied().unwrap_or([0.0, 0.0]);
    Line(vec![
        span(Role::Heading, c.name.clone()),
        span(
            Role::Muted,
            format!(
                "  t = {}/{}  x = {x:+.2} m  θ = {:+.1}°",
                i + 1,
                c.frames.len(),
                theta.to_degrees()
            ),
        ),
    ])
}

/// Packs `chunks` (each kept whole) into lines of at most `cols` columns after `indent`.
pub fn flow(chunks: Vec<Vec<Span>>, indent: &str, cols: usize) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut cur = Line(vec![span(Role::Text, indent)]);
    let start = width(indent);
    for chunk in chunks {
        let w: usize = chunk.iter().map(|s| width(&s.text)).sum();
        if cur.width() > start && cur.width() + w > cols {
            out.push(std::mem::replace(
                &mut cur,
                Line(vec![span(Role::Text, indent)]),
            ));
        }
        cur.0.extend(chunk);
    }
    if cur.width() > start {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests;
