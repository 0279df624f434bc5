//! The statistics screen: progress per chapter and lesson, the 14-day review forecast, a
//! calendar heat map of study days and the exam history.
//!
//! The sections are drawn one under the other on an off-screen buffer as tall as they need,
//! and the rows from `scroll` on are copied to the screen, so every section scrolls as one page.

use super::wrap::{fit, width};
use super::{frame_areas, header, key_hints, theme};
use crate::content::Library;
use crate::study::stats::display::{SHADES, WEEKDAYS, clock, level, percent, seconds};
use crate::study::stats::{GroupStats, Stats};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Paragraph, Row, Table, Widget};

/// What the stats screen shows.
pub struct StatsView<'a> {
    pub stats: &'a Stats,
    pub library: &'a Library,
    /// First page row shown (clamped to the page).
    pub scroll: usize,
}

/// Height of the forecast chart (bars, values and day labels).
const CHART_H: u16 = 8;
/// Width of the numeric columns of the progress table.
const NUM_COLS: [u16; 5] = [7, 5, 6, 5, 7];

impl Widget for &StatsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let [head, body, foot] = frame_areas(area);
        let s = self.stats;
        header(
            Line::from(vec![
                Span::styled("学習の統計", theme::title()),
                Span::styled(format!("  {}", s.today), theme::muted()),
            ]),
            Line::from(Span::styled(
                format!("今日の復習 {}  未回答 {} ", s.due_today, s.new_count),
                theme::key(),
            )),
            head,
            buf,
        );
        let page = self.page(body.width);
        let top = self
            .scroll
            .min(page.area.height.saturating_sub(body.height) as usize);
        copy_rows(&page, top, body, buf);
        Paragraph::new(key_hints(&[("j/k", "スクロール"), ("q", "戻る")], None)).render(foot, buf);
    }
}

impl StatsView<'_> {
    /// The page `width` columns wide, as tall as its sections.
    fn page(&self, width: u16) -> Buffer {
        let s = self.stats;
        let heights = [
            3,
            2 + (s.chapters.len() + s.lessons.len()) as u16,
            2 + CHART_H,
            2 + WEEKDAYS.len() as u16,
            1 + s.exams.len().max(1) as u16 * 2,
        ];
        let total: u16 = heights.iter().sum();
        let mut page = Buffer::empty(Rect::new(0, 0, width, total));
        let mut y = 0;
        let mut next = |h: u16| {
            let r = Rect::new(0, y, width, h);
            y += h;
            r
        };
        self.summary(next(heights[0]), &mut page);
        self.table(next(heights[1]), &mut page);
        forecast(s, next(heights[2]), &mut page);
        calendar(s, next(heights[3]), &mut page);
        exams(s, next(heights[4]), &mut page);
        page
    }

    fn summary(&self, area: Rect, buf: &mut Buffer) {
        let t = &self.stats.total;
        let text = format!(
            "問題 {}  既出 {}  回答 {}  正答率 {}  習熟 {}  平均 {}",
            self.stats.questions,
            t.seen,
            t.answers,
            percent(t.accuracy),
            percent(Some(t.mastery)),
            seconds(t.avg_ms)
        );
        let w = area.width as usize;
        let legend = "✓ カーネル合格  ✗ カーネル不合格  · 既読";
        Paragraph::new(vec![
            Line::raw(fit(&text, w)),
            Line::styled(fit(legend, w), theme::muted()),
        ])
        .render(area, buf);
    }

    /// One row per chapter, its lessons indented under it.
    fn table(&self, area: Rect, buf: &mut Buffer) {
        let spacing = NUM_COLS.len() as u16;
        let title_w = area
            .width
            .saturating_sub(NUM_COLS.iter().sum::<u16>() + spacing);
        let mut rows = Vec::new();
        for ch in &self.stats.chapters {
            let title = self.library.chapter_title(&ch.id);
            rows.push(row(title, title_w, ch).style(theme::chapter()));
            for l in self.stats.lessons.iter().filter(|l| l.chapter == ch.id) {
                let name = self
                    .library
                    .lesson(&l.counts.id)
                    .map_or(l.counts.id.as_str(), |e| e.lesson.title.as_str());
                let mark = match (l.read, l.kernel_passed) {
                    (_, Some(true)) => "✓",
                    (_, Some(false)) => "✗",
                    (true, None) => "·",
                    (false, None) => " ",
                };
                rows.push(row(&format!(" {mark} {name}"), title_w, &l.counts));
            }
        }
        let head = ["章 / レッスン", "既出", "回答", "正答率", "習熟", "平均"];
        let widths = std::iter::once(Constraint::Length(title_w))
            .chain(NUM_COLS.iter().map(|w| Constraint::Length(*w)));
        Table::new(rows, widths)
            .header(header_row(head, title_w))
            .column_spacing(1)
            .render(area, buf);
    }
}

/// The table's column titles, the numeric ones right-aligned by display width.
fn header_row(titles: [&str; 6], title_w: u16) -> Row<'static> {
    let mut cells = vec![fit(titles[0], title_w as usize)];
    for (t, w) in titles[1..].iter().zip(NUM_COLS) {
        let t = fit(t, w as usize);
        cells.push(format!(
            "{}{t}",
            " ".repeat((w as usize).saturating_sub(width(&t)))
        ));
    }
    Row::new(cells).style(theme::heading())
}

