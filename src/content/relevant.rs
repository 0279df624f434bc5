//! Which section of a lesson a question is about, for "open the lesson at the relevant section".
//!
//! Lessons do not tag sections per question, so the section is found by its text: the body
//! section sharing the most character bigrams (pairs of adjacent letters, which suits Japanese
//! text without word boundaries) with the question's prompt, correct choice and explanation.

use super::model::{Lesson, Question};
use std::collections::HashSet;

/// Index into `lesson.body` of the section most related to `q` (`None` for an empty body).
pub fn section_for(lesson: &Lesson, q: &Question) -> Option<usize> {
    let correct = q
        .answer
        .checked_sub(1)
        .and_then(|i| q.choices.get(i))
        .map_or("", String::as_str);
    let asked = bigrams(&format!("{} {} {}", q.prompt, correct, q.explanation));
    lesson
        .body
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let text = bigrams(&format!("{} {}", s.heading, s.text));
            let shared = asked.intersection(&text).count() as f64;
            // Normalise so that a long section does not win by length alone.
            (shared / (text.len() as f64).sqrt().max(1.0), i)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, i)| i)
}

/// The set of adjacent character pairs of `text`, ignoring spaces, digits and punctuation.
fn bigrams(text: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::load;

    #[test]
    fn a_question_about_instance_norm_points_at_its_section() {
        let lib = load(None).library;
        let entry = lib.lesson("normalization").expect("built-in lesson");
        let l = &entry.lesson;
        let q = l
            .questions
            .iter()
            .find(|q| {
                q.prompt
                    .contains("インスタンス正規化 (Instance Normalization) が特によく")
            })
            .expect("question about IN's uses");
        let i = section_for(l, q).expect("a section");
        assert!(
            l.body[i].heading.contains("Instance"),
            "picked `{}`",
            l.body[i].heading
        );
    }
}
