//! Speed of one A2C update, as `rl/a2c.rs` runs it with its defaults: the 4→64→64→(2, 1) tanh
//! actor-critic on one rollout of 8 CartPole environments × 5 steps — bootstrap `V(s_T)`, n-step
//! returns, forward of the 40 states, total loss, backward, global-norm clip, an Adam step.
//!
//! `cargo bench -p eshikaku-kernels --bench a2c` — results are recorded in BENCHMARKS.md, next
//! to jitted JAX and NumPy (`tools/peers/bench.sh --compare`, which reads `a2c_update`).

use divan::Bencher;
use eshikaku_kernels::registry;
use eshikaku_kernels::rl::a2c::Config;
use eshikaku_kernels::rl::actor_critic::ActorCritic;
use eshikaku_kernels::rl::cartpole::{N_ACTIONS, OBS_DIM};
use eshikaku_kernels::rl::learner::{Optimizer, compute_gradients};
use eshikaku_kernels::rl::vec_env::VecEnv;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;

fn main() {
    divan::main();
}

/// One update (gradient and optimiser step) on a fixed rollout collected by the initial policy.
#[divan::bench]
fn a2c_update(bencher: Bencher) {
    let kernel = registry::find("a2c").expect("a2c is registered");
    let knobs = kernel.configure::<&str>(0, &[]).expect("default knobs");
    let cfg = Config::from_knobs(&knobs);
    let hp = &cfg.hp;
    let mut rng = StdRng::seed_from_u64(1);
    let mut net = ActorCritic::new(OBS_DIM, hp.hidden, N_ACTIONS, &mut rng).expect("network");
    let mut envs = VecEnv::new(cfg.n_envs, &mut rng);
    let mut ends = Vec::new();
    let never = &mut || Ok(());
    let rollout = envs
        .rollout(
            &mut net,
            hp.n_steps,
            hp.gamma as f32,
            &mut rng,
            &mut ends,
            never,
        )
        .expect("never cancelled");
    let mut opt = Optimizer::new(hp).expect("optimiser");
    bencher.bench_local(|| {
        let stats = compute_gradients(&mut net, &rollout, hp, &mut || Ok(())).expect("finite loss");
        opt.step(&mut net, hp.lr);
        stats
    });
}
