//! Which questions a session asks: a lesson's or a chapter's questions, the review queue (due
//! cards, then new ones up to a daily limit), and the mock exam's draw across the bank.

use super::records::{CardState, QuestionKey, Timestamp};
use super::schedule::is_due;
use crate::content::Library;
use crate::content::check::LessonEntry;
use crate::content::model::Question;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::collections::HashMap;

/// A question of the library, by position (lesson index, question index within the lesson).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QuestionRef {
    pub lesson: usize,
    pub question: usize,
}

impl QuestionRef {
    /// The lesson and the question, if the reference is valid for `lib`.
    pub fn get<'a>(&self, lib: &'a Library) -> Option<(&'a LessonEntry, &'a Question)> {
        let entry = lib.lessons.get(self.lesson)?;
        Some((entry, entry.lesson.questions.get(self.question)?))
    }

    /// The stable key saved in the progress store.
    pub fn key(&self, lib: &Library) -> Option<QuestionKey> {
        self.get(lib)
            .map(|(e, q)| QuestionKey::new(&e.lesson.id, &q.id))
    }
}

/// Which part of the bank to practise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Lesson(String),
    Chapter(String),
}

/// Every question in `scope`, in teaching order. Errors name the unknown id and the valid ones.
pub fn in_scope(lib: &Library, scope: &Scope) -> Result<Vec<QuestionRef>, String> {
    match scope {
        Scope::Lesson(id) if lib.lesson(id).is_none() => {
            return Err(format!(
                "no lesson `{id}`; lessons: {}",
                lib.lessons
                    .iter()
                    .map(|l| l.lesson.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Scope::Chapter(id) if !lib.chapters.iter().any(|c| &c.id == id) => {
            return Err(format!(
                "no chapter `{id}`; chapters: {}",
                lib.chapters
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        _ => {}
    }
    let wanted = |e: &LessonEntry| match scope {
        Scope::All => true,
        Scope::Lesson(id) => &e.lesson.id == id,
        Scope::Chapter(id) => &e.lesson.chapter == id,
    };
    Ok(lib
        .lessons
        .iter()
        .enumerate()
        .filter(|(_, e)| wanted(e))
        .flat_map(|(li, e)| {
            (0..e.lesson.questions.len()).map(move |qi| QuestionRef {
                lesson: li,
                question: qi,
            })
        })
        .collect())
}

/// The review queue among `candidates`: due cards first (most overdue first), then questions
/// never answered, in teaching order, up to `new_left` of them.
pub fn review_queue(
    lib: &Library,
    candidates: &[QuestionRef],
    cards: &HashMap<QuestionKey, CardState>,
    now: Timestamp,
    new_left: usize,
) -> Vec<QuestionRef> {
    let mut due: Vec<(Timestamp, QuestionRef)> = Vec::new();
    let mut new = Vec::new();
    for r in candidates {
        let Some(key) = r.key(lib) else { continue };
        match cards.get(&key) {
            Some(card) if is_due(card, now) => due.push((card.due, *r)),
            Some(_) => {}
            None => new.push(*r),
        }
    }
    due.sort();
    due.into_iter()
        .map(|(_, r)| r)
        .chain(new.into_iter().take(new_left))
        .collect()
}

/// `n` questions for a mock exam: each lesson gets a share of `n` in proportion to its number of
/// questions (largest remainder), so no lesson is over-represented; the questions within a
/// lesson are drawn at random, and the whole exam is shuffled.
pub fn exam_draw(lib: &Library, n: usize, rng: &mut StdRng) -> Vec<QuestionRef> {
    let sizes: Vec<usize> = lib
        .lessons
        .iter()
        .map(|e| e.lesson.questions.len())
        .collect();
    let quota = proportional(&sizes, n);
    let mut out = Vec::new();
    for (li, &k) in quota.iter().enumerate() {
        let mut qs: Vec<usize> = (0..sizes[li]).collect();
        qs.shuffle(rng);
        out.extend(qs.into_iter().take(k).map(|qi| QuestionRef {
            lesson: li,
            question: qi,
        }));
    }
    out.shuffle(rng);
    out
}

/// Splits `n` (at most the sum of `sizes`) into parts proportional to `sizes` by the largest
/// remainder method; no part exceeds its size.
pub fn proportional(sizes: &[usize], n: usize) -> Vec<usize> {
    let total: usize = sizes.iter().sum();
    let n = n.min(total);
    if total == 0 {
        return vec![0; sizes.len()];
    }
    let mut parts: Vec<usize> = sizes.iter().map(|&s| s * n / total).collect();
    let mut rest: Vec<(usize, usize)> = sizes
        .iter()
        .enumerate()
        .map(|(i, &s)| (s * n % total, i))
        .collect();
    // Largest remainder first; ties to the larger lesson, then the earlier one.
    rest.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(sizes[b.1].cmp(&sizes[a.1]))
            .then(a.1.cmp(&b.1))
    });
    let mut left = n - parts.iter().sum::<usize>();
    for (_, i) in rest {
        if left == 0 {
            break;
        }
        if parts[i] < sizes[i] {
            parts[i] += 1;
            left -= 1;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proportional_parts_sum_to_n_and_follow_the_sizes() {
        let sizes = [6, 8, 7, 7, 7, 8, 8, 7, 7, 8, 8, 7, 7, 5, 8];
        for n in [0, 1, 5, 10, 50, 100, 108, 500] {
            let p = proportional(&sizes, n);
            let total: usize = sizes.iter().sum();
            assert_eq!(p.iter().sum::<usize>(), n.min(total), "n = {n}");
            for (i, (&k, &s)) in p.iter().zip(&sizes).enumerate() {
                assert!(k <= s);
                let exact = s as f64 * n.min(total) as f64 / total as f64;
                assert!(
                    (k as f64 - exact).abs() < 1.0,
                    "lesson {i}: {k} vs {exact} (n = {n})"
                );
            }
        }
    }
}
