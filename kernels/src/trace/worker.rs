//! Recording from a second thread: a worker records its steps into a [`WorkerSink`], and the
//! owner of the real trace [replays](super::Trace::replay) them afterwards, in order.
//!
//! Used where a kernel splits independent work across the two cores (pix2pix trains its
//! ablations beside the full model, maml its baselines beside the main method): the learner
//! sees exactly the steps, in exactly the order, of the sequential run. Owner and worker share a
//! [`Handoff`]: cancelling the run stops the worker at its next progress report, and while the
//! owner waits for the worker ([`Handoff::wait`]) it relays the worker's progress — so the
//! learner sees the run move and can still cancel it.

use super::sink::{Cancelled, Progress, Sink};
use super::{Step, Trace};
use crate::KernelError;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often the owner relays the worker's progress while it waits.
pub const POLL: Duration = Duration::from_millis(10);

/// What the owner of the real trace and one worker thread share.
#[derive(Debug, Default)]
pub struct Handoff {
    cancel: AtomicBool,
    latest: Mutex<Option<Progress>>,
}

impl Handoff {
    /// The worker's sink.
    pub fn sink(&self) -> WorkerSink<'_> {
        WorkerSink {
            steps: Vec::new(),
            handoff: self,
        }
    }

    /// Stops the worker at its next step or progress report (the owner's run failed or was
    /// cancelled).
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The owner's side once its own work is done: until `finished()`, relays the worker's
    /// latest progress to `tr` every [`POLL`] — a cancel point; if the run is cancelled there,
    /// the worker is told to stop too and the error is returned.
    pub fn wait(&self, tr: &mut Trace, finished: impl Fn() -> bool) -> Result<(), KernelError> {
        while !finished() {
            let latest = self.latest.lock().ok().and_then(|p| p.clone());
            let p = latest.unwrap_or(Progress {
                label: String::new(),
                done: 0,
                total: 1,
            });
            if let Err(e) = tr.progress(&p.label, p.done, p.total) {
                self.cancel();
                return Err(e);
            }
            std::thread::sleep(POLL);
        }
        Ok(())
    }
}

/// Keeps a worker thread's steps for replay and its latest progress for the owner; reports
/// `Cancelled` once the owner cancels.
#[derive(Debug)]
pub struct WorkerSink<'h> {
    pub steps: Vec<Step>,
    handoff: &'h Handoff,
}

impl WorkerSink<'_> {
    fn check(&self) -> Result<(), Cancelled> {
        if self.handoff.cancel.load(Ordering::Relaxed) {
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

    fn progress(&mut self, progress: Progress) -> Result<(), Cancelled> {
        if let Ok(mut latest) = self.handoff.latest.lock() {
            *latest = Some(progress);
        }
        self.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{CollectSink, Trace};

    #[test]
    fn replayed_steps_follow_the_owner_s_and_cancel_stops_the_worker() {
        let handoff = Handoff::default();
        let mut worker = handoff.sink();
        {
            let mut wt = Trace::new(&mut worker);
            wt.step("b", |s| {
                s.scalar("x", 2.0);
            })
            .unwrap();
            assert!(wt.progress("p", 1, 2).is_ok());
            handoff.cancel();
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

#[cfg(test)]
mod wait_tests {
    use super::*;
    use crate::trace::CollectSink;
    use std::sync::atomic::AtomicUsize;

    /// A sink that cancels at its `n`-th progress report and counts them.
    struct CancelAt(usize, Vec<Progress>);

    impl Sink for CancelAt {
        fn step(&mut self, _: Step) -> Result<(), Cancelled> {
            Ok(())
        }
        fn progress(&mut self, p: Progress) -> Result<(), Cancelled> {
            self.1.push(p);
            if self.1.len() >= self.0 {
                Err(Cancelled)
            } else {
                Ok(())
            }
        }
    }

    #[test]
    fn waiting_relays_the_worker_s_progress_and_a_cancel_reaches_the_worker() {
        let handoff = Handoff::default();
        {
            let mut ws = handoff.sink();
            let mut wt = Trace::new(&mut ws);
            wt.progress("worker", 3, 10).unwrap();
        }
        let mut sink = CancelAt(2, Vec::new());
        let polls = AtomicUsize::new(0);
        let out = handoff.wait(&mut Trace::new(&mut sink), || {
            polls.fetch_add(1, Ordering::Relaxed) > 100
        });
        assert!(matches!(out, Err(KernelError::Cancelled)), "{out:?}");
        assert_eq!(sink.1[0].label, "worker");
        assert_eq!((sink.1[0].done, sink.1[0].total), (3, 10));
        let mut ws = handoff.sink();
        assert!(
            ws.progress(sink.1[0].clone()).is_err(),
            "the worker is told to stop"
        );
        // A finished worker: no wait, no report.
        let fresh = Handoff::default();
        let mut quiet = CollectSink::default();
        assert!(fresh.wait(&mut Trace::new(&mut quiet), || true).is_ok());
        assert!(quiet.steps.is_empty());
    }
}
