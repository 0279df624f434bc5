//! Wrapping text by display width: Japanese breaks between any two characters (except before
//! closing punctuation), Latin words break at spaces.

use unicode_width::UnicodeWidthChar;

/// Characters that must not start a line (禁則処理, a simple version).
const NO_LINE_START: &str =
    "、。，．・：；？！）」』】〕〉》ー…,.;:!?)]}ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ";

/// Characters that must not end a line: opening brackets move down with what they open.
const NO_LINE_END: &str = "（「『【〔〈《([{";

/// Display width of `s` in terminal columns.
pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Whether the terminal draws East Asian ambiguous-width characters (Σ α ‖ − × · … ≤ √ ½ ²)
/// two columns wide, as many CJK terminal set-ups do: set `ESHIKAKU_AMBIGUOUS_WIDE=1`. Read
/// once; by default they are one column wide, as Unicode recommends outside CJK contexts.
pub fn ambiguous_wide() -> bool {
    static WIDE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WIDE.get_or_init(|| {
        std::env::var("ESHIKAKU_AMBIGUOUS_WIDE").is_ok_and(|v| !v.is_empty() && v != "0")
    })
}

/// Columns `c` takes, honouring [`ambiguous_wide`].
pub fn char_width(c: char) -> usize {
    if ambiguous_wide() && is_ambiguous(c) {
        2
    } else {
        c.width().unwrap_or(0)
    }
}

/// Whether `c` is East Asian ambiguous width (`A` in EastAsianWidth.txt: one column, or two in
/// CJK terminals). `unicode-width`'s CJK widths cover most of them but count Greek, Cyrillic
/// and the minus sign narrow, which CJK terminals draw wide; those are added here.
pub fn is_ambiguous(c: char) -> bool {
    let extra = matches!(
        c,
        '\u{0391}'..='\u{03A9}'
            | '\u{03B1}'..='\u{03C9}'
            | '\u{0401}'
            | '\u{0410}'..='\u{044F}'
            | '\u{0451}'
            | '\u{2212}'
    );
    // Box drawing and block elements (borders, half-block pixels) stay one cell: the layout
    // relies on them, and terminals with a wide-ambiguous option usually keep line drawing narrow.
    let drawing = matches!(c, '\u{2500}'..='\u{259F}');
    c.width() == Some(1) && !drawing && (extra || c.width_cjk() == Some(2))
}

/// `text` cut to at most `max` columns, ending in `…` when something was cut (a one-line list
/// entry that must not wrap).
pub fn fit(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = char_width(c);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    if max > 0 {
        out.truncate(out.trim_end().len());
        out.push('…');
    }
    out
}

/// Splits `text` into lines of at most `max` columns (paragraph breaks kept as empty lines).
/// A `max` of 0 is treated as 1.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        wrap_line(&tidy_spaces(para.trim_end()), max, &mut out);
    }
    out
}

