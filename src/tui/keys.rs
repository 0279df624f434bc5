//! Key bindings: a pure mapping from a key press (and the current screen) to a [`Message`].

use super::app::{App, Message, Screen};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// The message for `key` on the current screen, if it means anything there.
pub fn handle_key(app: &App, key: KeyEvent) -> Option<Message> {
    if key.kind == KeyEventKind::Release {
        return None;
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
    match app.screen {
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

/// The value of an ASCII digit.
fn digit(c: char) -> usize {
    c.to_digit(10).map_or(0, |d| d as usize)
}
