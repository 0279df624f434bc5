//! CartPole-v1 with Gymnasium's exact dynamics (Barto, Sutton & Anderson 1983).
//!
//! A pole is hinged on a cart that moves along a frictionless track. Each step the agent pushes
//! the cart left (action 0) or right (action 1) with a force of ±10 N, and receives reward 1.
//! The episode **terminates** when the pole leans more than 12° or the cart leaves the track
//! (|x| > 2.4 m), and is **truncated** after 500 steps. The difference matters for learning:
//! a terminated episode has no future (the return after it is 0), a truncated one was merely cut
//! off, so an agent should still bootstrap from `V(s)` there.
//!
//! The equations of motion of Barto et al. (1983) without friction (derived in Florian 2007),
//! as Gymnasium writes them, with `F` the force, `m` the pole mass, `M = m_c + m` the total mass, `l` the half-length:
//!
//! ```text
//! temp = (F + m l θ̇² sin θ) / M
//! θ̈    = (g sin θ − cos θ · temp) / (l (4/3 − m cos²θ / M))
//! ẍ    = temp − m l θ̈ cos θ / M
//! ```
//!
//! integrated by explicit Euler with `τ = 0.02 s` (each update uses the *old* velocities:
//! `x ← x + τ ẋ`, `ẋ ← ẋ + τ ẍ`, `θ ← θ + τ θ̇`, `θ̇ ← θ̇ + τ θ̈`). The state is kept in `f64`
//! and every product is evaluated in Gymnasium's order, so trajectories agree with it to the
//! last bit; the observation handed to the agent is the state rounded to `f32`, as Gymnasium's.
//!
//! # Shapes
//! - state `[x, ẋ, θ, θ̇]` (`f64`); observation the same four numbers as `f32`
//! - action `0` (push left) or `1` (push right)

use ndarray_rand::rand::Rng;

/// Gravity `g` (m/s²).
pub const GRAVITY: f64 = 9.8;
/// Cart mass `m_c` (kg).
pub const MASS_CART: f64 = 1.0;
/// Pole mass `m` (kg).
pub const MASS_POLE: f64 = 0.1;
/// Total mass `M = m + m_c`.
pub const TOTAL_MASS: f64 = MASS_POLE + MASS_CART;
/// Half the pole's length `l` (m).
pub const HALF_LENGTH: f64 = 0.5;
/// `m · l`.
pub const POLEMASS_LENGTH: f64 = MASS_POLE * HALF_LENGTH;
/// Magnitude of the push `|F|` (N).
pub const FORCE_MAG: f64 = 10.0;
/// Time step `τ` (s).
pub const TAU: f64 = 0.02;
/// Termination angle: 12° in radians, computed as Gymnasium does (`12 · 2π / 360`).
pub const THETA_THRESHOLD: f64 = 12.0 * 2.0 * std::f64::consts::PI / 360.0;
/// Termination position: the track is `[−2.4, 2.4]` m.
pub const X_THRESHOLD: f64 = 2.4;
/// CartPole-v1's time limit: episodes are truncated after this many steps.
pub const MAX_EPISODE_STEPS: usize = 500;
/// Number of observation features.
pub const OBS_DIM: usize = 4;
/// Number of actions.
pub const N_ACTIONS: usize = 2;

/// What one step returns (Gymnasium's `obs, reward, terminated, truncated`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transition {
    /// The new observation.
    pub obs: [f32; OBS_DIM],
    /// 1 for every step, including the one that terminates the episode.
    pub reward: f32,
    /// The pole fell or the cart left the track: there is no future after this step.
    pub terminated: bool,
    /// The 500-step limit was reached: the episode was cut off, not ended by the task.
    pub truncated: bool,
}

impl Transition {
    /// Whether the episode is over for either reason (the environment must be reset).
    pub fn done(&self) -> bool {
        self.terminated || self.truncated
    }
}

/// One CartPole-v1 environment.
#[derive(Debug, Clone, PartialEq)]
pub struct CartPole {
    /// `[x, ẋ, θ, θ̇]` in metres, m/s, radians, rad/s.
    pub state: [f64; OBS_DIM],
    /// Steps taken since the last reset (for the 500-step limit).
    pub elapsed_steps: usize,
}

