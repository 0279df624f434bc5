//! A3C's two roles: the global network behind a lock (the "parameter server") and the
//! workers, each with its own environments and its own local copy of the network.
//!
//! A worker's cycle (Mnih et al. 2016, Algorithm S3):
//!
//! ```text
//! θ' ← θ                                   sync the local copy (every `sync_every` cycles)
//! roll out t_max = n_steps steps with π(·|s; θ')
//! dθ ← ∇θ' L(θ')                           on the local copy, no lock held
//! θ ← θ − η · Adam(dθ)                     under the lock, on the global network
//! ```
//!
//! While a worker computes, others may update the global network, so its gradient is applied to
//! parameters a few updates newer than those it was computed at. That gap is the worker's
//! **staleness**, measured here as `version_at_apply − version_at_sync` (`version` counts
//! updates of the global network).

use super::super::actor_critic::ActorCritic;
use super::super::learner::{GradStats, Hyper, Optimizer, compute_gradients};
use super::super::vec_env::{EpisodeEnd, Rollout, VecEnv};
use crate::KernelError;
use crate::error::CancelPoint;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockWriteGuard};
use std::time::{Duration, Instant};

/// The global network, its (shared) optimiser state and how many updates it has had.
#[derive(Debug)]
pub struct Global {
    pub net: ActorCritic<f32>,
    pub opt: Optimizer,
    /// Updates applied so far.
    pub version: usize,
}

/// The lock around [`Global`], the counter of environment steps handed out, and a gate that
/// lets the monitor pause the workers while the viewer looks at a step.
#[derive(Debug)]
pub struct ParameterServer {
    global: Mutex<Global>,
    /// Environment steps reserved by workers so far (at most `total_steps`).
    steps: AtomicUsize,
    total_steps: usize,
    gate: RwLock<()>,
}

impl ParameterServer {
    pub fn new(global: Global, total_steps: usize) -> Self {
        Self {
            global: Mutex::new(global),
            steps: AtomicUsize::new(0),
            total_steps,
            gate: RwLock::new(()),
        }
    }

    /// Workers pass the gate at the start of every cycle: they wait there while it is closed.
    pub fn pass_gate(&self) {
        drop(self.gate.read().unwrap_or_else(PoisonError::into_inner));
    }

    /// Closes the gate until the guard is dropped: the monitor does this while it records a
    /// step (which, in the TUI's step mode, waits for the learner), so training does not run
    /// ahead of what is shown. Cycles already under way finish.
    pub fn pause(&self) -> RwLockWriteGuard<'_, ()> {
        self.gate.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The global network, locked. A worker that panicked while holding the lock cannot leave
    /// it half-written in a way that matters here (the run is then reported as failed anyway).
    pub fn lock(&self) -> MutexGuard<'_, Global> {
        self.global.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reserves `n` environment steps; `None` once the budget is spent. Returns the number of
    /// steps reserved before these (what the learning-rate schedule is driven by).
    pub fn reserve(&self, n: usize) -> Option<usize> {
        let before = self.steps.fetch_add(n, Ordering::Relaxed);
        (before + n <= self.total_steps).then_some(before)
    }

    /// Environment steps reserved so far, capped at the budget.
    pub fn steps_reserved(&self) -> usize {
        self.steps.load(Ordering::Relaxed).min(self.total_steps)
    }
}

/// What a worker tells the monitor after each of its updates.
#[derive(Debug, Clone)]
pub struct UpdateReport {
    pub worker: usize,
    /// Environment steps reserved before this rollout (all workers).
    pub steps_before: usize,
    /// The global version the local copy was synced at, and the version after this update.
    pub synced_version: usize,
    pub applied_version: usize,
    pub stats: GradStats,
    pub episodes: Vec<EpisodeEnd>,
    /// The first rollout of worker 0 and the local parameters it was collected with, for the
    /// trace's worked example.
    pub example: Option<Box<(Rollout, Vec<f32>)>>,
}

impl UpdateReport {
    /// Updates by other workers between this worker's sync and its update.
    pub fn staleness(&self) -> usize {
        (self.applied_version - 1).saturating_sub(self.synced_version)
    }
}

