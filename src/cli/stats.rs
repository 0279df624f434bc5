//! `eshikaku stats [--json]`: progress per chapter and lesson, reviews due, a 14-day forecast,
//! a calendar of study days and the exam history.

use crate::content::Library;
use crate::study::clock::{Clock, SystemClock};
use crate::study::schedule::Scheduler;
use crate::study::settings;
use crate::study::stats::display::{SHADES, WEEKDAYS, clock, level, percent, seconds};
use crate::study::stats::{self, Stats, StoreData};
use crate::ui::wrap::{fit, width};
use std::fmt::Write;
use std::path::Path;
use std::process::ExitCode;

/// Width of the title column of the tables.
const TITLE_W: usize = 34;
/// Longest bar of the forecast chart.
const BAR_W: usize = 40;

pub fn main(folder: Option<&Path>, json: bool) -> ExitCode {
    let lib = super::load_library(folder);
    let store = super::progress::open_store();
    let (settings, warnings) = settings::load(&store);
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let data = match StoreData::load(&store) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let sched = match Scheduler::new(settings.retention) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let stats = stats::compute(&lib, &data, &sched, SystemClock.now());
    if json {
        match serde_json::to_string_pretty(&stats) {
            Ok(j) => println!("{j}"),
            Err(e) => {
                eprintln!("error: cannot write statistics as JSON: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        print!("{}", text(&stats, &lib));
    }
    ExitCode::SUCCESS
}

/// The whole text report.
pub fn text(s: &Stats, lib: &Library) -> String {
    let mut out = String::new();
    let t = &s.total;
    let _ = writeln!(out, "学習の統計  {}", s.today);
    let _ = writeln!(
        out,
        "問題 {}  既出 {}  未回答 {}  今日の復習 {}  回答 {}  正答率 {}  習熟 {}\n",
        s.questions,
        t.seen,
        s.new_count,
        s.due_today,
        t.answers,
        percent(t.accuracy),
        percent(Some(t.mastery))
    );
    table(s, lib, &mut out);
    forecast(s, &mut out);
    calendar(s, &mut out);
    exams(s, &mut out);
    out
}

/// `text` right-aligned in `w` columns (display width).
fn rjust(text: &str, w: usize) -> String {
    format!("{}{text}", " ".repeat(w.saturating_sub(width(text))))
}

/// `title` cut or padded to exactly `w` columns.
fn pad(title: &str, w: usize) -> String {
    let t = fit(title, w);
    let fill = w.saturating_sub(width(&t));
    format!("{t}{}", " ".repeat(fill))
}

fn row(title: &str, g: &stats::GroupStats, extra: &str) -> String {
    format!(
        "{} {:>7} {:>6} {:>6} {:>6} {:>7}  {extra}",
        pad(title, TITLE_W),
        format!("{}/{}", g.seen, g.questions),
        g.answers,
        percent(g.accuracy),
        percent(Some(g.mastery)),
        seconds(g.avg_ms)
    )
}

fn table(s: &Stats, lib: &Library, out: &mut String) {
    let _ = writeln!(
        out,
        "{} {} {} {} {} {}",
        pad("章 / レッスン", TITLE_W),
        rjust("既出", 7),
        rjust("回答", 6),
        rjust("正答率", 6),
        rjust("習熟", 6),
        rjust("平均", 7)
    );
    for ch in &s.chapters {
        let title = format!("{} ({})", lib.chapter_title(&ch.id), ch.id);
        let _ = writeln!(out, "{}", row(&title, ch, "").trim_end());
        for l in s.lessons.iter().filter(|l| l.chapter == ch.id) {
            let name = lib
                .lesson(&l.counts.id)
                .map_or("", |e| e.lesson.title.as_str());
            let read = if l.read { "既読" } else { "未読" };
            let kernel = match l.kernel_passed {
                Some(true) => "  kernel 合格",
                Some(false) => "  kernel 不合格",
                None if l.kernel.is_some() => "  kernel 未実行",
                None => "",
            };
            let title = format!("  {} {name}", l.counts.id);
            let _ = writeln!(
                out,
                "{}",
                row(&title, &l.counts, &format!("{read}{kernel}"))
            );
        }
    }
    out.push('\n');
}

fn forecast(s: &Stats, out: &mut String) {
    let _ = writeln!(out, "復習予定 (14日)");
    let most = s.forecast.iter().map(|d| d.due).max().unwrap_or(0).max(1);
    for d in &s.forecast {
        let bar = "█".repeat((d.due * BAR_W).div_ceil(most));
        let date = d.date.get(5..).unwrap_or(&d.date);
        let _ = writeln!(out, "{}", format!("  {date} {:>4} {bar}", d.due).trim_end());
    }
    out.push('\n');
}

fn calendar(s: &Stats, out: &mut String) {
    let busiest = s.calendar.iter().map(|d| d.answers).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "学習カレンダー (過去{}週, 列 = 週, {} = 0 … {} = 最多 {busiest} 問)",
        stats::CALENDAR_WEEKS,
        SHADES[0],
        SHADES[4]
    );
    for (wd, label) in WEEKDAYS.iter().enumerate() {
        let cells: String = s
            .calendar
            .iter()
            .filter(|d| usize::from(d.weekday) == wd + 1)
            .map(|d| SHADES[level(d.answers, busiest)])
            .collect();
        let _ = writeln!(out, "  {label} {cells}");
    }
    out.push('\n');
}

fn exams(s: &Stats, out: &mut String) {
    let _ = writeln!(out, "模擬試験の履歴");
    if s.exams.is_empty() {
        let _ = writeln!(out, "  (まだありません)");
    }
    for e in &s.exams {
        let ratio = (e.questions > 0).then(|| e.correct as f64 / e.questions as f64);
        let _ = writeln!(
            out,
            "  {}  {}/{} ({})  {} / {}{}",
            e.date,
            e.correct,
            e.questions,
            percent(ratio),
            clock(e.used_ms),
            clock(e.allowed_ms),
            if e.timed_out { "  時間切れ" } else { "" }
        );
        let areas: Vec<String> = e
            .by_area
            .iter()
            .map(|a| format!("{} {}/{}", a.id, a.correct, a.total))
            .collect();
        let _ = writeln!(out, "    {}", areas.join("  "));
    }
}
