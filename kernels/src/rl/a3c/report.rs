//! A3C's reporting: the monitor, the only code that writes A3C's trace.
//!
//! Workers never touch the trace (it belongs to the thread that runs the kernel). They send an
//! [`UpdateReport`] after each update; the monitor, on the kernel's own thread, turns the stream
//! of reports into steps — the first worked example, the first asynchronous updates, the
//! learning curve with greedy checks of the global network — and reports progress, which is
//! where a cancelled run is noticed. In deterministic mode the same reports arrive in a fixed
//! order from the single thread; with real threads in whatever order the workers finish.
//!
//! While it records a step or plays a greedy check, the monitor closes the server's gate
//! ([`ParameterServer::pause`]): the workers stop at the start of their next cycle. In the TUI's
//! step mode a step waits for the learner to press "next", and without the gate the workers
//! would finish training in the meantime, so the curve would no longer show the learning.

use super::worker::{ParameterServer, UpdateReport};
use crate::KernelError;
use crate::rl::actor_critic::ActorCritic;
use crate::rl::learner::Hyper;
use crate::rl::report::{self, TrainingLog};
use crate::trace::{Cell, Table, Trace};
use std::time::{Duration, Instant};

/// What the progress of training is called (the monitor and the cancel points report it).
pub const PROGRESS_LABEL: &str = "学習 (環境ステップ, 全ワーカー)";

/// How many updates the `async_updates` step lists.
const SHOWN_UPDATES: usize = 12;

/// Turns update reports into trace steps; see the module documentation.
#[derive(Debug)]
pub struct Monitor {
    pub log: TrainingLog,
    next_check: usize,
    first_updates: Vec<[Cell; 5]>,
    shown_updates: bool,
    reports: usize,
    /// Time the workers were held at the gate (excluded from the measured training speed).
    pub paused: Duration,
    /// The global network at the latest of the best greedy checks: what the kernel evaluates.
    pub best: Option<Checkpoint>,
}

/// A copy of the global network taken at a greedy check.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// Environment steps done when it was taken.
    pub step: usize,
    /// Its greedy check's mean return (over [`crate::rl::report::CHECK_EPISODES`] episodes).
    pub check_return: f64,
    pub net: ActorCritic<f32>,
}

impl Monitor {
    pub fn new(hp: &Hyper) -> Self {
        Self {
            log: TrainingLog::default(),
            next_check: hp.eval_every,
            first_updates: Vec::new(),
            shown_updates: false,
            reports: 0,
            paused: Duration::ZERO,
            best: None,
        }
    }

    /// Handles one report: example steps, the first-updates table, checks and progress.
    pub fn handle(
        &mut self,
        r: UpdateReport,
        tr: &mut Trace,
        server: &ParameterServer,
        hp: &Hyper,
    ) -> Result<(), KernelError> {
        self.reports += 1;
        self.log.episodes(&r.episodes);
        self.log.update(&r.stats);
        if let Some(example) = &r.example {
            let (rollout, params) = &**example;
            self.paused(server, |_| {
                let mut local = server.lock().net.clone();
                local.set_params(params);
                report::rollout(tr, &mut local, rollout, hp)?;
                report::loss(tr, &r.stats, hp)
            })?;
        }
        if self.first_updates.len() < SHOWN_UPDATES {
            self.first_updates.push([
                Cell::from(r.applied_version),
                format!("ワーカー {}", r.worker).into(),
                r.synced_version.into(),
                r.staleness().into(),
                r.stats.terms.total.into(),
            ]);
        }
        if !self.shown_updates && self.first_updates.len() == SHOWN_UPDATES {
            self.paused(server, |m| m.show_updates(tr))?;
        }
        let done = server.steps_reserved();
        if done >= self.next_check {
            self.check(tr, server, done, hp)?;
        }
        tr.progress(PROGRESS_LABEL, done, hp.total_steps)?;
        Ok(())
    }

    /// Called when every worker has stopped: the last check and, if fewer updates happened
    /// than the table holds, the table.
    pub fn finish(
        &mut self,
        tr: &mut Trace,
        server: &ParameterServer,
        hp: &Hyper,
    ) -> Result<(), KernelError> {
        if !self.shown_updates {
            self.show_updates(tr)?;
        }
        let done = server.steps_reserved();
        if self.log.checks.last().is_none_or(|&(s, _)| s < done) {
            self.check(tr, server, done, hp)?;
        }
        Ok(())
    }

    fn check(
        &mut self,
        tr: &mut Trace,
        server: &ParameterServer,
        done: usize,
        hp: &Hyper,
    ) -> Result<(), KernelError> {
        // The workers wait while the check plays and the step is shown; the check runs on a
        // snapshot, so the global network's lock is not held meanwhile.
        self.paused(server, |m| {
            let mut snapshot = server.lock().net.clone();
            m.log.record(tr, &mut snapshot, done, hp.lr_at(done), hp)?;
            let mean = m.log.checks.last().map_or(f64::NEG_INFINITY, |&(_, r)| r);
            // the latest of the best checks: ties go to the later (longer-trained) network
            if m.best.as_ref().is_none_or(|b| mean >= b.check_return) {
                m.best = Some(Checkpoint {
                    step: done,
                    check_return: mean,
                    net: snapshot,
                });
            }
            Ok::<(), KernelError>(())
        })?;
        while self.next_check <= done {
            self.next_check += hp.eval_every;
        }
        Ok(())
    }

    /// Runs `f` with the gate closed, adding the time to [`Self::paused`].
    fn paused<T>(&mut self, server: &ParameterServer, f: impl FnOnce(&mut Self) -> T) -> T {
        let _gate = server.pause();
        let start = Instant::now();
        let out = f(self);
        self.paused += start.elapsed();
        out
    }

    fn show_updates(&mut self, tr: &mut Trace) -> Result<(), KernelError> {
        self.shown_updates = true;
        let rows = std::mem::take(&mut self.first_updates);
        tr.step("async_updates", |s| {
            let columns = ["version", "ワーカー", "同期した version", "staleness", "L"];
            s.table(
                Table::new("更新の順序 (version = グローバルの更新回数)", columns)
                    .rows(rows, |r| r),
            );
        })
    }
}
