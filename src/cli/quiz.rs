//! `eshikaku quiz`: practise or review from the command line, one answer number per line.

use super::ask::{Reply, columns, open_store, question_text, read_reply};
use crate::study::clock::{Clock, SystemClock};
use crate::study::pick::{Scope, in_scope, review_queue};
use crate::study::practice::{Feedback, Round};
use crate::study::progress::StudyState;
use crate::study::records::Mode;
use crate::ui::wrap::wrap;
use std::io::Write;
use std::process::ExitCode;

/// What to practise.
pub struct QuizArgs<'a> {
    pub lesson: Option<&'a str>,
    pub chapter: Option<&'a str>,
    pub due: bool,
    pub n: Option<usize>,
    pub seed: Option<u64>,
}

pub fn main(folder: Option<&std::path::Path>, args: &QuizArgs) -> ExitCode {
    let lib = super::load_library(folder);
    let scope = match (args.lesson, args.chapter) {
        (Some(l), _) => Scope::Lesson(l.to_string()),
        (None, Some(c)) => Scope::Chapter(c.to_string()),
        (None, None) => Scope::All,
    };
    let mut items = match in_scope(&lib, &scope) {
        Ok(items) => items,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let clock = SystemClock;
    let seed = args.seed.unwrap_or(clock.now() as u64);
    let (store, data) = open_store();
    let (settings, warnings) = crate::study::settings::load(&store);
    warnings.iter().for_each(|w| eprintln!("warning: {w}"));
    let mut study = StudyState::new(data, settings);
    let mode = if args.due {
        let new_left = study.new_left_today(clock.now());
        items = review_queue(&lib, &items, &study.cards, clock.now(), new_left);
        Mode::Review
    } else {
        rand::seq::SliceRandom::shuffle(
            items.as_mut_slice(),
            &mut crate::study::shuffle::rng(seed),
        );
        Mode::Practice
    };
    items.truncate(args.n.unwrap_or(usize::MAX));
    if items.is_empty() {
        println!(
            "出題する問題がありません (復習の期限が来た問題も、今日の新しい問題もありません)。"
        );
        return ExitCode::SUCCESS;
    }
    let sched = study.sched.clone();
    let mut round = Round::new(mode, items, seed, &lib, clock.now());
    let cols = columns();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut shown = 0;
    while let Some(p) = round.current.clone() {
        let Some((entry, q)) = p.item.get(&lib) else {
            break;
        };
        shown += 1;
        let again = if p.attempt > 0 { " (もう一度)" } else { "" };
        print!(
            "\n[{shown}] {}{again}\n{}答え> ",
            entry.lesson.title,
            question_text(q, &p.shuffled, cols)
        );
        let _ = std::io::stdout().flush();
        let choice = match read_reply(&mut input, q.choices.len()) {
            Reply::End => break,
            Reply::Skip => {
                println!("(飛ばしました)");
                round.skip(&lib, clock.now());
                continue;
            }
            Reply::Choice(c) => c,
        };
        let Some(f) = round
            .answer(&lib, choice, clock.now(), &sched, &study.cards)
            .cloned()
        else {
            break;
        };
        print_feedback(q, &f, cols);
        if let Some((answer, card)) = round.take_unsaved() {
            study.answered(&answer, card.as_ref());
            if let Err(e) = store.record_answer(&answer, card.as_ref()) {
                eprintln!("warning: this answer was not saved: {e}");
            }
        }
        round.next(&lib, clock.now());
    }
    let pct = (round.correct_first_try * 100)
        .checked_div(round.answered)
        .unwrap_or(0);
    println!(
        "\nスコア: 初回正答 {}/{} ({pct}%)",
        round.correct_first_try, round.answered
    );
    ExitCode::SUCCESS
}

/// Right or wrong, the correct choice, the explanation and the rating.
fn print_feedback(q: &crate::content::model::Question, f: &Feedback, cols: usize) {
    if f.correct {
        println!("✓ 正解");
    } else {
        let right = q
            .answer
            .checked_sub(1)
            .and_then(|i| q.choices.get(i))
            .map_or("", String::as_str);
        println!("✗ 不正解。正解は {}) {right}", f.correct_shown + 1);
    }
    for l in wrap(&format!("解説: {}", q.explanation), cols) {
        println!("  {l}");
    }
    if let Some(r) = f.answer.rating {
        println!(
            "  評価: {} ({:.1} 秒)",
            r.label(),
            f.answer.took_ms as f64 / 1000.0
        );
    }
}
