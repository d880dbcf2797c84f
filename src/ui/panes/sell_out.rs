//! The Stock pane's sell-out prompt: what the operator can do about the product out
//! soonest, with the keys that do it. It has wordings from long to short and says it in the
//! longest that fits the pane, so a narrow pane still shows every key.

use ratatui::style::{Modifier, Style};

use super::Ctx;
use crate::config::keymap::KeyAction;
use crate::desk::forecast::SellOut;
use crate::desk::sales::SaleState;
use crate::ui::text;
use crate::ui::view::ViewState;

/// How much the prompt says, longest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wording {
    /// "out in ~40 s:", "s start almond-rush", "W close waitlist".
    Full,
    /// "~40 s:", one word to a key: "s start", "W waitlist".
    Short,
    /// "~40 s", the keys alone.
    Keys,
}

/// One thing to do: its key, and what it does in the full and the short wording.
struct Remedy {
    key: String,
    full: String,
    short: &'static str,
}

/// A line of the prompt as `(text, style)` spans.
pub type PromptLine = Vec<(String, Style)>;

/// The prompt for `f` in at most `rows` lines no wider than `w`, in the longest wording that
/// fits (a remedy is never split; a key that is not bound is left out; the keys act on the
/// selected row, so another selected row says so).
pub fn prompt(ctx: &Ctx<'_>, view: &ViewState, f: &SellOut, w: usize, rows: usize) -> Vec<PromptLine> {
    let remedies = remedies(ctx, view, f);
    let elsewhere = view.stock_target(ctx.desk).is_some_and(|p| p.sku != f.sku);
    let wordings = [Wording::Full, Wording::Short, Wording::Keys];
    let laid = |wording| lay_out(ctx, f, &remedies, elsewhere, wording, w);
    wordings
        .into_iter()
        .map(laid)
        .find(|lines| lines.len() <= rows.max(1))
        .unwrap_or_else(|| laid(Wording::Keys))
}

/// What can be done about `f`, in the order the prompt says it.
fn remedies(ctx: &Ctx<'_>, view: &ViewState, f: &SellOut) -> Vec<Remedy> {
    let desk = ctx.desk;
    let mut out = Vec::new();
    // A product with variants is restocked by its variants, on their own rows.
    let plain = desk.catalog().product(&f.sku).is_some_and(|p| p.variants.is_empty());
    if plain && let Some(key) = ctx.key(KeyAction::AdjustStock) {
        out.push(Remedy { key, full: "restock".into(), short: "restock" });
    }
    let product = desk.catalog().product_of(&f.sku);
    let planned = desk.sales().all().iter().find(|s| s.state == SaleState::Planned && s.spec.sku == product);
    if let Some(sale) = planned {
        let starts = view.start_target(desk).is_some_and(|s| s.spec.id == sale.spec.id);
        let (action, what) =
            if starts { (KeyAction::StartSale, "start") } else { (KeyAction::FocusSale, "pick") };
        if let Some(key) = ctx.key(action) {
            out.push(Remedy { key, full: format!("{what} {}", sale.spec.id), short: what });
        }
    }
    if desk.claims().enabled()
        && let Some(key) = ctx.key(KeyAction::ToggleWaitlist)
    {
        let full = if desk.claims().waitlist_closed(&f.sku) { "open waitlist" } else { "close waitlist" };
        out.push(Remedy { key, full: full.into(), short: "waitlist" });
    }
    out
}

/// The prompt in one wording, wrapped between remedies at `w` columns.
fn lay_out(
    ctx: &Ctx<'_>,
    f: &SellOut,
    remedies: &[Remedy],
    elsewhere: bool,
    wording: Wording,
    w: usize,
) -> Vec<PromptLine> {
    let theme = ctx.theme;
    let time = f.label();
    let (lead, tail) = match (wording, elsewhere) {
        (Wording::Full, false) => (format!("out in {time}"), ":"),
        (Wording::Full, true) => (format!("out in {time}"), ": select it for"),
        (Wording::Short, false) => (time, ":"),
        (Wording::Short, true) => (time, ", select it:"),
        (Wording::Keys, false) => (time, ""),
        (Wording::Keys, true) => (time, " (select it)"),
    };
    // The name gives way first: the time and the keys are what the operator acts on.
    let room = w.saturating_sub(text::width(&lead) + text::width(tail) + 4).max(3);
    let head = format!(" ! {} {lead}{tail}", text::truncate(&f.sku, room));
    let mut lines = Vec::new();
    let mut used = text::width(&head);
    let mut line: PromptLine = vec![(head, theme.warn.add_modifier(Modifier::BOLD))];
    for r in remedies {
        let what = match wording {
            Wording::Full => Some(r.full.as_str()),
            Wording::Short => Some(r.short),
            Wording::Keys => None,
        };
        let gap = if wording == Wording::Keys { 1 } else { 2 };
        let seg = gap + text::width(&r.key) + what.map_or(0, |t| 1 + text::width(t));
        if used + seg > w && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        line.push((format!("{:gap$}{}", "", r.key), theme.accent.add_modifier(Modifier::BOLD)));
        if let Some(what) = what {
            line.push((format!(" {what}"), theme.base));
        }
        used += seg;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
