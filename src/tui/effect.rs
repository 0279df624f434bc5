//! Work the update function asks the runtime to do: saving progress. Keeping it out of
//! `update` makes every flow testable without a database or threads.

use crate::study::records::{AnswerRecord, CardState, ExamRecord, KernelRunRecord, Timestamp};

/// One piece of work for the runtime.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// A lesson was opened (lesson id, when).
    LessonOpened(String, Timestamp),
    /// A kernel run finished.
    KernelRun(KernelRunRecord),
    /// A question was answered; save the answer and the card together.
    Answer(AnswerRecord, Option<CardState>),
    /// A mock exam was submitted, with its answers.
    Exam(ExamRecord, Vec<AnswerRecord>),
}
