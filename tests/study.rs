//! The study engine without a terminal: FSRS scheduling against the `fsrs` crate, choice
//! shuffling, practice rounds, and mock exams driven by an injected clock.

#[path = "common/study.rs"]
mod fixture;

use eshikaku::study::clock::DAY_MS;
use eshikaku::study::exam::{Exam, ExamPlan, MS_PER_QUESTION};
use eshikaku::study::pick::{QuestionRef, Scope, in_scope};
use eshikaku::study::practice::Round;
use eshikaku::study::records::{CardState, Mode, QuestionKey, Rating};
use eshikaku::study::schedule::{Scheduler, rating_for};
use eshikaku::study::shuffle::Shuffled;
use fixture::{NOW, library};
use fsrs::{FSRS, FSRSItem, FSRSReview};
use std::collections::HashMap;

#[test]
fn fsrs_schedule_matches_the_fsrs_crate_for_a_scripted_history() {
    let sched = Scheduler::new(0.9).expect("valid retention");
    let fsrs = FSRS::new(&[]).expect("default parameters");
    let key = QuestionKey::new("l", "q");
    // (days after the previous review, rating)
    let script = [
        (0, Rating::Good),
        (2, Rating::Good),
        (5, Rating::Again),
        (1, Rating::Hard),
        (4, Rating::Easy),
        (20, Rating::Good),
    ];
    let mut card: Option<CardState> = None;
    let mut at = NOW;
    let mut reviews = Vec::new();
    for (days, rating) in script {
        at += i64::from(days) * DAY_MS;
        let next = sched.review(&key, card.as_ref(), rating, at);
        reviews.push(FSRSReview {
            rating: rating.grade(),
            delta_t: days,
        });
        let expected = fsrs
            .memory_state(
                FSRSItem {
                    reviews: reviews.clone(),
                },
                None,
            )
            .expect("valid history");
        let close = |a: f32, b: f32| (a - b).abs() <= 1e-4 * b.abs().max(1.0);
        assert!(
            close(next.stability, expected.stability),
            "stability {} vs {} after {reviews:?}",
            next.stability,
            expected.stability
        );
        assert!(close(next.difficulty, expected.difficulty));
        let interval = fsrs.next_interval(Some(expected.stability), 0.9, rating.grade());
        let days_due = (next.due - at) as f64 / DAY_MS as f64;
        if rating == Rating::Again {
            assert!(
                (days_due - f64::from(interval)).abs() < 1e-3,
                "{days_due} vs {interval}"
            );
        } else {
            assert_eq!(days_due, f64::from(interval.round().max(1.0)));
        }
        card = Some(next);
    }
    let last = card.expect("reviewed");
    assert_eq!(last.reps, 6);
    assert_eq!(last.lapses, 1, "one Again after the first review");
}

#[test]
fn ratings_follow_the_stated_mapping() {
    assert_eq!(rating_for(false, 1_000), Rating::Again);
    assert_eq!(rating_for(true, 10_000), Rating::Easy);
    assert_eq!(rating_for(true, 50_000), Rating::Good);
    assert_eq!(rating_for(true, 100_000), Rating::Hard);
    assert!(Scheduler::new(1.5).is_err());
}

/// All permutations of 0..n.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, n - 1);
            out.push(q);
        }
    }
    out
}

#[test]
fn the_key_is_mapped_back_for_every_question_and_permutation() {
    let lib = library();
    let sched = Scheduler::new(0.9).expect("retention");
    let cards = HashMap::new();
    let items = in_scope(&lib, &Scope::All).expect("all");
    for item in items {
        let (_, q) = item.get(&lib).expect("question");
        for order in permutations(q.choices.len()) {
            for shown in 0..order.len() {
                let mut round = Round::new(Mode::Practice, vec![item], 1, &lib, NOW);
                round.current.as_mut().expect("presented").shuffled = Shuffled {
                    order: order.clone(),
                };
                let f = round
                    .answer(&lib, shown, NOW + 5_000, &sched, &cards)
                    .expect("answered");
                let right = order[shown] + 1 == q.answer;
                assert_eq!(f.correct, right, "{} order {order:?} shown {shown}", q.id);
                assert_eq!(order[f.correct_shown] + 1, q.answer);
            }
        }
    }
}

#[test]
fn wrong_answers_come_back_at_the_end_of_the_round() {
    let lib = library();
    let sched = Scheduler::new(0.9).expect("retention");
    let items = in_scope(&lib, &Scope::Lesson("alpha-norm".into())).expect("lesson");
    let mut cards = HashMap::new();
    let mut round = Round::new(Mode::Practice, items.clone(), 3, &lib, NOW);
    let mut asked: Vec<QuestionRef> = Vec::new();
    let mut t = NOW;
    while let Some(p) = round.current.clone() {
        let (_, q) = p.item.get(&lib).expect("question");
        let key_shown = p.shuffled.shown(q.answer - 1).expect("key shown");
        // Answer the first question wrong the first time, everything else right.
        let shown = if asked.is_empty() {
            (key_shown + 1) % q.choices.len()
        } else {
            key_shown
        };
        asked.push(p.item);
        t += 30_000;
        round
            .answer(&lib, shown, t, &sched, &cards)
            .expect("answered");
        if let Some((_, Some(card))) = round.take_unsaved() {
            cards.insert(card.key.clone(), card);
        }
        round.next(&lib, t);
        assert!(asked.len() <= items.len() + 1, "round does not end");
    }
    assert_eq!(asked.len(), items.len() + 1);
    assert_eq!(asked.last(), asked.first(), "the wrong one came back last");
    assert_eq!(round.correct_first_try, items.len() - 1);
    assert_eq!(cards.len(), items.len(), "one card per question");
    let first = asked[0].key(&lib).expect("key");
    assert_eq!(cards[&first].reps, 1, "the repeat does not move the card");
}