/// One worker: its environments, its local network, its own random numbers.
#[derive(Debug)]
pub struct Worker {
    pub id: usize,
    pub local: ActorCritic<f32>,
    pub envs: VecEnv,
    rng: StdRng,
    /// Updates this worker has applied.
    pub updates: usize,
    /// Environment steps this worker has taken.
    pub env_steps: usize,
    /// Episodes this worker has finished.
    pub episodes: usize,
    /// Sum of the staleness of its updates.
    pub staleness_sum: usize,
    /// Time spent waiting for the global network's lock, and holding it.
    pub lock_wait: Duration,
    pub lock_held: Duration,
    synced_version: usize,
}

/// A rollout and its gradient, computed but not yet applied.
#[derive(Debug)]
pub struct Pending {
    pub steps_before: usize,
    pub rollout: Option<Rollout>,
    pub stats: GradStats,
    pub episodes: Vec<EpisodeEnd>,
    pub grads: Vec<f32>,
}

impl Worker {
    /// Worker `id` with `n_envs` environments and a local copy of `global`, seeded from `seed`.
    pub fn new(id: usize, n_envs: usize, seed: u64, global: &mut ActorCritic<f32>) -> Self {
        let mut rng = StdRng::seed_from_u64(seed ^ (0xA3C0_0000 + id as u64));
        let envs = VecEnv::new(n_envs, &mut rng);
        Self {
            id,
            local: global.clone(),
            envs,
            rng,
            updates: 0,
            env_steps: 0,
            episodes: 0,
            staleness_sum: 0,
            lock_wait: Duration::ZERO,
            lock_held: Duration::ZERO,
            synced_version: 0,
        }
    }

    /// `θ' ← θ` every `sync_every` of this worker's updates (always before the first).
    pub fn maybe_sync(&mut self, server: &ParameterServer, sync_every: usize) {
        if self.updates.is_multiple_of(sync_every.max(1)) {
            let asked = Instant::now();
            let mut g = server.lock();
            let got = Instant::now();
            let params = g.net.params_to_vec();
            self.synced_version = g.version;
            drop(g);
            self.lock_wait += got - asked;
            self.lock_held += got.elapsed();
            self.local.set_params(&params);
        }
    }

    /// A rollout with the local network and its clipped gradient; no lock is held.
    /// `keep_going` is asked between time steps and between gradient chunks (a run with large
    /// knob values can then be cancelled part-way through a worker's cycle).
    pub fn compute(
        &mut self,
        steps_before: usize,
        hp: &Hyper,
        keep_going: &mut CancelPoint<'_>,
    ) -> Result<Pending, KernelError> {
        let mut episodes = Vec::new();
        let rollout = self.envs.rollout(
            &mut self.local,
            hp.n_steps,
            hp.gamma as f32,
            &mut self.rng,
            &mut episodes,
            keep_going,
        )?;
        let stats = compute_gradients(&mut self.local, &rollout, hp, keep_going)?;
        KernelError::check_finite(
            &format!("worker {} total loss", self.id),
            stats.terms.total,
            steps_before,
            "try a lower lr",
        )?;
        self.env_steps += rollout.actions.len();
        self.episodes += episodes.len();
        Ok(Pending {
            steps_before,
            rollout: Some(rollout),
            stats,
            episodes,
            grads: self.local.grads_to_vec(),
        })
    }

    /// Applies a computed gradient to the global network, under the lock, and reports.
    pub fn apply(&mut self, mut p: Pending, server: &ParameterServer, hp: &Hyper) -> UpdateReport {
        let example = (self.id == 0 && self.updates == 0)
            .then(|| {
                p.rollout
                    .take()
                    .map(|r| Box::new((r, self.local.params_to_vec())))
            })
            .flatten();
        let asked = Instant::now();
        let mut g = server.lock(); // other workers wait from here …
        let got = Instant::now();
        // quiz:begin a3c-apply
        let Global { net, opt, version } = &mut *g;
        net.set_grads(&p.grads);
        opt.step(net, hp.lr_at(p.steps_before));
        *version += 1;
        // quiz:end a3c-apply
        let applied_version = *version;
        drop(g); // … to here: one Adam step
        self.lock_wait += got - asked;
        self.lock_held += got.elapsed();
        self.updates += 1;
        let report = UpdateReport {
            worker: self.id,
            steps_before: p.steps_before,
            synced_version: self.synced_version,
            applied_version,
            stats: p.stats,
            episodes: p.episodes,
            example,
        };
        self.staleness_sum += report.staleness();
        report
    }

    /// Mean staleness of this worker's updates.
    pub fn mean_staleness(&self) -> f64 {
        self.staleness_sum as f64 / self.updates.max(1) as f64
    }
}
