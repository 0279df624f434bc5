//! The fuzzer's random source and mutations (no dependencies: a seeded SplitMix64).

/// SplitMix64: small, fast, and the same sequence on every machine for a seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Tokens that mean something to YAML or to our checks, inserted or substituted whole.
const TOKENS: &[&str] = &[
    "- ",
    "? ",
    ": ",
    ":",
    "-",
    "#",
    "&a ",
    "*a",
    "&a [1, *a]",
    "!!str ",
    "!tag ",
    "<<: *a",
    "{",
    "}",
    "[",
    "]",
    ",",
    "|",
    "|-",
    ">",
    ">+2",
    "'",
    "\"",
    "\"\\u0000\"",
    "\"\\e[2J\"",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "%TAG ! tag:x,2000:\n",
    "~",
    "null",
    "true",
    "-1",
    "0",
    "1e999",
    ".nan",
    "-.inf",
    "0x7fffffffffffffff",
    "18446744073709551616",
    "99999999999999999999999999999",
    "\u{feff}",
    "\u{85}",
    "\u{2028}",
    "\u{1b}]0;PWNED\u{7}",
    "\t",
    "\r",
    "\r\n",
    "\0",
    "\u{7f}",
    "\u{9b}",
    "../../etc/passwd",
    "/etc/passwd",
    "\\",
    "questions:\n",
    "answer: ",
    "choices: []",
    "code:\n  file: ",
    "kernel:\n  id: ",
    "format_version: ",
    "id: ",
    "  ",
    "\n",
    "x: y\n",
    "[[[[[[[[",
    "]]]]]]]]",
    "{a: {b: {c: ",
];

/// The answers a field might get from a careless or hostile author.
const VALUES: &[&str] = &[
    "",
    "~",
    "[]",
    "{}",
    "0",
    "-1",
    "1.5",
    "4294967296",
    "18446744073709551616",
    "1e400",
    "\"\"",
    "[a, b]",
    "{a: 1}",
    "|\n  text",
    "*missing",
    "&x 1",
    "!!binary aGk=",
    "yes",
    "\"\\x1b[31mred\"",
    "'../x.rs'",
    "/etc/passwd",
    "\"\\u0085\"",
    "あいう",
    "null",
];

/// Mutations over the corpus of real lessons (which also feeds line splicing).
pub struct Mutator<'c> {
    lines: Vec<&'c [u8]>,
}

impl<'c> Mutator<'c> {
    pub fn new(corpus: &'c [Vec<u8>]) -> Self {
        let lines = corpus
            .iter()
            .flat_map(|t| t.split(|b| *b == b'\n'))
            .collect();
        Self { lines }
    }

    /// `input` with one to four random mutations applied.
    pub fn mutate(&self, input: &[u8], rng: &mut Rng) -> Vec<u8> {
        let mut out = input.to_vec();
        for _ in 0..=rng.below(4) {
            self.mutate_once(&mut out, rng);
        }
        out
    }

    fn mutate_once(&self, b: &mut Vec<u8>, rng: &mut Rng) {
        let at = rng.below(b.len() + 1);
        match rng.below(12) {
            0 if !b.is_empty() => {
                let i = at.min(b.len() - 1);
                b[i] ^= 1 << rng.below(8);
            }
            1 => b.insert(at, rng.next_u64() as u8),
            2 => {
                let end = (at + 1 + rng.below(64)).min(b.len());
                b.drain(at.min(end)..end);
            }
            3 => {
                let end = (at + 1 + rng.below(256)).min(b.len());
                let chunk = b[at.min(end)..end].to_vec();
                let to = rng.below(b.len() + 1);
                splice(b, to, to, &chunk);
            }
            4 => splice(b, at, at, rng.pick(TOKENS).as_bytes()),
            5 => self.replace_line(b, rng),
            6 => self.insert_line(b, rng),
            7 => reindent(b, rng),
            8 => replace_value(b, rng),
            9 => b.truncate(at),
            10 => duplicate_line(b, rng),
            _ => {
                let depth = 1 + rng.below(300);
                let open: &[u8] = if rng.below(2) == 0 { b"[" } else { b"- " };
                splice(b, at, at, &open.repeat(depth));
            }
        }
    }

    fn replace_line(&self, b: &mut Vec<u8>, rng: &mut Rng) {
        let (start, end) = line_at(b, rng.below(b.len() + 1));
        let line = *rng.pick(&self.lines);
        splice(b, start, end, line);
    }

    fn insert_line(&self, b: &mut Vec<u8>, rng: &mut Rng) {
        let (start, _) = line_at(b, rng.below(b.len() + 1));
        let mut line = rng.pick(&self.lines).to_vec();
        line.push(b'\n');
        splice(b, start, start, &line);
    }
}

fn splice(b: &mut Vec<u8>, start: usize, end: usize, with: &[u8]) {
    let end = end.min(b.len());
    let start = start.min(end);
    b.splice(start..end, with.iter().copied());
}

/// The line containing byte `at`: `(start, end)` without its `\n`.
fn line_at(b: &[u8], at: usize) -> (usize, usize) {
    let at = at.min(b.len());
    let start = b[..at]
        .iter()
        .rposition(|c| *c == b'\n')
        .map_or(0, |i| i + 1);
    let end = b[at..]
        .iter()
        .position(|c| *c == b'\n')
        .map_or(b.len(), |i| at + i);
    (start, end)
}

fn reindent(b: &mut Vec<u8>, rng: &mut Rng) {
    let (start, _) = line_at(b, rng.below(b.len() + 1));
    if rng.below(2) == 0 {
        let n = 1 + rng.below(8);
        splice(b, start, start, &b" ".repeat(n));
    } else {
        let spaces = b[start..].iter().take_while(|c| **c == b' ').count();
        let n = rng.below(spaces + 1);
        splice(b, start, start + n, b"");
    }
}

/// Replaces what follows the first `: ` of a random line with a hostile value.
fn replace_value(b: &mut Vec<u8>, rng: &mut Rng) {
    let (start, end) = line_at(b, rng.below(b.len() + 1));
    if let Some(i) = b[start..end].windows(2).position(|w| w == b": ") {
        splice(b, start + i + 2, end, rng.pick(VALUES).as_bytes());
    }
}

fn duplicate_line(b: &mut Vec<u8>, rng: &mut Rng) {
    let (start, end) = line_at(b, rng.below(b.len() + 1));
    let mut line = b[start..end].to_vec();
    line.push(b'\n');
    splice(b, start, start, &line);
}
