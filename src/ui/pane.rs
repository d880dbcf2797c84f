//! The panes of the screen, in focus order, and the steps a selection takes inside one.

/// The panes, in focus order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pane {
    Chat,
    Sale,
    Stock,
    Replies,
    Claims,
}

impl Pane {
    /// Focus order for `focus_next` (Claims only when the shop reads claims).
    pub const ALL: [Pane; 5] = [Pane::Chat, Pane::Sale, Pane::Stock, Pane::Replies, Pane::Claims];

    /// The pane's title.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Chat => "Chat",
            Pane::Sale => "Flash sale",
            Pane::Stock => "Stock",
            Pane::Replies => "Replies",
            Pane::Claims => "Claims",
        }
    }

    pub(crate) fn next(self) -> Pane {
        let i = Pane::ALL.iter().position(|p| *p == self).unwrap_or(0);
        Pane::ALL[(i + 1) % Pane::ALL.len()]
    }

    pub(crate) fn prev(self) -> Pane {
        let i = Pane::ALL.iter().position(|p| *p == self).unwrap_or(0);
        Pane::ALL[(i + Pane::ALL.len() - 1) % Pane::ALL.len()]
    }
}

/// A step of the selection in a pane.
pub(crate) enum Move {
    Up(usize),
    Down(usize),
    Top,
    Bottom,
}
