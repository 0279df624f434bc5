//! A kernel running on a worker thread, feeding the TUI through a channel.

use eshikaku_kernels::KernelError;
use eshikaku_kernels::kernel::KernelInfo;
use eshikaku_kernels::knobs::KnobValues;
use eshikaku_kernels::trace::Report;
use eshikaku_kernels::trace::{ChannelSink, Control, Event, Progress, Step, Trace};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

/// The state of a run as the TUI sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum RunState {
    /// Waiting in step mode for "next".
    Stepping,
    /// Running freely to the end.
    Running,
    /// Finished with a report.
    Done(Report),
    /// Stopped with an error (or cancelled).
    Failed(String),
}

/// A kernel run: the steps received so far and the channels to the worker.
pub struct KernelRun {
    pub info: &'static KernelInfo,
    pub knobs: KnobValues,
    pub steps: Vec<Step>,
    pub progress: Option<Progress>,
    pub state: RunState,
    /// Whether the finished run has been recorded in the progress.
    pub recorded: bool,
    /// Whether the worker owes an event (a step was asked for, or the run goes on freely).
    awaiting: bool,
    /// `None` for a replayed run (no worker thread).
    events: Option<Receiver<Event>>,
    control: Option<Sender<Control>>,
}

impl KernelRun {
    /// A run of `info` with `knobs`, in step mode if `stepping`, not started yet: the runtime
    /// starts its worker thread ([`KernelRun::spawn`]) when it performs `Effect::StartKernel`.
    pub fn new(info: &'static KernelInfo, knobs: KnobValues, stepping: bool) -> Self {
        Self {
            info,
            knobs,
            steps: Vec::new(),
            progress: None,
            recorded: false,
            state: if stepping {
                RunState::Stepping
            } else {
                RunState::Running
            },
            awaiting: false,
            events: None,
            control: None,
        }
    }

    /// Starts `info` with `knobs` on a new thread, in step mode if `stepping`.
    pub fn start(info: &'static KernelInfo, knobs: KnobValues, stepping: bool) -> Self {
        let mut run = Self::new(info, knobs, stepping);
        run.spawn();
        run
    }

    /// Starts the worker thread (once).
    pub fn spawn(&mut self) {
        if self.events.is_some() || self.is_finished() {
            return;
        }
        let (ev_tx, ev_rx) = mpsc::channel();
        let (ctl_tx, ctl_rx) = mpsc::channel();
        let knobs = self.knobs.clone();
        let info = self.info;
        let stepping = self.state == RunState::Stepping;
        std::thread::spawn(move || {
            crate::crash::debug_trigger("kernel");
            let mut sink = ChannelSink::new(ev_tx.clone(), ctl_rx, stepping);
            let result = info.run(&knobs, &mut Trace::new(&mut sink));
            let _ = ev_tx.send(Event::Finished(result));
        });
        self.events = Some(ev_rx);
        self.control = Some(ctl_tx);
        self.awaiting = true;
    }

    /// Whether the worker is computing and will send something soon (the runtime then polls
    /// its channel; otherwise it sleeps until a key is pressed).
    pub fn is_busy(&self) -> bool {
        self.events.is_some() && !self.is_finished() && self.awaiting
    }

    /// A finished run rebuilt from recorded steps, without a worker (for tests and for showing a
    /// recorded trace).
    pub fn replay(
        info: &'static KernelInfo,
        knobs: KnobValues,
        steps: Vec<Step>,
        result: Result<Report, KernelError>,
    ) -> Self {
        let mut run = Self {
            info,
            knobs,
            steps: Vec::new(),
            progress: None,
            state: RunState::Stepping,
            recorded: false,
            awaiting: false,
            events: None,
            control: None,
        };
        for s in steps {
            run.apply(Event::Step(s));
        }
        run.apply(Event::Finished(result));
        run
    }

    /// The next event the worker has sent, if any. If the worker vanished without finishing,
    /// the run is marked failed.
    pub fn try_event(&mut self) -> Option<Event> {
        let events = self.events.as_ref()?;
        match events.try_recv() {
            Ok(ev) => Some(ev),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                if !self.is_finished() {
                    self.state = RunState::Failed(vanished_message(crate::crash::last_crash()));
                }
                None
            }
        }
    }

    /// Applies one event to the run's state.
    pub fn apply(&mut self, ev: Event) {
        match ev {
            Event::Step(s) => {
                self.progress = None;
                self.steps.push(s);
                self.awaiting = self.state == RunState::Running;
            }
            Event::Progress(p) => self.progress = Some(p),
            Event::Finished(Ok(report)) => {
                self.progress = None;
                self.state = RunState::Done(report);
            }
            Event::Finished(Err(KernelError::Cancelled)) => {
                self.state = RunState::Failed("中止しました".into())
            }
            Event::Finished(Err(e)) => self.state = RunState::Failed(e.to_string()),
        }
    }

    /// Whether the run has ended.
    pub fn is_finished(&self) -> bool {
        matches!(self.state, RunState::Done(_) | RunState::Failed(_))
    }

    /// Sends a control message to the worker (ignored once it has finished).
    pub fn send(&mut self, c: Control) {
        if self.is_finished() {
            return;
        }
        if let Some(control) = &self.control {
            let _ = control.send(c);
        }
        match c {
            Control::Continue => self.state = RunState::Running,
            Control::Pause => self.state = RunState::Stepping,
            Control::Next | Control::Cancel => {}
        }
        self.awaiting = !matches!(c, Control::Cancel);
    }
}

impl Drop for KernelRun {
    fn drop(&mut self) {
        if let Some(control) = &self.control {
            let _ = control.send(Control::Cancel);
        }
    }
}

/// What the lab says when the worker thread ended without a result: a kernel bug (a panic), with
/// the crash file to report when one was written.
fn vanished_message(crash: Option<std::path::PathBuf>) -> String {
    let head = "カーネルが内部エラー (バグ) で停止しました";
    match crash {
        Some(path) => format!(
            "{head}。詳細: {} — 報告先は {}",
            path.display(),
            crate::crash::WHERE_TO_REPORT
        ),
        None => format!("{head}。報告先は {}", crate::crash::WHERE_TO_REPORT),
    }
}
