//! Where each pane goes: chat on the left with the claims under it, the sale, stock and
//! replies stacked on the right, the status bar across the bottom. Computed from the terminal
//! size and the shop's settings and list lengths only, so panes never jump when a sale starts
//! or a claim arrives.

use ratatui::layout::Rect;

/// The smallest terminal the desk draws in.
pub const MIN_WIDTH: u16 = 80;
/// The smallest terminal the desk draws in.
pub const MIN_HEIGHT: u16 = 24;
/// Rows of the status bar.
pub const STATUS_ROWS: u16 = 2;

/// The rectangles of one frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    pub chat: Rect,
    /// The Stats pane, under the chat; empty while it is hidden.
    pub stats: Rect,
    /// Empty when the shop does not read claims.
    pub claims: Rect,
    pub sale: Rect,
    pub stock: Rect,
    pub replies: Rect,
    /// The run of show's line, over the status bar; empty when there is no show.
    pub show: Rect,
    pub status: Rect,
}

/// How long the right column's lists are, so each pane can ask for what it needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub sales: usize,
    pub products: usize,
    /// Rows the Stock pane's sell-out prompt takes (none without one).
    pub prompt: u16,
    pub replies: usize,
    /// Whether the shop reads claims (the Claims pane is shown).
    pub claims: bool,
    /// Whether the operator opened the Stats pane.
    pub stats: bool,
    /// Whether there is a run of show (its line is shown).
    pub show: bool,
}

/// Rows the Stats pane takes: its borders, three sparklines and the flash sales' row.
pub const STATS_ROWS: u16 = 6;

/// Whether the terminal is big enough for the desk.
pub fn fits(area: Rect) -> bool {
    area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT
}

/// Rows the sale pane needs for a full countdown: borders, name, 5-row digits, bar, price,
/// a rule and the plan.
fn sale_want(sales: usize) -> u16 {
    2 + 1 + 5 + 1 + 1 + 1 + clamp_u16(sales.max(1))
}

fn clamp_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// Splits the terminal into panes; callers check [`fits`] first.
pub fn split(area: Rect, counts: Counts) -> Areas {
    let status_rows = STATUS_ROWS.min(area.height);
    let show_rows = u16::from(counts.show).min(area.height - status_rows);
    let body_h = area.height - status_rows - show_rows;
    let show = Rect::new(area.x, area.y + body_h, area.width, show_rows);
    let status = Rect::new(area.x, area.y + body_h + show_rows, area.width, status_rows);

    let right_w = (area.width - area.width * 3 / 5).max(32).min(area.width);
    let chat_w = area.width - right_w;
    // Claims sit under the chat they come from: a quarter of the column, 6 to 12 rows.
    let claims_h = if counts.claims { (body_h / 4).clamp(6, 12).min(body_h / 2) } else { 0 };
    // Stats sit between the chat and the claims, leaving the chat at least as many rows.
    let stats_h =
        if counts.stats { STATS_ROWS.min((body_h - claims_h).saturating_sub(STATS_ROWS)) } else { 0 };
    let chat = Rect::new(area.x, area.y, chat_w, body_h - claims_h - stats_h);
    let stats = Rect::new(area.x, area.y + chat.height, chat_w, stats_h);
    let claims = Rect::new(area.x, area.y + body_h - claims_h, chat_w, claims_h);
    let x = area.x + chat_w;

    let h = body_h;
    let stock_want = 3 + clamp_u16(counts.products.max(1)).saturating_add(counts.prompt);
    let replies_want = 2 + clamp_u16(counts.replies.max(1));
    let stock_min = stock_want.min(7);
    let replies_min = replies_want.min(6);
    let sale_min = 7u16.min(h);
    let sale = sale_want(counts.sales).min(h.saturating_sub(stock_min + replies_min)).max(sale_min);
    let rest = h - sale;
    let (stock, replies) = if stock_want + replies_want <= rest {
        (stock_want, rest - stock_want)
    } else {
        let share = u32::from(rest) * u32::from(stock_want) / u32::from(stock_want + replies_want);
        let stock = (share as u16).max(stock_min).min(rest.saturating_sub(replies_min.min(rest)));
        (stock, rest - stock)
    };

    Areas {
        chat,
        stats,
        claims,
        sale: Rect::new(x, area.y, right_w, sale),
        stock: Rect::new(x, area.y + sale, right_w, stock),
        replies: Rect::new(x, area.y + sale + stock, right_w, replies),
        show,
        status,
    }
}

