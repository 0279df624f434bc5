//! Line breaking of every lesson's text (summary, sections, key points, formulas, questions,
//! choices, explanations) at the widths the screens use: no line starts with closing
//! punctuation or ends with opening punctuation (禁則処理), and none is wider than the width.

use eshikaku::content;
use eshikaku::wrap::{width, wrap};

/// Widths the lesson pane takes at 40, 60, 80 and 120 columns.
const WIDTHS: [usize; 4] = [40, 60, 78, 118];
/// Characters a line must not start with.
const NO_START: &str = "、。，．・：；？！）」』】〕〉》";
/// Characters a line must not end with.
const NO_END: &str = "（「『【〔〈《";

fn paragraphs() -> Vec<String> {
    let loaded = content::load(None);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let mut out = Vec::new();
    for entry in &loaded.library.lessons {
        let l = &entry.lesson;
        out.push(l.summary.clone());
        out.extend(l.body.iter().map(|s| s.text.clone()));
        out.extend(l.key_points.iter().cloned());
        out.extend(l.formulas.iter().map(|f| f.note.clone()));
        for q in &l.questions {
            out.push(q.prompt.clone());
            out.push(q.explanation.clone());
            out.extend(q.choices.iter().cloned());
        }
    }
    out
}

#[test]
fn no_lesson_line_breaks_kinsoku_or_overflows() {
    let paras = paragraphs();
    assert!(paras.len() > 100, "the lessons have text: {}", paras.len());
    let mut bad = Vec::new();
    for &w in &WIDTHS {
        for p in &paras {
            for line in wrap(p, w) {
                let starts = line
                    .trim_start()
                    .chars()
                    .next()
                    .is_some_and(|c| NO_START.contains(c));
                let ends = line.chars().last().is_some_and(|c| NO_END.contains(c));
                if starts || ends || width(&line) > w {
                    bad.push(format!("{w}: {line}"));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} bad lines:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