impl CartPole {
    /// An environment in the given state (e.g. a golden test's start state).
    pub fn from_state(state: [f64; OBS_DIM]) -> Self {
        Self {
            state,
            elapsed_steps: 0,
        }
    }

    /// An environment reset from `rng`.
    pub fn new<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut env = Self::from_state([0.0; OBS_DIM]);
        env.reset(rng);
        env
    }

    /// Starts a new episode: every state variable drawn from `U(−0.05, 0.05)`.
    pub fn reset<R: Rng + ?Sized>(&mut self, rng: &mut R) -> [f32; OBS_DIM] {
        for v in &mut self.state {
            *v = rng.random_range(-0.05..0.05);
        }
        self.elapsed_steps = 0;
        self.observation()
    }

    /// The state as the agent sees it (`f32`).
    pub fn observation(&self) -> [f32; OBS_DIM] {
        self.state.map(|v| v as f32)
    }

    /// Pushes the cart left (`action == 0`) or right (`action == 1`) for `τ` seconds.
    ///
    /// Any action other than 1 pushes left, as Gymnasium's `force = F if action == 1 else −F`
    /// (Gymnasium also asserts the action is 0 or 1; the agents here only produce those).
    pub fn step(&mut self, action: usize) -> Transition {
        let [x, x_dot, theta, theta_dot] = self.state;
        let force = if action == 1 { FORCE_MAG } else { -FORCE_MAG };
        let (sintheta, costheta) = (theta.sin(), theta.cos());
        // Same operation order as Gymnasium, so the f64 results are bit for bit the same.
        let temp = (force + POLEMASS_LENGTH * (theta_dot * theta_dot) * sintheta) / TOTAL_MASS;
        let thetaacc = (GRAVITY * sintheta - costheta * temp)
            / (HALF_LENGTH * (4.0 / 3.0 - MASS_POLE * (costheta * costheta) / TOTAL_MASS));
        let xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / TOTAL_MASS;
        // Explicit Euler: positions move with the old velocities.
        self.state = [
            x + TAU * x_dot,
            x_dot + TAU * xacc,
            theta + TAU * theta_dot,
            theta_dot + TAU * thetaacc,
        ];
        self.elapsed_steps += 1;
        let [x, _, theta, _] = self.state;
        let terminated = !(-X_THRESHOLD..=X_THRESHOLD).contains(&x)
            || !(-THETA_THRESHOLD..=THETA_THRESHOLD).contains(&theta);
        Transition {
            obs: self.observation(),
            reward: 1.0,
            terminated,
            truncated: self.elapsed_steps >= MAX_EPISODE_STEPS,
        }
    }

    /// `[x, θ]`, what the viewer draws for one frame.
    pub fn frame(&self) -> [f32; 2] {
        [self.state[0] as f32, self.state[2] as f32]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray_rand::rand::SeedableRng;
    use ndarray_rand::rand::rngs::StdRng;

    #[test]
    fn reset_draws_small_states_and_restarts_the_clock() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut env = CartPole::new(&mut rng);
        env.step(1);
        assert_eq!(env.elapsed_steps, 1);
        let obs = env.reset(&mut rng);
        assert_eq!(env.elapsed_steps, 0);
        assert!(obs.iter().all(|v| v.abs() < 0.05), "{obs:?}");
        assert!(env.state.iter().any(|v| *v != 0.0));
    }

    #[test]
    fn upright_pole_at_rest_only_moves_with_the_push() {
        let mut env = CartPole::from_state([0.0; 4]);
        let t = env.step(1);
        // θ = 0: temp = F/M, θ̈ = −temp/(l(4/3 − m/M)) < 0, ẍ > 0; positions unchanged (Euler).
        assert_eq!(t.obs[0], 0.0);
        assert_eq!(t.obs[2], 0.0);
        assert!(t.obs[1] > 0.0 && t.obs[3] < 0.0, "{t:?}");
        assert!(!t.done());
    }
}
