//! The help popup: every binding of the active keymap and every reply key, generated from
//! them so it can never disagree with what the keys do.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::{Ctx, adjust, card, picker};
use crate::config::keymap::{KeyAction, Mode};
use crate::ui::layout::centered;
use crate::ui::view::ViewState;
use crate::ui::{chat_keys, text};

/// Which actions a help section lists.
type Filter = fn(KeyAction) -> bool;

/// The help screen's sections, each a filter over [`KeyAction::ALL`] so none is left out.
const GROUPS: [(&str, Filter); 6] = [
    ("Flash sales and stock", |a| {
        matches!(
            a,
            KeyAction::StartSale
                | KeyAction::ExtendSale
                | KeyAction::EndSale
                | KeyAction::PauseSale
                | KeyAction::PinProduct
                | KeyAction::UnpinProduct
                | KeyAction::AdjustStock
                | KeyAction::Activate
        )
    }),
    ("Claims (from any pane)", |a| matches!(a, KeyAction::ConfirmClaim | KeyAction::RejectClaim)),
    ("Chat views and triage", |a| {
        matches!(
            a,
            KeyAction::CycleView
                | KeyAction::ViewAll
                | KeyAction::ViewQuestions
                | KeyAction::ViewBuyers
                | KeyAction::ViewUnanswered
                | KeyAction::ViewMentions
                | KeyAction::ViewViewer
                | KeyAction::Search
                | KeyAction::MarkHandled
                | KeyAction::Retag
                | KeyAction::SendSuggestion
                | KeyAction::PickReply
        )
    }),
    ("Moving around", |a| {
        matches!(
            a,
            KeyAction::FocusNext
                | KeyAction::FocusPrev
                | KeyAction::FocusChat
                | KeyAction::FocusSale
                | KeyAction::FocusStock
                | KeyAction::FocusReplies
                | KeyAction::FocusClaims
                | KeyAction::Up
                | KeyAction::Down
                | KeyAction::PageUp
                | KeyAction::PageDown
                | KeyAction::Top
                | KeyAction::Bottom
        )
    }),
    ("Moderation (the selected comment)", |a| {
        matches!(a, KeyAction::DeleteMessage | KeyAction::MuteViewer | KeyAction::PinMessage)
    }),
    ("General", |a| {
        matches!(a, KeyAction::ToggleStats | KeyAction::Help | KeyAction::Quit | KeyAction::Close)
    }),
];

enum Row {
    Heading(String),
    Entry(String, String),
    Blank,
}

fn rows(ctx: &Ctx<'_>) -> Vec<Row> {
    let mut out = Vec::new();
    let section = |title: &str, entries: Vec<(String, String)>, out: &mut Vec<Row>| {
        if entries.is_empty() {
            return;
        }
        if !out.is_empty() {
            out.push(Row::Blank);
        }
        out.push(Row::Heading(title.to_owned()));
        out.extend(entries.into_iter().map(|(k, d)| Row::Entry(k, d)));
    };
    let bound = |mode: Mode, filter: &dyn Fn(KeyAction) -> bool| -> Vec<(String, String)> {
        KeyAction::ALL
            .into_iter()
            .filter(|a| filter(*a))
            .filter_map(|a| {
                let keys = ctx.keymap.keys_for(mode, a);
                (!keys.is_empty()).then(|| (keys.join(", "), a.describe().to_owned()))
            })
            .collect()
    };
    for (title, filter) in GROUPS {
        section(title, bound(Mode::Normal, &filter), &mut out);
    }
    let replies =
        ctx.desk.replies.all().iter().filter_map(|r| Some((r.key.clone()?, r.title.clone()))).collect();
    section("Canned replies (to the selected chat message)", replies, &mut out);
    let fixed =
        |keys: &[(&str, &str)]| keys.iter().map(|(k, d)| ((*k).to_owned(), (*d).to_owned())).collect();
    section("In the search line", fixed(&chat_keys::KEYS), &mut out);
    section("Search terms (all must match)", fixed(&chat_keys::TERMS), &mut out);
    section("In the stock adjust popup", fixed(&adjust::KEYS), &mut out);
    section("In the reply picker", fixed(&picker::KEYS), &mut out);
    section("On the re-tag line (the retag key on a comment)", fixed(&crate::ui::retag::KEYS), &mut out);
    section("In a viewer card (enter on a comment or a claim)", fixed(&card::KEYS), &mut out);
    section("In this help", bound(Mode::Help, &|_| true), &mut out);
    out
}

/// Draws the popup over whatever is below it.
pub fn draw(buf: &mut Buffer, screen: Rect, ctx: &Ctx<'_>, view: &mut ViewState) {
    let theme = ctx.theme;
    let rows = rows(ctx);
    let key_w = rows
        .iter()
        .map(|r| if let Row::Entry(k, _) = r { text::width(k) } else { 0 })
        .max()
        .unwrap_or(0)
        .min(18);
    let want_w = rows
        .iter()
        .map(|r| match r {
            Row::Heading(h) => text::width(h),
            Row::Entry(_, d) => key_w + 3 + text::width(d),
            Row::Blank => 0,
        })
        .max()
        .unwrap_or(0)
        + 4;
    let want_h = rows.len() + 2;
    let w = u16::try_from(want_w).unwrap_or(u16::MAX).min(screen.width.saturating_sub(4));
    let h = u16::try_from(want_h).unwrap_or(u16::MAX).min(screen.height.saturating_sub(2));
    let area = centered(screen, w, h);
    view.hits.help = area;
    Clear.render(area, buf);

    let page = area.height.saturating_sub(2);
    let max = u16::try_from(rows.len()).unwrap_or(u16::MAX).saturating_sub(page);
    view.help_scroll = view.help_scroll.min(max);
    view.hits.help_page = page;
    view.hits.help_max = max;

    let close: Vec<String> = ctx.keymap.keys_for(Mode::Help, KeyAction::Close);
    let mut bottom = Vec::new();
    if !close.is_empty() {
        bottom.push(Span::styled(format!(" {} ", close.join("/")), theme.accent));
        bottom.push(Span::styled("close ", theme.dim));
    }
    if max > 0 {
        let more = if view.help_scroll < max { " ↓ more " } else { " ↑ more " };
        bottom.push(Span::styled(more, theme.dim));
    }
    let name = if ctx.keymap.name.is_empty() {
        "Help".to_owned()
    } else {
        format!("Help · keymap {}", ctx.keymap.name)
    };
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .style(theme.base)
        .title(Line::from(Span::styled(format!(" {name} "), theme.title)))
        .title_bottom(Line::from(bottom));
    let inner = block.inner(area);
    block.render(area, buf);

    let right = inner.right();
    for (n, row) in
        rows.iter().skip(usize::from(view.help_scroll)).take(usize::from(inner.height)).enumerate()
    {
        let y = inner.y + n as u16;
        let x = inner.x + 1;
        match row {
            Row::Heading(h) => {
                text::put_trunc(buf, x, y, right, h, theme.title.add_modifier(Modifier::UNDERLINED));
            }
            Row::Entry(k, d) => {
                let k = format!("{:<key_w$}", text::truncate(k, key_w));
                let dx = text::put(buf, x + 1, y, right, &k, theme.accent.add_modifier(Modifier::BOLD));
                text::put_trunc(buf, dx + 2, y, right, d, Style::default().patch(theme.base));
            }
            Row::Blank => {}
        }
    }
}
