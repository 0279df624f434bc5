use super::*;
use crate::content::check::LessonEntry;
use crate::content::model::{Chapter, KernelLink, Lesson, Question};
use crate::content::source::Origin;
use crate::study::clock::DAY_MS;
use crate::study::records::{ExamItemRecord, Mode, Rating};

/// 2026-03-04 12:00 UTC, a Wednesday.
const NOW: Timestamp = 1_772_625_600_000;

fn question(id: &str) -> Question {
    Question {
        id: id.into(),
        prompt: "?".into(),
        area: None,
        code: None,
        choices: vec!["a".into(), "b".into()],
        answer: 1,
        explanation: String::new(),
    }
}

fn lesson(id: &str, chapter: &str, questions: &[&str], kernel: Option<&str>) -> LessonEntry {
    LessonEntry {
        lesson: Lesson {
            format_version: 1,
            id: id.into(),
            title: format!("{id} の題"),
            chapter: chapter.into(),
            order: 0,
            syllabus: "深層学習の基礎 > x".into(),
            summary: String::new(),
            body: vec![],
            key_points: vec![],
            formulas: vec![],
            kernel: kernel.map(|k| KernelLink {
                id: k.into(),
                step_notes: Default::default(),
            }),
            questions: questions.iter().map(|q| question(q)).collect(),
            references: vec![],
        },
        path: format!("{id}.yaml"),
        origin: Origin::BuiltIn,
    }
}

fn library() -> Library {
    Library {
        chapters: vec![
            Chapter {
                id: "ch1".into(),
                title: "第1章".into(),
            },
            Chapter {
                id: "ch2".into(),
                title: "第2章".into(),
            },
            Chapter {
                id: "empty".into(),
                title: "空".into(),
            },
        ],
        lessons: vec![
            lesson("a", "ch1", &["q1", "q2", "q3"], Some("mlp")),
            lesson("b", "ch1", &["q1"], None),
            lesson("c", "ch2", &["q1", "q2"], Some("gan")),
        ],
    }
}

fn answer(lesson: &str, q: &str, at: Timestamp, correct: bool, took_ms: i64) -> AnswerRecord {
    AnswerRecord {
        key: QuestionKey::new(lesson, q),
        at,
        took_ms,
        correct,
        rating: Some(Rating::Good),
        mode: Mode::Practice,
    }
}

fn card(
    lesson: &str,
    q: &str,
    stability: f32,
    last_review: Timestamp,
    due: Timestamp,
) -> CardState {
    CardState {
        key: QuestionKey::new(lesson, q),
        stability,
        difficulty: 5.0,
        last_review,
        due,
        reps: 1,
        lapses: 0,
    }
}

fn sched() -> Scheduler {
    Scheduler::new(0.9).unwrap()
}

#[test]
fn empty_store_counts_nothing() {
    let s = compute(&library(), &StoreData::default(), &sched(), NOW);
    assert_eq!(s.questions, 6);
    assert_eq!(s.new_count, 6);
    assert_eq!(s.due_today, 0);
    assert_eq!(s.total.answers, 0);
    assert_eq!(s.total.accuracy, None);
    assert_eq!(s.total.avg_ms, None);
    let ids: Vec<&str> = s.chapters.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["ch1", "ch2"], "chapters without lessons are left out");
    assert_eq!(s.chapters[0].questions, 4);
    assert!(
        s.lessons
            .iter()
            .all(|l| !l.read && l.kernel_passed.is_none())
    );
    assert_eq!(s.forecast.len(), FORECAST_DAYS);
    assert!(s.forecast.iter().all(|d| d.due == 0));
    assert_eq!(s.forecast[0].date, s.today);
    let cal = &s.calendar;
    assert_eq!(cal[0].weekday, 1, "the calendar starts on a Monday");
    assert_eq!(cal.last().map(|d| d.date.as_str()), Some(s.today.as_str()));
    assert!(cal.len() > 7 * (CALENDAR_WEEKS - 1) && cal.len() <= 7 * CALENDAR_WEEKS);
    assert!(cal.iter().all(|d| d.answers == 0));
}

