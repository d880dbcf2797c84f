//! Moving the selection in a pane: the chat by message index (pausing it, or following again
//! at the bottom), the lists by row.

use crate::desk::Desk;
use crate::ui::pane::{Move, Pane};
use crate::ui::view::{
    ChatFilter, Effect, ListView, ViewState, claim_rows, last_shown, nearest_shown, next_shown, prev_shown,
};

impl ViewState {
    /// Stops following, keeping the current view and selection where they are.
    pub(crate) fn pause(&mut self, desk: &Desk) {
        if !self.chat.follow {
            return;
        }
        let last =
            last_shown(desk.chat(), &self.chat.filter).unwrap_or(desk.chat().next_index().saturating_sub(1));
        let anchor = self.hits.chat_bottom.filter(|&b| b <= last).unwrap_or(last);
        self.chat.selected = self.chat_selected(desk).unwrap_or(anchor);
        self.chat.anchor = anchor;
        self.chat.new_from = anchor + 1;
        self.chat.follow = false;
    }

    pub(crate) fn move_in(&mut self, pane: Pane, m: Move, desk: &Desk) -> Effect {
        match pane {
            Pane::Chat => self.move_chat(m, desk),
            Pane::Sale => Self::move_list(&mut self.sale, m, desk.sales().all().len()),
            Pane::Stock => Self::move_list(&mut self.stock, m, desk.catalog().products().len()),
            Pane::Replies => Self::move_list(&mut self.replies, m, desk.replies().all().len()),
            Pane::Claims => {
                let rows = claim_rows(desk);
                let mut list = ListView {
                    selected: self.claim_selected(desk).and_then(|id| rows.iter().position(|c| c.id == id)),
                    offset: self.claims.offset,
                };
                Self::move_list(&mut list, m, rows.len());
                self.claims.selected = list.selected.and_then(|i| rows.get(i)).map(|c| c.id);
            }
        }
        Effect::None
    }

    fn move_chat(&mut self, m: Move, desk: &Desk) {
        if desk.chat().is_empty() {
            return;
        }
        let (first, last) = (desk.chat().first_index(), desk.chat().next_index() - 1);
        if self.chat.filter != ChatFilter::All {
            let filter = self.chat.filter.clone();
            return self.move_in_view(m, desk, &filter);
        }
        match m {
            Move::Bottom => self.chat.follow = true,
            Move::Top => {
                self.pause(desk);
                self.chat.selected = first;
            }
            Move::Up(n) => {
                self.pause(desk);
                let cur = self.chat.selected.clamp(first, last);
                self.chat.selected = cur.saturating_sub(n as u64).max(first);
            }
            Move::Down(n) => {
                if self.chat.follow {
                    return;
                }
                let cur = self.chat.selected.clamp(first, last);
                if cur == last {
                    self.chat.follow = true;
                } else {
                    self.chat.selected = (cur + n as u64).min(last);
                }
            }
        }
    }

    /// Moving in a chat view other than All: only through the messages it shows.
    fn move_in_view(&mut self, m: Move, desk: &Desk, filter: &ChatFilter) {
        let chat = &desk.chat();
        let Some(last) = last_shown(chat, filter) else { return };
        match m {
            Move::Bottom => self.chat.follow = true,
            Move::Top => {
                self.pause(desk);
                self.chat.selected = nearest_shown(chat, filter, chat.first_index()).unwrap_or(last);
            }
            Move::Up(n) => {
                self.pause(desk);
                let mut cur = self.chat_selected(desk).unwrap_or(last);
                for _ in 0..n {
                    match prev_shown(chat, filter, cur) {
                        Some(p) => cur = p,
                        None => break,
                    }
                }
                self.chat.selected = cur;
            }
            Move::Down(n) => {
                if self.chat.follow {
                    return;
                }
                let mut cur = self.chat_selected(desk).unwrap_or(last);
                if cur >= last {
                    self.chat.follow = true;
                    return;
                }
                for _ in 0..n {
                    match next_shown(chat, filter, cur) {
                        Some(x) => cur = x,
                        None => break,
                    }
                }
                self.chat.selected = cur;
            }
        }
    }

    fn move_list(list: &mut ListView, m: Move, len: usize) {
        if len == 0 {
            list.selected = None;
            return;
        }
        let last = len - 1;
        list.selected = Some(match (m, list.selected) {
            (Move::Top, _) | (Move::Up(_) | Move::Down(_), None) => 0,
            (Move::Bottom, _) => last,
            (Move::Up(n), Some(i)) => i.min(last).saturating_sub(n),
            (Move::Down(n), Some(i)) => (i + n).min(last),
        });
    }
}