/// A table row of counts, the title cut to `title_w` columns.
fn row(title: &str, title_w: u16, g: &GroupStats) -> Row<'static> {
    Row::new(vec![
        fit(title, title_w as usize),
        format!("{:>7}", format!("{}/{}", g.seen, g.questions)),
        format!("{:>5}", g.answers),
        format!("{:>6}", percent(g.accuracy)),
        format!("{:>5}", percent(Some(g.mastery))),
        format!("{:>7}", seconds(g.avg_ms)),
    ])
}

/// Cards due on each of the next 14 days, as a bar chart labelled by day of month.
fn forecast(s: &Stats, area: Rect, buf: &mut Buffer) {
    let [title, chart] = split_title(area);
    Line::styled(
        fit(
            "復習予定 (14日、今日は期限切れを含む)",
            title.width as usize,
        ),
        theme::heading(),
    )
    .render(title, buf);
    let n = s.forecast.len().max(1) as u16;
    let bar_w = ((chart.width + 1) / n).saturating_sub(1).clamp(1, 4);
    let bars: Vec<Bar> = s
        .forecast
        .iter()
        .map(|d| {
            Bar::new(d.due as u64)
                .label(Line::raw(d.date.get(8..).unwrap_or("").to_string()))
                .text_value(d.due.to_string())
        })
        .collect();
    BarChart::vertical(bars)
        .bar_width(bar_w)
        .bar_gap(1)
        .bar_style(Style::new().fg(theme::ACCENT))
        .value_style(Style::new().fg(Color::Black).bg(theme::ACCENT))
        .render(chart, buf);
}

/// Weeks as columns, weekdays as rows; each day a shade (░▒▓█) coloured by how many answers.
fn calendar(s: &Stats, area: Rect, buf: &mut Buffer) {
    let [title, grid] = split_title(area);
    let busiest = s.calendar.iter().map(|d| d.answers).max().unwrap_or(0);
    let text = format!("学習カレンダー (最多 {busiest} 問/日)");
    Line::styled(fit(&text, title.width as usize), theme::heading()).render(title, buf);
    for (wd, label) in WEEKDAYS.iter().enumerate() {
        let mut spans = vec![Span::styled(format!("{label} "), theme::muted())];
        for d in s
            .calendar
            .iter()
            .filter(|d| usize::from(d.weekday) == wd + 1)
        {
            let lv = level(d.answers, busiest);
            let cell: String = [SHADES[lv]; 2].iter().collect();
            spans.push(Span::styled(cell, Style::new().fg(shade_colour(lv))));
        }
        let y = grid.y + wd as u16;
        if y < grid.bottom() {
            Line::from(spans).render(Rect::new(grid.x, y, grid.width, 1), buf);
        }
    }
}

/// Green ramp of the heat map, dark for no study.
fn shade_colour(level: usize) -> Color {
    [
        theme::MUTED,
        Color::Rgb(14, 68, 41),
        Color::Rgb(0, 109, 50),
        Color::Rgb(38, 166, 65),
        Color::Rgb(57, 211, 83),
    ][level.min(4)]
}

/// Each exam: date, score, time used and, below, the score per syllabus area.
fn exams(s: &Stats, area: Rect, buf: &mut Buffer) {
    let w = area.width as usize;
    let mut lines = vec![Line::styled(fit("模擬試験の履歴", w), theme::heading())];
    if s.exams.is_empty() {
        lines.push(Line::styled(fit("  (まだありません)", w), theme::muted()));
    }
    for e in &s.exams {
        let ratio = (e.questions > 0).then(|| e.correct as f64 / e.questions as f64);
        let style = if ratio.unwrap_or(0.0) >= 0.7 {
            theme::pass()
        } else {
            theme::fail()
        };
        let over = if e.timed_out { "  時間切れ" } else { "" };
        let head = format!(
            "  {}  {}/{} ({})  {} / {}{over}",
            e.date,
            e.correct,
            e.questions,
            percent(ratio),
            clock(e.used_ms),
            clock(e.allowed_ms)
        );
        lines.push(Line::styled(fit(&head, w), style));
        let areas: Vec<String> = e
            .by_area
            .iter()
            .map(|a| format!("{} {}/{}", a.id, a.correct, a.total))
            .collect();
        lines.push(Line::styled(
            fit(&format!("    {}", areas.join("  ")), w),
            theme::muted(),
        ));
    }
    Paragraph::new(lines).render(area, buf);
}

/// A one-line title above the rest of `area` (and a blank line below the section).
fn split_title(area: Rect) -> [Rect; 2] {
    let title = Rect {
        height: area.height.min(1),
        ..area
    };
    let rest = Rect {
        y: area.y + title.height,
        height: area.height.saturating_sub(title.height + 1),
        ..area
    };
    [title, rest]
}

/// Copies the rows `top ..` of `page` into `area` of `buf`.
fn copy_rows(page: &Buffer, top: usize, area: Rect, buf: &mut Buffer) {
    for dy in 0..area.height {
        let Ok(py) = u16::try_from(top + dy as usize) else {
            return;
        };
        if py >= page.area.height {
            return;
        }
        for dx in 0..area.width.min(page.area.width) {
            if let (Some(from), Some(to)) = (
                page.cell((dx, py)),
                buf.cell_mut((area.x + dx, area.y + dy)),
            ) {
                *to = from.clone();
            }
        }
    }
}
