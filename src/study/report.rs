//! The result of a mock exam as text lines with a kind each, shared by the CLI (plain) and the
//! TUI (styled): overall score, per chapter, per syllabus area, time, and every wrong answer
//! with its explanation.

use super::records::{ExamRecord, Score};
use crate::content::Library;

/// What a line is, for styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Title,
    Heading,
    Text,
    Muted,
    Good,
    Bad,
    /// A score bar: the line holds `name`, and `Score` gives the numbers.
    Bar,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportLine {
    pub kind: Kind,
    pub text: String,
    pub score: Option<Score>,
    /// For the lines of a wrong answer: its index among the wrong answers.
    pub wrong: Option<usize>,
}

impl ReportLine {
    fn new(kind: Kind, text: impl Into<String>) -> Self {
        Self {
            kind,
            text: text.into(),
            score: None,
            wrong: None,
        }
    }
}

/// `mm:ss` (or `h:mm:ss`) of a duration in milliseconds.
pub fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// The report of `r`; questions no longer in `lib` are scored but not explained.
pub fn lines(lib: &Library, r: &ExamRecord) -> Vec<ReportLine> {
    let mut out = Vec::new();
    let total = Score {
        id: "合計".into(),
        correct: r.correct(),
        total: r.items.len(),
    };
    out.push(ReportLine::new(Kind::Title, "模擬試験の結果"));
    out.push(ReportLine::new(
        if total.ratio() >= 0.7 {
            Kind::Good
        } else {
            Kind::Bad
        },
        format!(
            "得点 {}/{} ({:.0}%)",
            total.correct,
            total.total,
            total.ratio() * 100.0
        ),
    ));
    let timed_out = if r.timed_out {
        " (時間切れで提出)"
    } else {
        ""
    };
    out.push(ReportLine::new(
        Kind::Text,
        format!(
            "使用時間 {} / 制限時間 {}{timed_out}",
            clock(r.used_ms),
            clock(r.allowed_ms)
        ),
    ));
    out.push(ReportLine::new(Kind::Text, ""));
    out.push(ReportLine::new(Kind::Heading, "■ 章ごとの得点"));
    let mut chapters = r.by_chapter();
    chapters.sort_by_key(|s| lib.chapters.iter().position(|c| c.id == s.id));
    for s in chapters {
        let title = lib.chapter_title(&s.id).to_string();
        out.push(bar(&title, s));
    }
    out.push(ReportLine::new(Kind::Text, ""));
    out.push(ReportLine::new(Kind::Heading, "■ シラバスの分野ごとの得点"));
    let mut areas = r.by_area();
    areas.sort_by_key(|s| crate::content::model::AREAS.iter().position(|a| *a == s.id));
    for s in areas {
        out.push(bar(&s.id.clone(), s));
    }
    out.push(ReportLine::new(Kind::Text, ""));
    wrong_answers(lib, r, &mut out);
    out
}

fn bar(name: &str, s: Score) -> ReportLine {
    ReportLine {
        kind: Kind::Bar,
        text: name.to_string(),
        score: Some(s),
        wrong: None,
    }
}

fn wrong_answers(lib: &Library, r: &ExamRecord, out: &mut Vec<ReportLine>) {
    let wrong: Vec<_> = r.items.iter().filter(|i| !i.correct).collect();
    if wrong.is_empty() {
        out.push(ReportLine::new(Kind::Good, "全問正解です。"));
        return;
    }
    out.push(ReportLine::new(
        Kind::Heading,
        format!("■ 誤答と未解答 ({} 問)", wrong.len()),
    ));
    for (k, item) in wrong.iter().enumerate() {
        let mut push = |kind, text: String| {
            out.push(ReportLine {
                wrong: Some(k),
                ..ReportLine::new(kind, text)
            })
        };
        let Some(entry) = lib.lesson(&item.key.lesson) else {
            push(Kind::Muted, format!("{} (削除された問題)", item.key));
            continue;
        };
        let Some(q) = entry
            .lesson
            .questions
            .iter()
            .find(|q| q.id == item.key.question)
        else {
            push(Kind::Muted, format!("{} (削除された問題)", item.key));
            continue;
        };
        push(
            Kind::Muted,
            format!("{}. {} [{}]", k + 1, entry.lesson.title, item.key),
        );
        push(Kind::Text, q.prompt.clone());
        let choice = |i: Option<usize>| i.and_then(|i| q.choices.get(i)).cloned();
        push(
            Kind::Bad,
            match choice(item.chosen) {
                Some(c) => format!("あなたの解答: {c}"),
                None => "あなたの解答: (未解答)".to_string(),
            },
        );
        push(
            Kind::Good,
            format!(
                "正解: {}",
                choice(q.answer.checked_sub(1)).unwrap_or_default()
            ),
        );
        push(Kind::Text, format!("解説: {}", q.explanation));
        push(Kind::Text, String::new());
    }
}

/// The display width the score bars' names get: the widest name, at most `max` columns.
pub fn bar_name_width(lines: &[ReportLine], max: usize) -> usize {
    use unicode_width::UnicodeWidthStr;
    lines
        .iter()
        .filter(|l| l.kind == Kind::Bar)
        .map(|l| l.text.width())
        .max()
        .unwrap_or(0)
        .min(max)
}
