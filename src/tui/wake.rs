//! When the runtime must wake up by itself: never while idle, once a second while an exam's
//! countdown runs, often while a kernel computes or an animation is on screen.

use super::app::{App, Screen};
use super::runner::RunState;
use eshikaku_kernels::trace::Value;
use std::time::Duration;

/// How often a running kernel's channel is polled.
const KERNEL_POLL: Duration = Duration::from_millis(30);
/// One animation frame (25 a second).
pub const FRAME: Duration = Duration::from_millis(40);

/// How long the runtime may sleep waiting for input; `None` = until input arrives.
pub fn interval(app: &App) -> Option<Duration> {
    let mut wake: Option<Duration> = None;
    let mut sooner = |d: Duration| wake = Some(wake.map_or(d, |w| w.min(d)));
    if let Some(exam) = app.exam.as_ref().and_then(|st| st.exam.as_ref())
        && !exam.is_submitted()
    {
        // Wake at the next whole second of the countdown.
        let ms = exam.remaining_ms(app.now).rem_euclid(1000).max(1);
        sooner(Duration::from_millis(u64::try_from(ms).unwrap_or(1000)));
    }
    if let Some(run) = &app.run {
        if run.is_busy() || run.state == RunState::Running {
            sooner(KERNEL_POLL);
        }
        if app.screen == Screen::Kernel && animating(app) {
            sooner(FRAME);
        }
    }
    wake
}

/// The animation frame number `elapsed` after start.
pub fn frame(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_millis() / FRAME.as_millis()).unwrap_or(u64::MAX)
}

/// Whether the shown step holds an animation (a cart-pole episode).
fn animating(app: &App) -> bool {
    let Some(run) = &app.run else { return false };
    app.shown_step()
        .and_then(|i| run.steps.get(i))
        .is_some_and(|s| s.values.iter().any(|v| matches!(v, Value::CartPole(_))))
}
