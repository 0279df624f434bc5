//! A sink that sends steps to another thread (the TUI) and, in step mode, waits for "next".

use super::sink::{Cancelled, Progress, Sink};
use super::{Report, Step};
use crate::KernelError;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};

/// What the kernel thread tells the viewer.
#[derive(Debug)]
pub enum Event {
    /// A step was recorded.
    Step(Step),
    /// Progress through a long loop (sent at most once per whole percent).
    Progress(Progress),
    /// The run ended (sent by whoever runs the kernel, after `run` returns).
    Finished(Result<Report, KernelError>),
}

/// What the viewer tells the kernel thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Release one step (step mode).
    Next,
    /// Leave step mode and run to the end.
    Continue,
    /// Return to step mode at the next step.
    Pause,
    /// Stop the run as soon as possible.
    Cancel,
}

/// Sends every step over a channel; in step mode blocks after each step until [`Control::Next`].
///
/// If the viewer hangs up (drops either channel end), the kernel is cancelled.
pub struct ChannelSink {
    events: Sender<Event>,
    control: Receiver<Control>,
    stepping: bool,
    credits: usize,
    last_percent: Option<usize>,
}

impl ChannelSink {
    /// `stepping` starts the run in step mode.
    pub fn new(events: Sender<Event>, control: Receiver<Control>, stepping: bool) -> Self {
        Self {
            events,
            control,
            stepping,
            credits: 0,
            last_percent: None,
        }
    }

    /// Applies every control message already waiting, without blocking.
    fn drain(&mut self) -> Result<(), Cancelled> {
        loop {
            match self.control.try_recv() {
                Ok(c) => self.apply(c)?,
                Err(TryRecvError::Empty) => return Ok(()),
                Err(TryRecvError::Disconnected) => return Err(Cancelled),
            }
        }
    }

    fn apply(&mut self, c: Control) -> Result<(), Cancelled> {
        match c {
            Control::Next => self.credits += 1,
            Control::Continue => self.stepping = false,
            Control::Pause => self.stepping = true,
            Control::Cancel => return Err(Cancelled),
        }
        Ok(())
    }
}

impl Sink for ChannelSink {
    fn step(&mut self, step: Step) -> Result<(), Cancelled> {
        self.events.send(Event::Step(step)).map_err(|_| Cancelled)?;
        self.drain()?;
        while self.stepping && self.credits == 0 {
            let c = self.control.recv().map_err(|_| Cancelled)?;
            self.apply(c)?;
        }
        self.credits = self.credits.saturating_sub(1);
        if !self.stepping {
            self.credits = 0;
        }
        Ok(())
    }

    fn progress(&mut self, progress: Progress) -> Result<(), Cancelled> {
        self.drain()?;
        let percent = progress.percent();
        if self.last_percent != Some(percent) {
            self.last_percent = Some(percent);
            self.events
                .send(Event::Progress(progress))
                .map_err(|_| Cancelled)?;
        }
        Ok(())
    }
}