/// Drops a space between two wide characters, or after Japanese closing punctuation: YAML's
/// folded scalars (`>`) join lines with a space, which Japanese text does not want.
fn tidy_spaces(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let wide = |c: char| c.width().unwrap_or(0) >= 2;
    let mut out = String::with_capacity(line.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' && i > 0 && i + 1 < chars.len() {
            let (prev, next) = (chars[i - 1], chars[i + 1]);
            let after_stop = "。、，．！？」』）".contains(prev);
            if (wide(prev) && wide(next)) || (after_stop && next != ' ') {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Wraps one line, continuing bullets (`- `) with a hanging indent.
fn wrap_line(line: &str, max: usize, out: &mut Vec<String>) {
    if line.is_empty() {
        out.push(String::new());
        return;
    }
    let lead = line.len() - line.trim_start().len();
    let bullet = line.trim_start().starts_with("- ") || line.trim_start().starts_with("・");
    let hang = if bullet { lead + 2 } else { lead };
    let hang = if hang * 2 >= max { 0 } else { hang };
    let mut cur = String::new();
    let mut cur_w = 0;
    for tok in tokens(line) {
        let tw = width(&tok);
        if cur_w + tw > max && cur_w > hang {
            if tok == " " {
                out.push(cur.trim_end().to_string());
                cur = " ".repeat(hang);
                cur_w = hang;
                continue;
            }
            // Kinsoku: pull the previous character down rather than start with `。`.
            let mut carry = String::new();
            let forbidden = tok
                .chars()
                .next()
                .is_some_and(|c| NO_LINE_START.contains(c));
            if forbidden {
                // Pull characters down until the new line starts with an allowed one.
                while width(cur.trim_end()) > hang + 2 {
                    let Some(last) = cur.pop() else { break };
                    carry.insert(0, last);
                    if !NO_LINE_START.contains(last) {
                        break;
                    }
                }
            }
            // Kinsoku: an opening bracket goes down with what it opens.
            while cur.ends_with(|c| NO_LINE_END.contains(c)) && width(cur.trim_end()) > hang + 2 {
                let Some(last) = cur.pop() else { break };
                carry.insert(0, last);
            }
            out.push(cur.trim_end().to_string());
            cur = " ".repeat(hang) + &carry;
            cur_w = width(&cur);
        }
        if cur_w + tw > max {
            // A token longer than a whole line (a long URL): hard-break it.
            for ch in tok.chars() {
                let w = char_width(ch);
                if cur_w + w > max && cur_w > hang {
                    out.push(cur.trim_end().to_string());
                    cur = " ".repeat(hang);
                    cur_w = hang;
                }
                cur.push(ch);
                cur_w += w;
            }
            continue;
        }
        cur.push_str(&tok);
        cur_w += tw;
    }
    out.push(cur.trim_end().to_string());
}

/// Breakable units: a run of non-space narrow characters, a single space, or one wide character.
fn tokens(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    for ch in line.chars() {
        let wide = ch.width().unwrap_or(0) >= 2;
        if ch == ' ' || wide {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push(ch.to_string());
        } else {
            word.push(ch);
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_breaks_by_display_width() {
        let lines = wrap("バッチ正規化はミニバッチ単位で正規化する。", 10);
        assert!(lines.iter().all(|l| width(l) <= 10), "{lines:?}");
        assert_eq!(lines.concat(), "バッチ正規化はミニバッチ単位で正規化する。");
    }

    #[test]
    fn an_opening_bracket_does_not_end_a_line() {
        let lines = wrap("ああああ「いい」", 6);
        assert_eq!(lines.concat(), "ああああ「いい」");
        assert!(lines.iter().all(|l| !l.ends_with('「')), "{lines:?}");
        assert!(lines.iter().all(|l| width(l) <= 6), "{lines:?}");
    }

    #[test]
    fn closing_punctuation_does_not_start_a_line() {
        let lines = wrap("あいうえおかきくけこ。さし", 20);
        assert!(lines.iter().all(|l| !l.starts_with('。')), "{lines:?}");
    }

    #[test]
    fn latin_words_are_kept_whole() {
        let lines = wrap("Layer Normalization (LN) normalises", 14);
        assert_eq!(lines, vec!["Layer", "Normalization", "(LN)", "normalises"]);
    }

    #[test]
    fn bullets_hang_and_blank_lines_stay() {
        let lines = wrap("- あいうえおかきくけこさしすせそ\n\n次", 12);
        assert_eq!(lines[0], "- あいうえお");
        assert!(lines[1].starts_with("  "));
        assert!(lines.contains(&String::new()));
    }

    #[test]
    fn folded_yaml_spaces_between_japanese_are_dropped() {
        assert_eq!(
            wrap("層です。 4 種類 の正規化", 80),
            vec!["層です。4 種類の正規化"]
        );
        assert_eq!(wrap("正規化 (Batch Norm)", 80), vec!["正規化 (Batch Norm)"]);
    }

    #[test]
    fn closing_bracket_and_stop_move_down_together() {
        let lines = wrap("あいうえおかきくけ)。", 10);
        assert!(
            lines
                .iter()
                .all(|l| !l.starts_with(')') && !l.starts_with('。')),
            "{lines:?}"
        );
        assert_eq!(lines.concat(), "あいうえおかきくけ)。");
    }

    #[test]
    fn fit_cuts_by_display_width_and_marks_the_cut() {
        assert_eq!(fit("正規化層", 8), "正規化層");
        assert_eq!(fit("正規化層です", 8), "正規化…");
        assert_eq!(fit("GAN とは", 5), "GAN…");
        assert!(width(&fit("あいうえお", 4)) <= 4);
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn never_panics_on_tiny_widths() {
        for w in 0..4 {
            let lines = wrap("漢字 abc\tdef 。、", w);
            assert!(!lines.is_empty());
        }
    }
}
