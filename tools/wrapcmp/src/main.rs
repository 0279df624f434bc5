//! One-off comparison for issue #12: our wrapper (`src/wrap.rs`) against textwrap 0.16 with
//! Unicode line breaking (UAX #14) on every lesson text: kinsoku violations, over-width lines and
//! time. Not part of the build; run with
//! `cargo run --release --manifest-path tools/wrapcmp/Cargo.toml`.

use eshikaku::content;
use eshikaku::wrap::{width, wrap};
use std::time::Instant;

const WIDTHS: [usize; 4] = [40, 60, 78, 118];
const NO_START: &str = "、。，．・：；？！）」』】〕〉》";
const NO_END: &str = "（「『【〔〈《";

fn paragraphs() -> Vec<String> {
    let loaded = content::load(None);
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

fn count(lines: &[String], w: usize) -> (usize, usize, usize) {
    let (mut start, mut end, mut over) = (0, 0, 0);
    for line in lines {
        if line.trim_start().chars().next().is_some_and(|c| NO_START.contains(c)) { start += 1; }
        if line.chars().last().is_some_and(|c| NO_END.contains(c)) { end += 1; }
        if width(line) > w { over += 1; }
    }
    (start, end, over)
}

fn main() {
    let paras = paragraphs();
    let chars: usize = paras.iter().map(|p| p.chars().count()).sum();
    println!("{} paragraphs, {} characters", paras.len(), chars);
    println!("| wrapper | width | lines | starts with closing | ends with opening | over width | time for all paragraphs (median of 21) |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for w in WIDTHS {
        for name in ["ours (src/wrap.rs)", "textwrap 0.16 (UAX #14)"] {
            let run = || -> Vec<String> {
                paras.iter().flat_map(|p| {
                    if name.starts_with("ours") { wrap(p, w) } else {
                        textwrap::wrap(p, textwrap::Options::new(w)).into_iter().map(|c| c.into_owned()).collect()
                    }
                }).collect()
            };
            let mut times: Vec<f64> = (0..21).map(|_| { let t = Instant::now(); std::hint::black_box(run()); t.elapsed().as_secs_f64() * 1e3 }).collect();
            times.sort_by(f64::total_cmp);
            let lines = run();
            let (s, e, o) = count(&lines, w);
            println!("| {name} | {w} | {} | {s} | {e} | {o} | {:.2} ms |", lines.len(), times[10]);
        }
    }
}
