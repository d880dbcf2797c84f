//! What the mouse does: the open popup takes it; else a click focuses a pane and selects the
//! row under it, and the wheel scrolls the pane under the pointer.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use crate::desk::Desk;
use crate::ui::hits::WHEEL_STEP;
use crate::ui::pane::{Move, Pane};
use crate::ui::view::{Effect, ListView, ViewState};

impl ViewState {
    /// Mouse: the open popup takes it; else a click focuses a pane (and selects a row), the
    /// wheel scrolls the pane under the pointer.
    pub fn on_mouse(&mut self, ev: &MouseEvent, desk: &Desk) -> Effect {
        let pos = Position::new(ev.column, ev.row);
        if let Some(popup) = &mut self.popup {
            let did = popup.on_mouse(ev, &self.hits);
            return self.popup_did(did);
        }
        let Some(pane) = self.hits.panes.iter().find(|(_, r)| r.contains(pos)).map(|(p, _)| *p) else {
            return Effect::None;
        };
        match ev.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                self.focus = pane;
                self.click(pane, pos, desk);
            }
            MouseEventKind::ScrollUp => {
                self.move_in(pane, Move::Up(WHEEL_STEP), desk);
            }
            MouseEventKind::ScrollDown => {
                self.move_in(pane, Move::Down(WHEEL_STEP), desk);
            }
            _ => {}
        }
        Effect::None
    }

    fn click(&mut self, pane: Pane, pos: Position, desk: &Desk) {
        let row = |area: Rect| area.contains(pos).then(|| usize::from(pos.y - area.y));
        match pane {
            Pane::Chat => {
                if self.hits.chat_new_line.contains(pos) {
                    self.chat.follow = true;
                } else if let Some(i) = row(self.hits.chat_rows_area)
                    .and_then(|r| self.hits.chat_rows.get(r).copied().flatten())
                    .filter(|&i| desk.chat().get(i).is_some())
                {
                    self.pause(desk);
                    self.chat.selected = i;
                }
            }
            Pane::Sale => {
                let (len, rows) = (desk.sales().all().len(), self.hits.sale_rows);
                Self::click_list(&mut self.sale, row(rows), len);
            }
            Pane::Stock => {
                let (len, rows) = (desk.catalog().products().len(), self.hits.stock_rows);
                Self::click_list(&mut self.stock, row(rows), len);
            }
            Pane::Replies => {
                let (len, rows) = (desk.replies().all().len(), self.hits.replies_rows);
                Self::click_list(&mut self.replies, row(rows), len);
            }
            Pane::Claims => {
                if let Some(id) = row(self.hits.claims_rows).and_then(|r| self.hits.claim_ids.get(r)) {
                    self.claims.selected = Some(*id);
                }
            }
        }
    }

    fn click_list(list: &mut ListView, row: Option<usize>, len: usize) {
        if let Some(i) = row.map(|r| list.offset + r).filter(|&i| i < len) {
            list.selected = Some(i);
        }
    }
}
