//! `eshikaku list [--json]`: chapters, lessons and kernels.

use eshikaku_kernels::registry;
use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;

#[derive(Serialize)]
struct Listing<'a> {
    chapters: Vec<ChapterItem<'a>>,
    kernels: Vec<KernelItem<'a>>,
}

#[derive(Serialize)]
struct ChapterItem<'a> {
    id: &'a str,
    title: &'a str,
    lessons: Vec<LessonItem<'a>>,
}

#[derive(Serialize)]
struct LessonItem<'a> {
    id: &'a str,
    title: &'a str,
    kernel: Option<&'a str>,
    questions: usize,
}

#[derive(Serialize)]
struct KernelItem<'a> {
    id: &'a str,
    title: &'a str,
    summary: &'a str,
    knobs: Vec<KnobItem>,
}

#[derive(Serialize)]
struct KnobItem {
    name: &'static str,
    doc: &'static str,
    default: String,
    range: String,
}

pub fn main(folder: Option<&Path>, json: bool) -> ExitCode {
    let lib = super::load_library(folder);
    let listing = Listing {
        chapters: lib
            .chapters
            .iter()
            .map(|c| ChapterItem {
                id: &c.id,
                title: &c.title,
                lessons: lib
                    .lessons
                    .iter()
                    .filter(|l| l.lesson.chapter == c.id)
                    .map(|l| LessonItem {
                        id: &l.lesson.id,
                        title: &l.lesson.title,
                        kernel: l.lesson.kernel.as_ref().map(|k| k.id.as_str()),
                        questions: l.lesson.questions.len(),
                    })
                    .collect(),
            })
            .collect(),
        kernels: registry::all()
            .iter()
            .map(|k| KernelItem {
                id: k.id,
                title: k.title,
                summary: k.summary,
                knobs: k
                    .knobs
                    .iter()
                    .map(|s| KnobItem {
                        name: s.name,
                        doc: s.doc,
                        default: s.default_value().to_string(),
                        range: s.range_text(),
                    })
                    .collect(),
            })
            .collect(),
    };
    if json {
        match serde_json::to_string_pretty(&listing) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
        return ExitCode::SUCCESS;
    }
    for c in &listing.chapters {
        println!("{}  [{}]", c.title, c.id);
        for l in &c.lessons {
            let kernel = l
                .kernel
                .map(|k| format!("  kernel: {k}"))
                .unwrap_or_default();
            println!("  {:<24} {}  ({} 問){kernel}", l.id, l.title, l.questions);
        }
    }
    println!();
    println!("kernels (eshikaku run <id> [--set knob=value]…):");
    for k in &listing.kernels {
        println!("  {:<10} {} — {}", k.id, k.title, k.summary);
        for s in &k.knobs {
            println!("      {}={} ({}) {}", s.name, s.default, s.range, s.doc);
        }
    }
    ExitCode::SUCCESS
}
