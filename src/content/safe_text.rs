//! Keeping content text from driving the learner's terminal.
//!
//! A lesson folder is data from someone else. Text that reaches a terminal with an ESC byte in
//! it (`\e]0;title\a`, `\e[2J`) is obeyed, not shown: it can retitle the window, clear the
//! screen or fake output. So `lessons check` rejects control characters in lesson text (the
//! lesson is then skipped, never rendered), and everything that quotes file contents or paths
//! in a message passes them through [`inert`] first.

use std::borrow::Cow;

/// A character a terminal may act on rather than display: C0 controls, DEL and C1 controls.
/// Line feed and tab are the only controls lesson text may use.
pub fn is_forbidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_invisible_format(c)
}

/// Invisible format characters that hide or reorder text on screen: a byte-order mark inside
/// the text, and the bidirectional embeddings, overrides and isolates ("Trojan Source").
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{feff}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The first forbidden character of `text`: its 1-based character index and the character.
pub fn first_forbidden(text: &str) -> Option<(usize, char)> {
    text.chars()
        .enumerate()
        .find(|(_, c)| is_forbidden(*c))
        .map(|(i, c)| (i + 1, c))
}

/// How a control character is written in messages: caret notation for C0 and DEL (`^[` for
/// ESC), `<U+0085>` for the others.
pub fn visible(c: char) -> String {
    let code = u32::from(c);
    match u8::try_from(code) {
        Ok(b @ 0x00..=0x1f) => format!("^{}", char::from(b'@' + b)),
        Ok(0x7f) => "^?".to_string(),
        _ => format!("<U+{code:04X}>"),
    }
}

/// `text` with every control character (line feeds and tabs included) and invisible format
/// character replaced by its visible form, so it prints as one inert line.
pub fn inert(text: &str) -> Cow<'_, str> {
    let shown_as_is = |c: char| !c.is_control() && !is_invisible_format(c);
    if text.chars().all(shown_as_is) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if shown_as_is(c) {
            out.push(c);
        } else {
            out.push_str(&visible(c));
        }
    }
    Cow::Owned(out)
}

/// The message for a forbidden character found in a text field.
pub fn forbidden_message(index: usize, c: char) -> String {
    let shown = visible(c);
    let code = format!("U+{:04X}", u32::from(c));
    let name = if shown.contains(&code) {
        shown
    } else {
        format!("{shown} ({code})")
    };
    format!(
        "control character {name} at character {index} of this text: remove it; \
         lesson text may not contain terminal control codes or invisible direction marks \
         (only line breaks and tabs)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible_text() {
        assert_eq!(inert("\u{1b}]0;PWNED\u{7} \u{1b}[2J"), "^[]0;PWNED^G ^[[2J");
        assert_eq!(inert("a\u{7f}b\u{9b}c\nd\te"), "a^?b<U+009B>c^Jd^Ie");
        assert!(matches!(inert("普通の文\u{3000}"), Cow::Borrowed(_)));
    }

    #[test]
    fn only_line_feed_and_tab_are_allowed_in_text() {
        assert_eq!(first_forbidden("行1\n\t行2"), None);
        assert_eq!(first_forbidden("ab\rc"), Some((3, '\r')));
        assert_eq!(first_forbidden("x\u{85}"), Some((2, '\u{85}')));
        assert_eq!(first_forbidden("\u{0}"), Some((1, '\u{0}')));
        assert_eq!(first_forbidden("abc\u{202e}cba"), Some((4, '\u{202e}')));
        assert_eq!(inert("\u{feff}key"), "<U+FEFF>key");
    }
}
