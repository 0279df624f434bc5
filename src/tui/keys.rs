//! Key bindings: a pure mapping from a key press (and the current screen) to a [`Message`].

use super::app::{App, Message, Screen};
use super::knob_form::FormMsg;
use super::search::SearchMsg;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

/// The message for a mouse event: the wheel scrolls, a left click selects.
pub fn handle_mouse(m: MouseEvent) -> Option<Message> {
    match m.kind {
        MouseEventKind::ScrollDown => Some(Message::Wheel(true)),
        MouseEventKind::ScrollUp => Some(Message::Wheel(false)),
        MouseEventKind::Down(MouseButton::Left) => Some(Message::Click(m.column, m.row)),
        _ => None,
    }
}

/// The message for `key` on the current screen, if it means anything there.
pub fn handle_key(app: &App, key: KeyEvent) -> Option<Message> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if app.search.is_some() {
        return search_key(key).map(Message::SearchKey);
    }
    if app.knob_form.is_some() {
        return form_key(key).map(Message::Form);
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') => Some(Message::Quit),
            KeyCode::Char('d') => Some(Message::PageDown),
            KeyCode::Char('u') => Some(Message::PageUp),
            _ => None,
        };
    }
    let common = match key.code {
        KeyCode::Char('?') => Some(Message::ToggleHelp),
        KeyCode::Char('/') if !app.show_help => Some(Message::Search),
        KeyCode::Char('q') | KeyCode::Esc => Some(Message::Back),
        KeyCode::Char('k') | KeyCode::Up => Some(Message::Up),
        KeyCode::Char('j') | KeyCode::Down => Some(Message::Down),
        KeyCode::PageUp => Some(Message::PageUp),
        KeyCode::PageDown => Some(Message::PageDown),
        KeyCode::Char('g') | KeyCode::Home => Some(Message::Top),
        KeyCode::Char('G') | KeyCode::End => Some(Message::Bottom),
        _ => None,
    };
    if common.is_some() {
        return common;
    }
    screen_key(app.screen, key)
}

/// The keys that mean something on one screen only.
fn screen_key(screen: Screen, key: KeyEvent) -> Option<Message> {
    match screen {
        Screen::Home => match key.code {
            KeyCode::Enter | KeyCode::Char('l') | KeyCode::Right => Some(Message::Open),
            KeyCode::Char('r') => Some(Message::RunKernel),
            KeyCode::Char('t') => Some(Message::Practice),
            KeyCode::Char('v') => Some(Message::Review),
            KeyCode::Char('x') => Some(Message::StartExam),
            KeyCode::Char('s') => Some(Message::ShowStats),
            _ => None,
        },
        Screen::Lesson => match key.code {
            KeyCode::Char(' ') => Some(Message::PageDown),
            KeyCode::Char('b') => Some(Message::PageUp),
            KeyCode::Char('r') | KeyCode::Enter => Some(Message::RunKernel),
            KeyCode::Char('t') => Some(Message::Practice),
            KeyCode::Char('h') | KeyCode::Left => Some(Message::Back),
            KeyCode::Char('e') => Some(Message::EditKnobs),
            KeyCode::Char('n') => Some(Message::NextHit(true)),
            KeyCode::Char('N') => Some(Message::NextHit(false)),
            _ => None,
        },
        Screen::Kernel => match key.code {
            KeyCode::Char('n')
            | KeyCode::Char(' ')
            | KeyCode::Enter
            | KeyCode::Right
            | KeyCode::Char('l') => Some(Message::NextStep),
            KeyCode::Char('N') | KeyCode::Left | KeyCode::Char('h') => Some(Message::PrevStep),
            KeyCode::Char('f') => Some(Message::FollowStep),
            KeyCode::Char('c') => Some(Message::Continue),
            KeyCode::Char('p') => Some(Message::Pause),
            KeyCode::Char('r') => Some(Message::RunKernel),
            KeyCode::Char('z') => Some(Message::ToggleFit),
            KeyCode::Char('>') => Some(Message::ImageScroll(true)),
            KeyCode::Char('<') => Some(Message::ImageScroll(false)),
            KeyCode::Char('e') => Some(Message::EditKnobs),
            _ => None,
        },
        Screen::Quiz => match key.code {
            KeyCode::Char(c @ '1'..='9') => Some(Message::Number(digit(c))),
            KeyCode::Enter => Some(Message::Open),
            KeyCode::Char('n') | KeyCode::Char(' ') | KeyCode::Right | KeyCode::Char('l') => {
                Some(Message::NextStep)
            }
            KeyCode::Char('o') => Some(Message::OpenRelevant),
            _ => None,
        },
        Screen::Exam => match key.code {
            KeyCode::Char(c @ '1'..='9') => Some(Message::Number(digit(c))),
            KeyCode::Enter => Some(Message::Open),
            KeyCode::Char('n') | KeyCode::Right | KeyCode::Char('l') | KeyCode::Tab => {
                Some(Message::NextStep)
            }
            KeyCode::Char('p') | KeyCode::Left | KeyCode::Char('h') | KeyCode::BackTab => {
                Some(Message::PrevStep)
            }
            KeyCode::Char('f') => Some(Message::Flag),
            KeyCode::Char('s') => Some(Message::Submit),
            KeyCode::Char('y') => Some(Message::Confirm),
            KeyCode::Char('o') => Some(Message::OpenRelevant),
            KeyCode::Backspace | KeyCode::Delete | KeyCode::Char('0') => Some(Message::ClearAnswer),
            _ => None,
        },
        Screen::Stats => None,
    }
}

/// The search screen's meaning of `key`: typed characters go into the query.
fn search_key(key: KeyEvent) -> Option<SearchMsg> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('c') if ctrl => Some(SearchMsg::Close),
        KeyCode::Char('u') if ctrl => Some(SearchMsg::Clear),
        KeyCode::Char('n') if ctrl => Some(SearchMsg::Down),
        KeyCode::Char('p') if ctrl => Some(SearchMsg::Up),
        KeyCode::Char(c) if !ctrl => Some(SearchMsg::Input(c)),
        KeyCode::Backspace => Some(SearchMsg::Backspace),
        KeyCode::Up => Some(SearchMsg::Up),
        KeyCode::Down | KeyCode::Tab => Some(SearchMsg::Down),
        KeyCode::Enter => Some(SearchMsg::Open),
        KeyCode::Esc => Some(SearchMsg::Close),
        _ => None,
    }
}

/// The knob form's meaning of `key`: typed characters edit the value under the cursor.
fn form_key(key: KeyEvent) -> Option<FormMsg> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('c') if ctrl => Some(FormMsg::Close),
        KeyCode::Char('r') if ctrl => Some(FormMsg::NewSeed),
        KeyCode::Char('d') if ctrl => Some(FormMsg::Reset),
        KeyCode::Char(c) if !ctrl => Some(FormMsg::Input(c)),
        KeyCode::Backspace => Some(FormMsg::Backspace),
        KeyCode::Up | KeyCode::BackTab => Some(FormMsg::Up),
        KeyCode::Down | KeyCode::Tab => Some(FormMsg::Down),
        KeyCode::Left => Some(FormMsg::Cycle(false)),
        KeyCode::Right => Some(FormMsg::Cycle(true)),
        KeyCode::F(5) => Some(FormMsg::NewSeed),
        KeyCode::Enter => Some(FormMsg::Submit),
        KeyCode::Esc => Some(FormMsg::Close),
        _ => None,
    }
}

/// The value of an ASCII digit.
fn digit(c: char) -> usize {
    c.to_digit(10).map_or(0, |d| d as usize)
}
