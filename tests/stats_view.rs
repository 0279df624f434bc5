//! The TUI statistics screen: snapshots of fixed statistics, and no panic at any size.

use eshikaku::content::Library;
use eshikaku::content::check::LessonEntry;
use eshikaku::content::model::{Chapter, KernelLink, Lesson, Question};
use eshikaku::content::source::Origin;
use eshikaku::study::clock::DAY_MS;
use eshikaku::study::records::{
    AnswerRecord, CardState, ExamItemRecord, ExamRecord, KernelRunRecord, Mode, QuestionKey,
    Rating, Timestamp,
};
use eshikaku::study::schedule::Scheduler;
use eshikaku::study::stats::{Stats, StoreData, compute};
use eshikaku::ui::stats::StatsView;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// 2026-03-04 12:00 UTC (a Wednesday): noon, so the date is the same in time zones UTC−11 to
/// UTC+11.
const NOW: Timestamp = 1_772_625_600_000;

fn lesson(
    id: &str,
    title: &str,
    chapter: &str,
    questions: usize,
    kernel: Option<&str>,
) -> LessonEntry {
    let question = |i: usize| Question {
        id: format!("q{i}"),
        prompt: "?".into(),
        area: None,
        code: None,
        choices: vec!["a".into(), "b".into()],
        answer: 1,
        explanation: String::new(),
    };
    LessonEntry {
        lesson: Lesson {
            format_version: 1,
            id: id.into(),
            title: title.into(),
            chapter: chapter.into(),
            order: 0,
            syllabus: "深層学習の応用 > x".into(),
            summary: String::new(),
            body: vec![],
            key_points: vec![],
            formulas: vec![],
            kernel: kernel.map(|k| KernelLink {
                id: k.into(),
                step_notes: Default::default(),
            }),
            questions: (1..=questions).map(question).collect(),
            references: vec![],
        },
        path: format!("{id}.yaml"),
        origin: Origin::BuiltIn,
    }
}

fn library() -> Library {
    let chapter = |id: &str, title: &str| Chapter {
        id: id.into(),
        title: title.into(),
    };
    Library {
        chapters: vec![
            chapter("generative", "生成モデル (GAN / DCGAN)"),
            chapter("norm", "正規化層"),
        ],
        lessons: vec![
            lesson(
                "gan",
                "GAN (敵対的生成ネットワーク) の基本",
                "generative",
                6,
                Some("gan"),
            ),
            lesson(
                "dcgan",
                "DCGAN — 畳み込み GAN",
                "generative",
                4,
                Some("dcgan"),
            ),
            lesson(
                "normalization",
                "正規化層 — Batch / Layer / Instance",
                "norm",
                5,
                None,
            ),
        ],
    }
}

fn answer(lesson: &str, q: usize, at: Timestamp, correct: bool) -> AnswerRecord {
    AnswerRecord {
        key: QuestionKey::new(lesson, &format!("q{q}")),
        at,
        took_ms: 8_000 + 3_000 * q as i64,
        correct,
        rating: Some(if correct { Rating::Good } else { Rating::Again }),
        mode: Mode::Practice,
    }
}

fn data() -> StoreData {
    let mut d = StoreData::default();
    // Study on a pattern of days over the last weeks.
    for day in 0..60i64 {
        let n = (day * 7 % 5) as usize;
        for i in 0..n {
            let at = NOW - day * DAY_MS - i as i64 * 60_000;
            d.answers
                .push(answer("gan", 1 + i % 6, at, (day + i as i64) % 3 != 0));
        }
    }
    d.answers
        .push(answer("normalization", 2, NOW - DAY_MS, true));
    for q in 1..=6 {
        d.cards.push(CardState {
            key: QuestionKey::new("gan", &format!("q{q}")),
            stability: 2.0 * q as f32,
            difficulty: 5.0,
            last_review: NOW - 3 * DAY_MS,
            due: NOW + (q as i64 - 2) * 2 * DAY_MS,
            reps: 3,
            lapses: 0,
        });
    }
    d.lessons_opened = vec![("gan".into(), NOW), ("normalization".into(), NOW - DAY_MS)];
    d.kernel_runs.push(KernelRunRecord {
        kernel: "gan".into(),
        at: NOW - DAY_MS,
        seed: 0,
        passed: true,
        metrics: vec![],
    });
    let item = |l: &str, ch: &str, area: &str, correct| ExamItemRecord {
        key: QuestionKey::new(l, "q1"),
        chapter: ch.into(),
        area: area.into(),
        chosen: Some(1),
        correct,
        flagged: false,
    };
    d.exams.push(ExamRecord {
        started: NOW - 2 * DAY_MS,
        used_ms: 5_400_000,
        allowed_ms: 7_200_000,
        seed: 4,
        timed_out: false,
        items: vec![
            item("gan", "generative", "深層学習の応用", true),
            item("dcgan", "generative", "深層学習の応用", false),
            item("normalization", "norm", "深層学習の基礎", true),
        ],
    });
    d
}

fn stats() -> Stats {
    let sched = Scheduler::new(0.9).unwrap();
    compute(&library(), &data(), &sched, NOW)
}

fn render(stats: &Stats, lib: &Library, scroll: usize, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    let view = StatsView {
        stats,
        library: lib,
        scroll,
    };
    t.draw(|f| f.render_widget(&view, f.area())).expect("draw");
    t
}

/// The screen as text: wide characters once, trailing spaces trimmed.
fn screen(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut x = 0;
        while x < buf.area.width {
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            x += u16::try_from(eshikaku::ui::wrap::width(sym).max(1)).unwrap_or(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn stats_screen_snapshots() {
    let (s, lib) = (stats(), library());
    insta::assert_snapshot!("stats_80x24", screen(&render(&s, &lib, 0, 80, 24)));
    insta::assert_snapshot!("stats_120x40", screen(&render(&s, &lib, 0, 120, 40)));
    insta::assert_snapshot!(
        "stats_80x24_scrolled",
        screen(&render(&s, &lib, 12, 80, 24))
    );
}

#[test]
fn scrolling_stops_at_the_end_of_the_page() {
    let (s, lib) = (stats(), library());
    let far = screen(&render(&s, &lib, 10_000, 80, 24));
    assert!(far.contains("模擬試験の履歴"), "{far}");
    assert_eq!(far, screen(&render(&s, &lib, 1_000, 80, 24)));
    assert_ne!(far, screen(&render(&s, &lib, 0, 80, 24)));
}

#[test]
fn no_panic_at_any_size() {
    let lib = library();
    let full = stats();
    let empty = compute(
        &lib,
        &StoreData::default(),
        &Scheduler::new(0.9).unwrap(),
        NOW,
    );
    for s in [&full, &empty] {
        for w in 1..=120 {
            for h in 1..=40 {
                render(s, &lib, 3, w, h);
            }
        }
    }
}