#[test]
fn a_scripted_exam_scores_per_chapter_and_area() {
    let lib = library();
    let bank = lib.question_count();
    let plan = ExamPlan::new(bank, None, None, 11).expect("plan");
    assert_eq!(
        plan.questions, bank,
        "all questions when fewer than 100 exist"
    );
    assert_eq!(plan.allowed_ms, MS_PER_QUESTION * bank as i64);
    let mut exam = Exam::start(&lib, &plan, NOW);
    // Answer correctly exactly the questions of lesson 0 with an even question index.
    let mut expected: HashMap<String, (usize, usize)> = HashMap::new();
    let mut by_area: HashMap<String, (usize, usize)> = HashMap::new();
    for i in 0..exam.items.len() {
        exam.go_to(i, NOW + i as i64 * 1000);
        let it = exam.items[i].clone();
        let (entry, q) = it.item.get(&lib).expect("question");
        let right = it.item.lesson == 0 && it.item.question.is_multiple_of(2);
        let key_shown = it.shuffled.shown(q.answer - 1).expect("shown");
        exam.choose(if right {
            key_shown
        } else {
            (key_shown + 1) % 4
        });
        let e = expected.entry(entry.lesson.chapter.clone()).or_default();
        e.0 += usize::from(right);
        e.1 += 1;
        let a = by_area
            .entry(entry.lesson.area_of(q).to_string())
            .or_default();
        a.0 += usize::from(right);
        a.1 += 1;
    }
    exam.choose(0); // changing an answer is allowed until submission …
    let last = exam.items.last().expect("items").clone();
    let (_, q) = last.item.get(&lib).expect("q");
    let key_shown = last.shuffled.shown(q.answer - 1).expect("shown");
    exam.choose((key_shown + 1) % 4); // … and changed back to a wrong one.
    let record = exam.submit(&lib, NOW + 60_000, false).clone();
    assert!(!record.timed_out);
    assert_eq!(record.used_ms, 60_000);
    let chapters = record.by_chapter();
    assert_eq!(chapters.len(), 2);
    for s in &chapters {
        assert_eq!((s.correct, s.total), expected[&s.id], "chapter {}", s.id);
    }
    for s in record.by_area() {
        assert_eq!((s.correct, s.total), by_area[&s.id], "area {}", s.id);
    }
    assert!(
        by_area.contains_key("深層学習の基礎"),
        "a question's own area counts"
    );
    exam.choose(0);
    assert_eq!(
        exam.result.as_ref(),
        Some(&record),
        "no change after submission"
    );
}

#[test]
fn the_exam_submits_itself_when_time_runs_out() {
    let lib = library();
    let plan = ExamPlan::new(lib.question_count(), Some(3), Some(1.0), 5).expect("plan");
    assert_eq!(plan.allowed_ms, 60_000);
    let mut exam = Exam::start(&lib, &plan, NOW);
    exam.choose(0);
    assert!(!exam.tick(&lib, NOW + 59_999), "one millisecond left");
    assert_eq!(exam.remaining_ms(NOW + 59_999), 1);
    assert!(exam.tick(&lib, NOW + 61_000));
    let r = exam.result.as_ref().expect("submitted");
    assert!(r.timed_out);
    assert_eq!(r.used_ms, 60_000, "time used is capped at the time allowed");
    assert_eq!(r.items.len(), 3);
    assert_eq!(r.items.iter().filter(|i| i.chosen.is_some()).count(), 1);
}

#[test]
fn the_exam_draw_is_proportional_and_short_exams_keep_the_pace() {
    let lib = library();
    let plan = ExamPlan::new(lib.question_count(), Some(4), None, 2).expect("plan");
    assert_eq!(plan.allowed_ms, 4 * MS_PER_QUESTION);
    let exam = Exam::start(&lib, &plan, NOW);
    let from_alpha = exam.items.iter().filter(|i| i.item.lesson == 0).count();
    // 4 of 7 questions split 4:3 → 2.29 and 1.71 → 2 and 2.
    assert_eq!(from_alpha, 2);
    assert!(ExamPlan::new(7, Some(0), None, 0).is_err());
    assert!(ExamPlan::new(7, None, Some(-1.0), 0).is_err());
    assert!(ExamPlan::new(0, None, None, 0).is_err());
}
