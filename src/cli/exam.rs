//! `eshikaku exam`: a timed mock exam from the command line, one answer number per line (an
//! empty line skips a question); no feedback until the end, then the same result as the TUI.

use super::ask::{Reply, columns, open_store, question_text, read_reply};
use crate::content::Library;
use crate::study::clock::{Clock, SystemClock};
use crate::study::exam::{Exam, ExamPlan};
use crate::study::records::ExamRecord;
use crate::study::report::{self, bar_name_width, lines};
use std::io::Write;
use std::process::ExitCode;

pub fn main(
    folder: Option<&std::path::Path>,
    questions: Option<usize>,
    minutes: Option<f64>,
    seed: Option<u64>,
) -> ExitCode {
    let lib = super::load_library(folder);
    let clock = SystemClock;
    let seed = seed.unwrap_or(clock.now() as u64);
    let plan = match ExamPlan::new(lib.question_count(), questions, minutes, seed) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let (store, _) = open_store();
    let mut exam = Exam::start(&lib, &plan, clock.now());
    println!(
        "模擬試験: {} 問 / 制限時間 {} (seed {seed})。番号で解答し、空行で飛ばします。正誤は最後に表示します。",
        exam.items.len(),
        report::clock(plan.allowed_ms)
    );
    let cols = columns();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    for i in 0..exam.items.len() {
        exam.go_to(i, clock.now());
        let it = exam.items[i].clone();
        let Some((_, q)) = it.item.get(&lib) else {
            continue;
        };
        print!(
            "\n[{}/{}] 残り {}\n{}答え> ",
            i + 1,
            exam.items.len(),
            report::clock(exam.remaining_ms(clock.now())),
            question_text(q, &it.shuffled, cols)
        );
        let _ = std::io::stdout().flush();
        match read_reply(&mut input, q.choices.len()) {
            Reply::End => break,
            Reply::Skip => {}
            Reply::Choice(c) => exam.choose(c),
        }
        if exam.tick(&lib, clock.now()) {
            println!("\n時間切れです。解答を提出しました。");
            break;
        }
    }
    let record = exam.submit(&lib, clock.now(), false).clone();
    println!("\n{}", plain(&lib, &record, cols));
    if let Err(e) = store.record_exam(&record) {
        eprintln!("warning: the exam result was not saved: {e}");
    }
    for a in exam.answer_records(&lib) {
        if let Err(e) = store.record_answer(&a, None) {
            eprintln!("warning: an answer was not saved: {e}");
            break;
        }
    }
    ExitCode::SUCCESS
}

/// The report as plain text wrapped at `cols` columns (for the CLI).
fn plain(lib: &Library, r: &ExamRecord, cols: usize) -> String {
    use crate::ui::wrap::{fit, width, wrap};
    let mut out = String::new();
    let report = lines(lib, r);
    let name_w = bar_name_width(&report, cols / 2);
    for l in report {
        if let Some(s) = &l.score {
            let name = fit(&l.text, name_w);
            let padw = name_w.saturating_sub(width(&name));
            let filled = (s.ratio() * 20.0).round() as usize;
            out.push_str(&format!(
                "  {name}{} {}{} {:>3}/{:<3} {:>3.0}%\n",
                " ".repeat(padw),
                "█".repeat(filled.min(20)),
                "░".repeat(20 - filled.min(20)),
                s.correct,
                s.total,
                s.ratio() * 100.0
            ));
            continue;
        }
        let indent = if l.wrong.is_some() { "  " } else { "" };
        if l.text.is_empty() {
            out.push('\n');
        }
        for w in wrap(&l.text, cols.saturating_sub(indent.len())) {
            if !l.text.is_empty() {
                out.push_str(&format!("{indent}{w}\n"));
            }
        }
    }
    out
}
