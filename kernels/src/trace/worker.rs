//! Recording from a second thread: a worker records its steps into a [`WorkerSink`], and the
//! owner of the real trace [replays](super::Trace::replay) them afterwards, in order.
//!
//! Used where a kernel splits independent work across the two cores (pix2pix trains its
//! ablations beside the full model): the learner sees exactly the steps, in exactly the order,
//! of the sequential run, and cancelling the run also stops the worker at its next progress
//! report.

use super::Step;
use super::sink::{Cancelled, Progress, Sink};
use std::sync::atomic::{AtomicBool, Ordering};

/// Keeps a worker thread's steps for replay; reports `Cancelled` once `cancel` is set.
#[derive(Debug)]
pub struct WorkerSink<'c> {
    pub steps: Vec<Step>,
    cancel: &'c AtomicBool,
}

impl<'c> WorkerSink<'c> {
    /// An empty buffer watching `cancel` (set by the thread that owns the real trace).
    pub fn new(cancel: &'c AtomicBool) -> Self {
        Self {
            steps: Vec::new(),
            cancel,
        }
    }

    fn check(&self) -> Result<(), Cancelled> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

impl Sink for WorkerSink<'_> {
    fn step(&mut self, step: Step) -> Result<(), Cancelled> {
        self.check()?;
        self.steps.push(step);
        Ok(())
    }

    fn progress(&mut self, _progress: Progress) -> Result<(), Cancelled> {
        self.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{CollectSink, Trace};

    #[test]
    fn replayed_steps_follow_the_owner_s_and_cancel_stops_the_worker() {
        let cancel = AtomicBool::new(false);
        let mut worker = WorkerSink::new(&cancel);
        {
            let mut wt = Trace::new(&mut worker);
            wt.step("b", |s| {
                s.scalar("x", 2.0);
            })
            .unwrap();
            assert!(wt.progress("p", 1, 2).is_ok());
            cancel.store(true, Ordering::Relaxed);
            assert!(wt.progress("p", 2, 2).is_err());
        }
        let mut sink = CollectSink::default();
        let mut tr = Trace::new(&mut sink);
        tr.step("a", |s| {
            s.scalar("x", 1.0);
        })
        .unwrap();
        for step in worker.steps {
            tr.replay(step).unwrap();
        }
        let keys: Vec<_> = sink
            .steps
            .iter()
            .map(|s| (s.index, s.key.as_str()))
            .collect();
        assert_eq!(keys, vec![(0, "a"), (1, "b")]);
    }
}
