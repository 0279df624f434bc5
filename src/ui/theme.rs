//! Every colour and text style of the TUI, in one place.

use ratatui::style::{Color, Modifier, Style};

pub const ACCENT: Color = Color::Cyan;
pub const MUTED: Color = Color::DarkGray;

pub fn title() -> Style {
    Style::new().fg(ACCENT).add_modifier(Modifier::BOLD)
}
pub fn heading() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}
pub fn chapter() -> Style {
    Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
}
pub fn selected() -> Style {
    Style::new().fg(Color::Black).bg(ACCENT)
}
/// A selected row of a multi-line list (keeps the rows' own colours readable).
pub fn selected_row() -> Style {
    Style::new()
        .bg(Color::Indexed(236))
        .add_modifier(Modifier::BOLD)
}
/// A search hit in the text.
pub fn found() -> Style {
    Style::new().fg(Color::Black).bg(Color::Yellow)
}
/// The search hit the lesson was opened at.
pub fn found_current() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::LightMagenta)
        .add_modifier(Modifier::BOLD)
}
pub fn muted() -> Style {
    Style::new().fg(MUTED)
}
pub fn key() -> Style {
    Style::new().fg(ACCENT).add_modifier(Modifier::BOLD)
}
pub fn formula() -> Style {
    Style::new().fg(Color::LightGreen)
}
pub fn note() -> Style {
    Style::new().fg(Color::LightYellow)
}
pub fn pass() -> Style {
    Style::new().fg(Color::Green).add_modifier(Modifier::BOLD)
}
pub fn fail() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}
pub fn warn() -> Style {
    Style::new().fg(Color::Yellow)
}
/// The blank of a code-fill question.
pub fn blank() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD)
}
pub fn border() -> Style {
    Style::new().fg(MUTED)
}

/// Colour of a value `t` in 0..=1 on a grayscale ramp.
pub fn gray(t: f32) -> Color {
    let v = (t.clamp(0.0, 1.0) * 255.0).round() as u8;
    Color::Rgb(v, v, v)
}

/// Colour of `t` in 0..=1 on a blue → yellow → red heat ramp.
pub fn heat(t: f32) -> Color {
    let t = t.clamp(0.0, 1.0);
    let (r, g, b) = if t < 0.5 {
        let u = t * 2.0;
        (u, u, 1.0 - u)
    } else {
        let u = (t - 0.5) * 2.0;
        (1.0, 1.0 - u, 0.0)
    };
    Color::Rgb((r * 255.0) as u8, (g * 255.0) as u8, (b * 255.0) as u8)
}

/// Colour of `t` in -1..=1: blue for negative, white for 0, red for positive.
pub fn diverging(t: f32) -> Color {
    let t = t.clamp(-1.0, 1.0);
    let fade = |u: f32| (255.0 * (1.0 - u.abs())) as u8;
    if t < 0.0 {
        Color::Rgb(fade(t), fade(t), 255)
    } else {
        Color::Rgb(255, fade(t), fade(t))
    }
}

/// Distinct colours for small integer categories.
pub fn category(i: usize) -> Color {
    const C: [Color; 10] = [
        Color::Rgb(31, 119, 180),
        Color::Rgb(255, 127, 14),
        Color::Rgb(44, 160, 44),
        Color::Rgb(214, 39, 40),
        Color::Rgb(148, 103, 189),
        Color::Rgb(140, 86, 75),
        Color::Rgb(227, 119, 194),
        Color::Rgb(127, 127, 127),
        Color::Rgb(188, 189, 34),
        Color::Rgb(23, 190, 207),
    ];
    C[i % C.len()]
}
