//! Where the last frame drew things, for the mouse and for keys that move by a page.

use ratatui::layout::Rect;

use crate::ui::pane::Pane;

/// Rows the mouse wheel moves.
pub(crate) const WHEEL_STEP: usize = 3;

/// Where things were drawn in the last frame, for the mouse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hits {
    pub panes: [(Pane, Rect); 5],
    /// The chat pane's message rows: row `i` shows message `chat_rows[i]`.
    pub chat_rows_area: Rect,
    pub chat_rows: Vec<Option<u64>>,
    /// The bottom message of the last frame.
    pub chat_bottom: Option<u64>,
    /// The chat message shown selected in the last frame: what moderation keys act on.
    pub chat_selected: Option<u64>,
    /// The "N new" line while paused.
    pub chat_new_line: Rect,
    /// The item rows of the list panes.
    pub sale_rows: Rect,
    pub stock_rows: Rect,
    pub replies_rows: Rect,
    pub claims_rows: Rect,
    /// The claim each visible row of the Claims pane shows.
    pub claim_ids: Vec<u64>,
    pub help: Rect,
    pub help_page: u16,
    pub help_max: u16,
}

impl Default for Hits {
    fn default() -> Self {
        Hits {
            panes: Pane::ALL.map(|p| (p, Rect::default())),
            chat_rows_area: Rect::default(),
            chat_rows: Vec::new(),
            chat_bottom: None,
            chat_selected: None,
            chat_new_line: Rect::default(),
            sale_rows: Rect::default(),
            stock_rows: Rect::default(),
            replies_rows: Rect::default(),
            claims_rows: Rect::default(),
            claim_ids: Vec::new(),
            help: Rect::default(),
            help_page: 0,
            help_max: 0,
        }
    }
}

impl Hits {
    /// Forgets the last frame, keeping the row map's memory.
    pub(crate) fn reset(&mut self) {
        let mut rows = std::mem::take(&mut self.chat_rows);
        rows.clear();
        *self = Hits { chat_rows: rows, ..Hits::default() };
    }
}
