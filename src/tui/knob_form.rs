//! The knob form of the kernel lab (`e`): every knob of the kernel with its value as text,
//! edited in place and validated as typed; Enter starts a run with those values.

use eshikaku_kernels::kernel::KernelInfo;
use eshikaku_kernels::knobs::{KnobKind, KnobSpec, KnobValues};

/// One row of the form.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub spec: KnobSpec,
    pub text: String,
    /// Why `text` is not a valid value, in Japanese.
    pub error: Option<String>,
}

/// The form: the seed (row 0) and one row per knob.
#[derive(Debug, Clone)]
pub struct KnobForm {
    pub kernel: &'static KernelInfo,
    pub seed: String,
    pub seed_error: Option<String>,
    pub fields: Vec<Field>,
    /// 0 = the seed, `i + 1` = `fields[i]`.
    pub cursor: usize,
}

/// What the form's keys do.
#[derive(Debug, Clone, PartialEq)]
pub enum FormMsg {
    Input(char),
    Backspace,
    Up,
    Down,
    /// Cycle a choice or flag knob (`←` / `→`).
    Cycle(bool),
    /// A new random seed.
    NewSeed,
    /// Reset the field under the cursor to its default.
    Reset,
    Submit,
    Close,
}

impl KnobForm {
    /// The form filled with `values` (the last run's, or the defaults).
    pub fn new(kernel: &'static KernelInfo, values: &KnobValues) -> Self {
        let fields = kernel
            .knobs
            .iter()
            .map(|spec| {
                let v = values
                    .iter()
                    .find(|(n, _)| *n == spec.name)
                    .map_or(spec.default_value(), |(_, v)| v);
                Field {
                    spec: *spec,
                    text: v.to_string(),
                    error: None,
                }
            })
            .collect();
        Self {
            kernel,
            seed: values.seed.to_string(),
            seed_error: None,
            fields,
            cursor: 0,
        }
    }

    /// Applies a key; returns the values to run with on a valid submit.
    pub fn update(&mut self, msg: FormMsg, now_ms: i64) -> Option<KnobValues> {
        let rows = self.fields.len() + 1;
        match msg {
            FormMsg::Up => self.cursor = self.cursor.checked_sub(1).unwrap_or(rows - 1),
            FormMsg::Down => self.cursor = (self.cursor + 1) % rows,
            FormMsg::Input(c) => self.text_mut().push(c),
            FormMsg::Backspace => {
                self.text_mut().pop();
            }
            FormMsg::Cycle(forward) => self.cycle(forward),
            FormMsg::NewSeed => self.seed = new_seed(now_ms).to_string(),
            FormMsg::Reset => {
                let default = match self.cursor.checked_sub(1) {
                    Some(i) => self.fields[i].spec.default_value().to_string(),
                    None => "0".to_string(),
                };
                *self.text_mut() = default;
            }
            FormMsg::Submit => {
                self.validate();
                return self.values();
            }
            FormMsg::Close => {}
        }
        self.validate();
        None
    }

    fn text_mut(&mut self) -> &mut String {
        match self.cursor.checked_sub(1) {
            Some(i) => &mut self.fields[i].text,
            None => &mut self.seed,
        }
    }

    /// The next (or previous) option of a choice or flag knob.
    fn cycle(&mut self, forward: bool) {
        let Some(f) = self
            .cursor
            .checked_sub(1)
            .and_then(|i| self.fields.get_mut(i))
        else {
            return;
        };
        let options: Vec<&str> = match f.spec.kind {
            KnobKind::Bool { .. } => vec!["false", "true"],
            KnobKind::Choice { options, .. } => options.to_vec(),
            _ => return,
        };
        let at = options
            .iter()
            .position(|o| *o == f.text.trim())
            .unwrap_or(0);
        let n = options.len();
        let next = if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        };
        f.text = options[next].to_string();
    }

    /// Checks every row, setting its error.
    fn validate(&mut self) {
        self.seed_error = match self.seed.trim().parse::<u64>() {
            Ok(_) => None,
            Err(_) => Some("0 以上の整数を入力してください".into()),
        };
        for f in &mut self.fields {
            f.error = f
                .spec
                .parse(&f.text)
                .err()
                .map(|_| why_invalid(&f.spec, &f.text));
        }
    }

    /// The values of a form without errors.
    pub fn values(&self) -> Option<KnobValues> {
        if self.seed_error.is_some() || self.fields.iter().any(|f| f.error.is_some()) {
            return None;
        }
        let seed = self.seed.trim().parse::<u64>().ok()?;
        let settings: Vec<String> = self
            .fields
            .iter()
            .map(|f| format!("{}={}", f.spec.name, f.text.trim()))
            .collect();
        KnobValues::from_settings(self.kernel.id, self.kernel.knobs, seed, &settings).ok()
    }

    /// The first row with an error, if any.
    pub fn first_error(&self) -> Option<usize> {
        if self.seed_error.is_some() {
            return Some(0);
        }
        self.fields
            .iter()
            .position(|f| f.error.is_some())
            .map(|i| i + 1)
    }
}

/// A seed drawn from the clock (the model's time, so tests are repeatable).
fn new_seed(now_ms: i64) -> u64 {
    (now_ms.unsigned_abs())
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407)
        >> 44
}

/// The valid values of `spec` in Japanese, e.g. `整数 1〜64`.
pub fn range_ja(spec: &KnobSpec) -> String {
    match spec.kind {
        KnobKind::Int { min, max, .. } => format!("整数 {min}〜{max}"),
        KnobKind::Float { min, max, .. } => format!("実数 {min}〜{max}"),
        KnobKind::Bool { .. } => "true / false (←/→)".into(),
        KnobKind::Choice { options, .. } => format!("{} (←/→)", options.join(" / ")),
        KnobKind::Text { .. } => "テキスト".into(),
    }
}

/// Why `text` is not a valid value of `spec`, in Japanese.
fn why_invalid(spec: &KnobSpec, text: &str) -> String {
    let t = text.trim();
    let what = match spec.kind {
        KnobKind::Int { .. } if t.parse::<i64>().is_err() => "整数ではありません",
        KnobKind::Float { .. } if t.parse::<f64>().map_or(true, |v| !v.is_finite()) => {
            "数値ではありません"
        }
        KnobKind::Int { .. } | KnobKind::Float { .. } => "範囲外です",
        KnobKind::Bool { .. } | KnobKind::Choice { .. } => "選択肢にありません",
        KnobKind::Text { .. } => "使えない値です",
    };
    format!("{what}: {}", range_ja(spec))
}
