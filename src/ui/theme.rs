//! Themes: the styles every pane draws with, resolved from a theme file's palette.

use ratatui::style::{Color, Modifier, Style};

/// Resolved styles, one per thing the panes show.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    /// Default text on the default background.
    pub base: Style,
    /// Secondary text: timestamps, hints, planned items.
    pub dim: Style,
    pub border: Style,
    pub border_focus: Style,
    pub title: Style,
    pub accent: Style,
    pub ok: Style,
    pub warn: Style,
    pub danger: Style,
    /// The selected row.
    pub selected: Style,
    pub question: Style,
    /// The shop's own messages.
    pub operator: Style,
    /// Orders, gifts and other inline events.
    pub system: Style,
    /// The running flash sale's countdown.
    pub sale: Style,
    /// The countdown in its last seconds.
    pub sale_urgent: Style,
    pub low_stock: Style,
    pub sold_out: Style,
    /// The status bar.
    pub status: Style,
    /// The DEMO badge.
    pub demo: Style,
}

impl Default for Theme {
    /// The built-in dark theme in plain 16 colours; used when no theme file is loaded.
    fn default() -> Self {
        Theme {
            name: "default".into(),
            base: Style::default(),
            dim: Style::default().fg(Color::DarkGray),
            border: Style::default().fg(Color::DarkGray),
            border_focus: Style::default().fg(Color::Cyan),
            title: Style::default().fg(Color::White).add_modifier(Modifier::BOLD),
            accent: Style::default().fg(Color::Cyan),
            ok: Style::default().fg(Color::Green),
            warn: Style::default().fg(Color::Yellow),
            danger: Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            selected: Style::default().bg(Color::DarkGray),
            question: Style::default().fg(Color::Yellow),
            operator: Style::default().fg(Color::Magenta),
            system: Style::default().fg(Color::Green),
            sale: Style::default().fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
            sale_urgent: Style::default().fg(Color::LightRed).add_modifier(Modifier::BOLD),
            low_stock: Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            sold_out: Style::default().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD),
            status: Style::default().fg(Color::White).bg(Color::Blue),
            demo: Style::default().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD),
        }
    }
}