fn data() -> StoreData {
    StoreData {
        answers: vec![
            answer("a", "q1", NOW - 2 * DAY_MS, false, 30_000),
            answer("a", "q1", NOW - DAY_MS, true, 10_000),
            answer("a", "q2", NOW - DAY_MS, true, 20_000),
            answer("c", "q1", NOW - 200 * DAY_MS, true, 5_000),
            // Content that no longer exists: ignored.
            answer("a", "gone", NOW - DAY_MS, false, 1_000),
            answer("removed", "q1", NOW - DAY_MS, false, 1_000),
        ],
        cards: vec![
            // Reviewed just now with long stability: mastered, due in 3 days.
            card("a", "q1", 30.0, NOW, NOW + 3 * DAY_MS),
            // Reviewed long ago with short stability: forgotten, overdue.
            card("a", "q2", 1.0, NOW - 40 * DAY_MS, NOW - 39 * DAY_MS),
            card("removed", "q1", 1.0, NOW - 40 * DAY_MS, NOW - 39 * DAY_MS),
        ],
        lessons_opened: vec![("a".into(), NOW - DAY_MS), ("removed".into(), NOW)],
        kernel_runs: vec![
            KernelRunRecord {
                kernel: "mlp".into(),
                at: NOW - 5 * DAY_MS,
                seed: 0,
                passed: false,
                metrics: vec![],
            },
            KernelRunRecord {
                kernel: "mlp".into(),
                at: NOW - DAY_MS,
                seed: 0,
                passed: true,
                metrics: vec![],
            },
        ],
        exams: vec![],
    }
}

#[test]
fn counts_per_lesson_and_chapter_ignore_removed_content() {
    let s = compute(&library(), &data(), &sched(), NOW);
    let a = &s.lessons[0];
    assert_eq!(a.counts.id, "a");
    assert_eq!((a.counts.questions, a.counts.seen), (3, 2));
    assert_eq!((a.counts.answers, a.counts.correct), (3, 2));
    assert_eq!(a.counts.avg_ms, Some(20_000));
    assert_eq!(a.counts.mastered, 1);
    assert!((a.counts.mastery - 1.0 / 3.0).abs() < 1e-9);
    assert!(a.read);
    assert_eq!(a.kernel_passed, Some(true), "the latest run counts");
    assert_eq!(s.lessons[1].kernel_passed, None, "no kernel");
    assert_eq!(s.lessons[2].kernel_passed, None, "never run");
    assert!(!s.lessons[2].read);
    let ch1 = &s.chapters[0];
    assert_eq!(
        (ch1.questions, ch1.seen, ch1.answers, ch1.correct),
        (4, 2, 3, 2)
    );
    assert_eq!(s.total.answers, 4);
    assert_eq!(s.new_count, 3);
    assert_eq!(
        s.due_today, 1,
        "only the overdue card of an existing question"
    );
}

#[test]
fn forecast_and_calendar_place_cards_and_answers_on_their_days() {
    let s = compute(&library(), &data(), &sched(), NOW);
    let due: Vec<usize> = s.forecast.iter().map(|d| d.due).collect();
    assert_eq!(due[0], 1, "today includes overdue");
    assert_eq!(due[3], 1);
    assert_eq!(due.iter().sum::<usize>(), 2);
    let day = |at: Timestamp| {
        let date = day_of(at).to_string();
        s.calendar.iter().find(|d| d.date == date).cloned()
    };
    let d1 = day(NOW - DAY_MS).unwrap();
    assert_eq!((d1.answers, d1.correct), (2, 2));
    let d2 = day(NOW - 2 * DAY_MS).unwrap();
    assert_eq!((d2.answers, d2.correct), (1, 0));
    assert!(day(NOW - 200 * DAY_MS).is_none(), "older than the calendar");
    assert_eq!(s.calendar.iter().map(|d| d.answers).sum::<usize>(), 3);
}

#[test]
fn exam_history_scores_by_chapter_and_area() {
    let item = |l: &str, ch: &str, area: &str, correct| ExamItemRecord {
        key: QuestionKey::new(l, "q1"),
        chapter: ch.into(),
        area: area.into(),
        chosen: Some(0),
        correct,
        flagged: false,
    };
    let mut d = StoreData::default();
    d.exams.push(ExamRecord {
        started: NOW - DAY_MS,
        used_ms: 3_600_000,
        allowed_ms: 7_200_000,
        seed: 1,
        timed_out: true,
        items: vec![
            item("a", "ch1", "機械学習", true),
            item("b", "ch1", "深層学習の基礎", false),
            item("c", "ch2", "機械学習", true),
        ],
    });
    let s = compute(&library(), &d, &sched(), NOW);
    let e = &s.exams[0];
    assert_eq!((e.questions, e.correct, e.timed_out), (3, 2, true));
    assert_eq!(e.date, day_of(NOW - DAY_MS).to_string());
    assert_eq!(e.by_chapter[0].total, 2);
    assert_eq!(e.by_area[0].id, "機械学習");
    assert_eq!(e.by_area[0].correct, 2);
}

#[test]
fn json_names_lessons_by_id_with_flat_counts() {
    let s = compute(&library(), &data(), &sched(), NOW);
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(v["lessons"][0]["id"], "a");
    assert_eq!(v["lessons"][0]["seen"], 2);
    assert_eq!(v["lessons"][0]["kernel_passed"], true);
    assert_eq!(v["due_today"], 1);
}
