// TEMPORARY STUB — replaced by the store branch's stats.rs at merge. Not committed.
use super::records::*;
use super::schedule::Scheduler;
use crate::content::Library;

#[derive(Debug, Clone, Default)]
pub struct StoreData {
    pub cards: Vec<CardState>,
    pub answers: Vec<AnswerRecord>,
    pub exams: Vec<ExamRecord>,
    pub lessons_opened: Vec<(String, Timestamp)>,
    pub kernel_runs: Vec<KernelRunRecord>,
}
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LessonStats {
    pub id: String,
    pub read: bool,
    pub kernel_passed: Option<bool>,
    pub mastery: f64,
    pub seen: usize,
    pub questions: usize,
    pub accuracy: Option<f64>,
}
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    pub due_today: usize,
    pub new_count: usize,
    pub lessons: Vec<LessonStats>,
}
pub fn compute(lib: &Library, data: &StoreData, sched: &Scheduler, now: Timestamp) -> Stats {
    let _ = (sched, now);
    Stats {
        due_today: data
            .cards
            .iter()
            .filter(|c| super::schedule::is_due(c, now))
            .count(),
        new_count: 0,
        lessons: lib
            .lessons
            .iter()
            .map(|l| LessonStats {
                id: l.lesson.id.clone(),
                read: data.lessons_opened.iter().any(|(i, _)| i == &l.lesson.id),
                questions: l.lesson.questions.len(),
                ..Default::default()
            })
            .collect(),
    }
}
impl StoreData {
    pub fn load(store: &super::store::Store) -> Result<StoreData, super::store::StoreError> {
        Ok(StoreData {
            cards: store.cards()?,
            answers: store.answers()?,
            exams: store.exams()?,
            lessons_opened: store.lessons_opened()?,
            kernel_runs: store.kernel_runs()?,
        })
    }
}