/// A rectangle of at most `w`×`h` centered in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: Counts =
        Counts { sales: 3, products: 6, prompt: 0, replies: 13, claims: true, stats: false, show: false };

    fn check_tiles(area: Rect, a: &Areas) {
        let all = [a.chat, a.stats, a.claims, a.sale, a.stock, a.replies, a.show, a.status];
        for r in all {
            assert_eq!(r.intersection(area), r, "{r:?} outside {area:?}");
        }
        let total: u32 = all.iter().map(|r| r.area()).sum();
        assert_eq!(total, area.area(), "panes must tile the screen");
    }

    #[test]
    fn at_120x40_the_sale_pane_gets_room_for_big_digits() {
        let area = Rect::new(0, 0, 120, 40);
        let a = split(area, DEMO);
        check_tiles(area, &a);
        assert_eq!(a.chat, Rect::new(0, 0, 72, 29));
        assert_eq!(a.claims, Rect::new(0, 29, 72, 9));
        assert_eq!(a.sale.height, 14);
        assert!(a.stock.height >= 9 && a.replies.height >= 11);
        assert_eq!(a.status, Rect::new(0, 38, 120, 2));
    }

    #[test]
    fn at_80x24_everything_still_fits() {
        let area = Rect::new(0, 0, 80, 24);
        let a = split(area, DEMO);
        check_tiles(area, &a);
        assert_eq!(a.sale.width, 32);
        assert!(a.sale.height >= 7);
        assert!(a.stock.height >= 6 && a.replies.height >= 6, "{a:?}");
        assert_eq!((a.chat.height, a.claims.height), (16, 6));
    }

    #[test]
    fn without_claims_the_chat_has_the_whole_column() {
        let area = Rect::new(0, 0, 120, 40);
        let a = split(area, Counts { claims: false, ..DEMO });
        check_tiles(area, &a);
        assert_eq!(a.chat, Rect::new(0, 0, 72, 38));
        assert!(a.claims.is_empty());
    }

    #[test]
    fn the_stats_pane_takes_its_rows_from_the_chat() {
        for (w, h) in [(120, 40), (80, 24)] {
            let area = Rect::new(0, 0, w, h);
            let without = split(area, DEMO);
            let with = split(area, Counts { stats: true, ..DEMO });
            check_tiles(area, &with);
            assert_eq!(with.stats.height, STATS_ROWS);
            assert_eq!(with.chat.height, without.chat.height - STATS_ROWS);
            assert_eq!((with.stats.y, with.claims), (with.chat.bottom(), without.claims));
            assert!(without.stats.is_empty());
        }
    }

    #[test]
    fn a_run_of_show_takes_one_row_over_the_status_bar() {
        let area = Rect::new(0, 0, 80, 24);
        let (without, with) = (split(area, DEMO), split(area, Counts { show: true, ..DEMO }));
        check_tiles(area, &with);
        assert_eq!(with.show, Rect::new(0, 21, 80, 1));
        assert_eq!(with.status, without.status);
        assert!(without.show.is_empty());
    }

    #[test]
    fn long_lists_and_big_screens_tile() {
        for (w, h) in [(80, 24), (100, 30), (200, 50), (81, 25)] {
            for counts in [
                DEMO,
                Counts::default(),
                Counts { stats: true, ..DEMO },
                Counts {
                    sales: 40,
                    products: 80,
                    prompt: 3,
                    replies: 30,
                    claims: true,
                    stats: true,
                    show: true,
                },
                Counts { prompt: 3, ..DEMO },
                Counts { show: true, ..DEMO },
            ] {
                let area = Rect::new(0, 0, w, h);
                check_tiles(area, &split(area, counts));
            }
        }
    }
}
