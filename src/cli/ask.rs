//! Asking questions on the command line: a question printed as text, and one answer number per
//! line read from stdin (so a session can be scripted: `printf '1\n3\n' | eshikaku quiz`).

use crate::content::code::blanked;
use crate::content::model::Question;
use crate::study::shuffle::Shuffled;
use crate::study::stats::StoreData;
use crate::study::store::Store;
use crate::ui::wrap::wrap;
use std::io::BufRead;

/// Terminal width for wrapping: `COLUMNS`, else 80.
pub fn columns() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|c| *c >= 20)
        .unwrap_or(80)
}

/// The question as text: prompt, code with its blank, and the choices numbered as shown.
pub fn question_text(q: &Question, shuffled: &Shuffled, cols: usize) -> String {
    let mut out = String::new();
    for l in wrap(&q.prompt, cols) {
        out.push_str(&format!("{l}\n"));
    }
    if let (Some(c), Some(code)) = (&q.code, blanked(q)) {
        out.push_str(&format!("  ┌─ {}\n", c.lang.name()));
        match code {
            Ok(text) => {
                for l in text.lines() {
                    out.push_str(&format!("  │ {l}\n"));
                }
            }
            Err(_) => out.push_str("  │ (コードを表示できません)\n"),
        }
        out.push_str("  └─\n");
    }
    for (shown, &written) in shuffled.order.iter().enumerate() {
        let text = q.choices.get(written).map_or("", String::as_str);
        for (i, l) in wrap(text, cols.saturating_sub(5)).into_iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("  {}) {l}\n", shown + 1));
            } else {
                out.push_str(&format!("     {l}\n"));
            }
        }
    }
    out
}

/// What one line of input said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// A choice, 0-based as shown.
    Choice(usize),
    /// An empty line: skip the question.
    Skip,
    /// End of input.
    End,
}

/// Reads lines until one is a choice number from 1 to `n`, an empty line, or the end of input;
/// other lines are answered with a hint on stderr.
pub fn read_reply(input: &mut impl BufRead, n: usize) -> Reply {
    let mut line = String::new();
    loop {
        line.clear();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => return Reply::End,
            Ok(_) => {}
        }
        let t = line.trim();
        if t.is_empty() {
            return Reply::Skip;
        }
        match t.parse::<usize>() {
            Ok(k) if (1..=n).contains(&k) => return Reply::Choice(k - 1),
            _ => eprintln!("1 から {n} の番号を入力してください (空行で飛ばす): `{t}`"),
        }
    }
}

/// Opens the progress store for a command; warnings go to stderr.
pub fn open_store() -> (Store, StoreData) {
    let (store, warnings) = Store::open_default();
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let data = StoreData::load(&store).unwrap_or_else(|e| {
        eprintln!("warning: could not read the saved progress: {e}");
        StoreData::default()
    });
    (store, data)
}
