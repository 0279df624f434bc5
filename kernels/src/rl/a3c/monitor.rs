//! The monitor: the only code that writes A3C's trace.
//!
//! Workers never touch the trace (it belongs to the thread that runs the kernel). They send an
//! [`UpdateReport`] after each update; the monitor, on the kernel's own thread, turns the stream
//! of reports into steps — the first worked example, the first asynchronous updates, the
//! learning curve with greedy checks of the global network — and reports progress, which is
//! where a cancelled run is noticed. In deterministic mode the same reports arrive in a fixed
//! order from the single thread; with real threads in whatever order the workers finish.

use super::worker::{ParameterServer, UpdateReport};
use crate::KernelError;
use crate::rl::learner::Hyper;
use crate::rl::steps::{self, TrainingLog};
use crate::trace::{Table, Trace};

/// How many updates the `async_updates` step lists.
const SHOWN_UPDATES: usize = 12;

/// Turns update reports into trace steps; see the module documentation.
#[derive(Debug)]
pub struct Monitor {
    pub log: TrainingLog,
    next_check: usize,
    first_updates: Vec<Vec<String>>,
    shown_updates: bool,
    progress_every: usize,
    reports: usize,
}

impl Monitor {
    pub fn new(hp: &Hyper, workers: usize) -> Self {
        Self {
            log: TrainingLog::default(),
            next_check: hp.eval_every,
            first_updates: Vec::new(),
            shown_updates: false,
            progress_every: 16 * workers.max(1),
            reports: 0,
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
            let mut local = server.lock().net.clone();
            local.set_params(params);
            steps::rollout(tr, &mut local, rollout, hp)?;
            steps::loss(tr, &r.stats, hp)?;
        }
        if self.first_updates.len() < SHOWN_UPDATES {
            self.first_updates.push(vec![
                r.applied_version.to_string(),
                format!("ワーカー {}", r.worker),
                r.synced_version.to_string(),
                r.staleness().to_string(),
                format!("{:.3}", r.stats.terms.total),
            ]);
        }
        if !self.shown_updates && self.first_updates.len() == SHOWN_UPDATES {
            self.show_updates(tr)?;
        }
        let done = server.steps_reserved();
        if done >= self.next_check {
            self.check(tr, server, done, hp)?;
        }
        if self.reports.is_multiple_of(self.progress_every) {
            tr.progress("学習 (環境ステップ, 全ワーカー)", done, hp.total_steps)?;
        }
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
        // Evaluate a snapshot, so the workers are not held up while the checks play.
        let mut snapshot = server.lock().net.clone();
        self.log
            .record(tr, &mut snapshot, done, hp.lr_at(done), hp)?;
        while self.next_check <= done {
            self.next_check += hp.eval_every;
        }
        Ok(())
    }

    fn show_updates(&mut self, tr: &mut Trace) -> Result<(), KernelError> {
        self.shown_updates = true;
        let rows = std::mem::take(&mut self.first_updates);
        tr.step("async_updates", |s| {
            s.text(
                "グローバルネットワークへの最初の更新。各ワーカーは自分のタイミングで勾配を送り、\
                 同期した時点からの間に他のワーカーが行った更新の数だけ古い (stale) パラメータで計算した勾配が適用される。",
            );
            s.table(Table {
                name: "更新の順序 (version = グローバルの更新回数)".into(),
                columns: ["version", "ワーカー", "同期した version", "staleness", "L"]
                    .map(String::from)
                    .into(),
                rows,
            });
        })
    }
}
