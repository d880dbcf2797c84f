//! The Chat pane narrowed to one viewer or a search, the search line, and the moderation keys:
//! snapshots of the pane and behaviour tests of the view state.

use ratatui::style::Modifier;

use super::*;
use crate::desk::chat::MsgKind;
use crate::ui::view::ChatFilter;

/// The Chat pane of the last frame, row by row, wide characters once.
fn chat_pane(term: &Terminal<TestBackend>, view: &ViewState) -> String {
    let area = view.hits.panes[0].1;
    let buf = term.backend().buffer();
    let mut out = String::new();
    for y in area.y..area.bottom() {
        let mut x = area.x;
        while x < area.right() {
            let symbol = buf[(x, y)].symbol();
            out.push_str(symbol);
            x += text::width(symbol).max(1) as u16;
        }
        out.push('\n');
    }
    out
}

fn pane(d: &Desk, view: &mut ViewState, w: u16, h: u16) -> String {
    let term = render(d, view, w, h);
    chat_pane(&term, view)
}

/// Types a query into the search line and presses enter.
fn search(view: &mut ViewState, d: &Desk, query: &str) {
    let mut keys = vec![key('/')];
    keys.extend(text_keys(query));
    keys.push(code(KeyCode::Enter));
    for effect in typed(view, d, &keys) {
        assert_eq!(effect, Effect::None);
    }
}

/// Pauses the chat on `msg_id`'s message.
fn select(view: &mut ViewState, d: &Desk, msg_id: &str) {
    act(view, d, KeyAction::Up);
    view.chat.selected = index_of(d, msg_id);
}

fn title_of(pane: &str) -> &str {
    pane.lines().next().unwrap_or_default()
}

// ---------------------------------------------------------------- snapshots

#[test]
fn snapshot_chat_narrowed_to_one_viewer_and_to_a_search() {
    let d = triage_desk();
    let mut view = ViewState::new();
    select(&mut view, &d, "m17");
    assert_eq!(view.on_key(&key('w'), &keymap(), &d), Effect::None);
    act(&mut view, &d, KeyAction::Bottom);
    let shown = pane(&d, &mut view, 120, 40);
    assert!(title_of(&shown).contains("Viewer: maria (2)"), "{shown}");
    insta::assert_snapshot!("chat_view_viewer_120x40", shown);
    insta::assert_snapshot!("chat_view_viewer_80x24", pane(&d, &mut view, 80, 24));

    let mut view = ViewState::new();
    search(&mut view, &d, "is:buyer \"how much\"");
    let shown = pane(&d, &mut view, 120, 40);
    assert!(title_of(&shown).contains("Search: is:buyer \"how much\" (1)"), "{shown}");
    insta::assert_snapshot!("chat_view_search_120x40", shown);
    let mut view = ViewState::new();
    search(&mut view, &d, "re:\\bpink\\b");
    insta::assert_snapshot!("chat_view_search_80x24", pane(&d, &mut view, 80, 24));
}

#[test]
fn snapshot_the_search_line_while_typing_and_when_a_regex_is_bad() {
    let d = triage_desk();
    let mut view = ViewState::new();
    typed(&mut view, &d, &[key('/')]);
    typed(&mut view, &d, &text_keys("from:maria ¿envío? 💅"));
    let shown = pane(&d, &mut view, 80, 24);
    let last = shown.lines().rev().nth(1).unwrap();
    assert!(last.starts_with("│/ from:maria ¿envío? 💅"), "{last}");
    insta::assert_snapshot!("chat_search_line_80x24", shown);

    typed(&mut view, &d, &[KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)]);
    typed(&mut view, &d, &text_keys("price re:(pink"));
    typed(&mut view, &d, &[code(KeyCode::Enter)]);
    let line = view.search().expect("a bad regex keeps the line open");
    assert_eq!(line.error.as_deref(), Some("re:(pink: unclosed group"));
    assert_eq!(*view.chat_filter(), ChatFilter::All, "nothing was applied");
    let shown = pane(&d, &mut view, 80, 24);
    assert!(shown.contains("✖ re:(pink: unclosed group"), "{shown}");
    insta::assert_snapshot!("chat_search_error_80x24", shown);
    // Typing again clears the error.
    typed(&mut view, &d, &[code(KeyCode::Backspace)]);
    assert_eq!(view.search().unwrap().error, None);
    assert_eq!(view.search().unwrap().text, "price re:(pin");
}

#[test]
fn snapshot_pinned_muted_and_hidden_comments() {
    let mut chat = crate::config::model::ChatConfig::default();
    chat.blocked.words = vec!["scam".into()];
    let mut d = welcomed(ShopConfig { chat, ..shop() });
    say(&mut d, 10, "ann", "use code NAILS10 at checkout", t(10));
    say(&mut d, 11, "loud", "BUY MY STUFF", t(11));
    d.apply(Input::Operator(Action::PinMessage { msg_id: "m10".into() }), t(12));
    let mute = Action::MuteViewer { user_id: "id-loud".into(), name: Some("loud".into()), seconds: Some(60) };
    d.apply(Input::Operator(mute), t(13));
    say(&mut d, 12, "loud", "still here!!", t(20));
    let event = Event::Order {
        order_id: "o1".into(),
        user: user("loud", None),
        sku: "COFFIN-NUDE".into(),
        qty: 1,
        unit_price: "9.99".parse().unwrap(),
        currency: "GBP".into(),
        status: OrderStatus::Paid,
    };
    feed(&mut d, 16, event, t(21));
    say(&mut d, 13, "troll", "this is a SCAM", t(21));
    say(&mut d, 14, "loud", "back again", t(80));
    say(&mut d, 15, "bea", "love it", t(81));
    d.apply(Input::Tick, t(82));
    let mut view = ViewState::new();
    let term = render(&d, &mut view, 80, 24);
    let shown = chat_pane(&term, &view);
    assert!(title_of(&shown).contains("1 hidden"), "{shown}");
    assert!(shown.lines().nth(1).unwrap().contains("▲ pinned ann: use code NAILS10 at checkout"), "{shown}");
    assert!(!shown.contains("SCAM"), "{shown}");
    // Said while muted: dimmed, marked, and its tags are not shown.
    let buf = term.backend().buffer();
    let rows = view.hits.chat_rows_area;
    let row_of = |needle: &str| {
        (rows.y..rows.bottom())
            .find(|&y| {
                let line: String = (rows.x..rows.right()).map(|x| buf[(x, y)].symbol()).collect();
                line.contains(needle)
            })
            .unwrap_or_else(|| panic!("{needle} is on screen: {shown}"))
    };
    let theme = Theme::default();
    let y = row_of("still here");
    let x = (rows.x..rows.right()).find(|&x| buf[(x, y)].symbol() == "s").unwrap();
    assert_eq!(buf[(x, y)].fg, theme.dim.fg.unwrap());
    assert!(shown.contains("(muted) loud: still here!!"), "{shown}");
    assert!(shown.contains("• loud ordered 1×"), "an order is never dimmed: {shown}");
    assert!(
        shown.contains("loud: back again") && !shown.contains("(muted) loud: back again"),
        "the mute ended: {shown}"
    );
    insta::assert_snapshot!("chat_pinned_muted_hidden_80x24", shown);
}

// ---------------------------------------------------------------- one viewer

#[test]
fn the_viewer_key_narrows_to_the_selection_and_the_view_keys_leave_it() {
    let d = triage_desk();
    let mut view = ViewState::new();
    // Following, the newest viewer message is ivy's.
    view.on_key(&key('w'), &keymap(), &d);
    assert_eq!(view.chat_filter().label(), "Viewer");
    render(&d, &mut view, 120, 40);
    let mut rows: Vec<u64> = view.hits.chat_rows.iter().flatten().copied().collect();
    rows.dedup();
    let said: Vec<(&str, &str)> = rows
        .iter()
        .map(|&i| d.chat().get(i).unwrap())
        .map(|m| (m.user_name.as_str(), m.text.as_str()))
        .collect();
    assert_eq!(said, [("ivy", "so pretty"), ("ivy", "so pretty")]);
    assert_eq!(view.chat_filter().count(d.chat()), 2);
    for (k, want) in
        [('Q', "Questions"), ('A', "All"), ('B', "Buyers"), ('U', "Unanswered"), ('M', "Mentions")]
    {
        view.on_key(&key('w'), &keymap(), &d);
        assert_eq!(view.chat_filter().label(), "Viewer");
        view.on_key(&key(k), &keymap(), &d);
        assert_eq!(view.chat_filter().label(), want, "{k}");
    }
    view.on_key(&key('w'), &keymap(), &d);
    view.on_key(&code(KeyCode::Esc), &keymap(), &d);
    assert_eq!(*view.chat_filter(), ChatFilter::All, "esc leaves it too");
    // `v` from a narrowed view goes back to All.
    view.on_key(&key('w'), &keymap(), &d);
    view.on_key(&key('v'), &keymap(), &d);
    assert_eq!(*view.chat_filter(), ChatFilter::All);
}

#[test]
fn an_order_line_narrows_to_its_buyer() {
    let d = triage_desk();
    let mut view = ViewState::new();
    let order_line =
        d.chat().messages().iter().find(|m| m.kind == MsgKind::System && m.user_name == "bea").unwrap();
    act(&mut view, &d, KeyAction::Up);
    view.chat.selected = order_line.index;
    view.on_key(&key('w'), &keymap(), &d);
    let said: Vec<&str> =
        d.chat().messages().iter().filter(|m| view.chat_filter().shows(m)).map(|m| m.text.as_str()).collect();
    assert_eq!(
        said,
        ["ordered 2× Press-on nails, coffin, milky nude (£19.98)", "how much is the almond pink?"]
    );
}

// ---------------------------------------------------------------- search

#[test]
fn the_search_line_types_edits_cancels_and_applies() {
    let d = triage_desk();
    let mut view = ViewState::new();
    act(&mut view, &d, KeyAction::FocusStock);
    typed(&mut view, &d, &[key('/')]);
    assert_eq!(view.focus, Pane::Chat, "the line opens in the Chat pane");
    // Every key types, even those the keymap binds (q would quit, 1 would send a reply).
    let effects = typed(&mut view, &d, &text_keys("q1Dx\u{202e}\u{7}"));
    assert!(effects.iter().all(|e| *e == Effect::None));
    assert_eq!(view.search().unwrap().text, "q1Dx", "no bidi override, no control");
    typed(&mut view, &d, &[code(KeyCode::Backspace), code(KeyCode::Backspace)]);
    assert_eq!(view.search().unwrap().text, "q1");
    let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    typed(&mut view, &d, &[ctrl_u]);
    assert_eq!(view.search().unwrap().text, "");
    typed(&mut view, &d, &text_keys("from:ivy"));
    typed(&mut view, &d, &[code(KeyCode::Esc)]);
    assert!(view.search().is_none());
    assert_eq!(*view.chat_filter(), ChatFilter::All, "esc cancels");

    search(&mut view, &d, "FROM:IVY");
    assert_eq!(view.chat_filter().label(), "Search");
    assert_eq!(view.chat_filter().count(d.chat()), 2);
    // `/` again holds the query to edit; an empty query shows every comment again.
    typed(&mut view, &d, &[key('/')]);
    assert_eq!(view.search().unwrap().text, "FROM:IVY");
    typed(&mut view, &d, &[ctrl_u, code(KeyCode::Enter)]);
    assert!(view.search().is_none());
    assert_eq!(*view.chat_filter(), ChatFilter::All);
    // Esc (bound to view_all) and A leave an applied search.
    for leave in [code(KeyCode::Esc), key('A')] {
        search(&mut view, &d, "pink");
        assert_eq!(view.chat_filter().label(), "Search");
        view.on_key(&leave, &keymap(), &d);
        assert_eq!(*view.chat_filter(), ChatFilter::All);
    }
}

#[test]
fn search_terms_narrow_in_english_spanish_and_by_tag() {
    let d = triage_desk();
    let shown = |query: &str| {
        let mut view = ViewState::new();
        search(&mut view, &d, query);
        let mut names: Vec<String> = d
            .chat()
            .messages()
            .iter()
            .filter(|m| view.chat_filter().shows(m))
            .map(|m| m.user_name.clone())
            .collect();
        names.dedup();
        names
    };
    assert_eq!(shown("almond pink"), ["bea", "hal"]);
    assert_eq!(shown("\"almond pink\" is:question"), ["bea"]);
    assert_eq!(shown("ENVÍO méxico"), ["dani"]);
    assert_eq!(shown("is:shipping"), ["maria", "cruz", "dani"]);
    assert_eq!(shown("is:complaint"), ["eve"]);
    assert_eq!(shown("is:mention"), ["fay"]);
    assert_eq!(shown("is:spam"), ["lee", "gus", "ivy"]);
    assert_eq!(shown("is:unanswered from:maria"), ["maria"]);
    assert_eq!(shown("re:^so\\s+pretty$"), ["ivy"]);
    assert_eq!(shown("💅"), ["maria"]);
}

#[test]
fn a_search_pauses_counts_new_matches_and_end_follows_again() {
    let mut d = triage_desk();
    let mut view = ViewState::new();
    search(&mut view, &d, "pink");
    render(&d, &mut view, 120, 40);
    act(&mut view, &d, KeyAction::Up);
    assert!(!view.following());
    say(&mut d, 300, "jo", "nice", t(160));
    say(&mut d, 301, "kim", "the PINK ones please", t(161));
    say(&mut d, 302, "lu", "pink!!", t(162));
    assert_eq!(view.new_since_pause(&d), 2);
    let shown = pane(&d, &mut view, 120, 40);
    assert!(shown.contains("▼ 2 new — end to follow"), "{shown}");
    assert!(title_of(&shown).contains("Search: pink (5)") && title_of(&shown).contains("paused"), "{shown}");
    view.on_key(&code(KeyCode::End), &keymap(), &d);
    assert!(view.following());
    assert_eq!(view.selected_message(&d).unwrap().text, "pink!!");
}

#[test]
fn the_search_line_draws_over_the_paused_marker_without_losing_it() {
    let d = triage_desk();
    let mut view = ViewState::new();
    render(&d, &mut view, 80, 24);
    act(&mut view, &d, KeyAction::Up);
    typed(&mut view, &d, &[key('/')]);
    let shown = pane(&d, &mut view, 80, 24);
    let rows: Vec<&str> = shown.lines().collect();
    let n = rows.len();
    assert!(rows[n - 2].starts_with("│/ "), "{shown}");
    assert!(rows[n - 3].contains("▼ paused — end to follow"), "{shown}");
}

// ---------------------------------------------------------------- moderation keys

#[test]
fn moderation_keys_act_on_the_selected_comment() {
    let d = triage_desk();
    let mut view = ViewState::new();
    select(&mut view, &d, "m17");
    assert_eq!(
        view.on_key(&key('D'), &keymap(), &d),
        Effect::Desk(Action::DeleteMessage { msg_id: "m17".into() })
    );
    assert_eq!(
        view.on_key(&key('!'), &keymap(), &d),
        Effect::Desk(Action::PinMessage { msg_id: "m17".into() })
    );
    assert_eq!(
        view.on_key(&key('Z'), &keymap(), &d),
        Effect::Desk(Action::MuteViewer {
            user_id: "id-maria".into(),
            name: Some("maria".into()),
            seconds: Some(600)
        })
    );
    // An order line is no comment: nothing to delete, mute or pin.
    let order_line = d.chat().messages().iter().find(|m| m.kind == MsgKind::System).unwrap().index;
    view.chat.selected = order_line;
    for k in ['D', 'Z', '!'] {
        assert_eq!(view.on_key(&key(k), &keymap(), &d), Effect::None, "{k}");
    }
}

#[test]
fn while_following_moderation_acts_on_the_comment_on_screen_not_one_just_arrived() {
    let mut d = triage_desk();
    let mut view = ViewState::new();
    render(&d, &mut view, 120, 40);
    let on_screen = view.selected_message(&d).unwrap().msg_id.clone();
    say(&mut d, 400, "newcomer", "hello!", t(170));
    assert_eq!(view.selected_message(&d).unwrap().user_name, "newcomer", "the selection follows");
    assert_eq!(
        view.on_key(&key('D'), &keymap(), &d),
        Effect::Desk(Action::DeleteMessage { msg_id: on_screen })
    );
    render(&d, &mut view, 120, 40);
    assert_eq!(
        view.on_key(&key('D'), &keymap(), &d),
        Effect::Desk(Action::DeleteMessage { msg_id: "m400".into() })
    );
}

#[test]
fn a_deleted_comment_is_struck_out_after_the_platform_acks() {
    let mut d = triage_desk();
    let mut view = ViewState::new();
    select(&mut view, &d, "m202");
    let Effect::Desk(action) = view.on_key(&key('D'), &keymap(), &d) else { panic!("D deletes") };
    let out = d.apply(Input::Operator(action), t(170));
    let reference = match &out[..] {
        [crate::desk::Output::Send(crate::protocol::Command::DeleteChat { reference, msg_id })] => {
            assert_eq!(msg_id, "m202");
            reference.clone()
        }
        other => panic!("one delete_chat: {other:?}"),
    };
    feed(&mut d, 500, Event::Ack { reference, ok: true, error: None }, t(171));
    let term = render(&d, &mut view, 120, 40);
    let shown = chat_pane(&term, &view);
    assert!(shown.contains("dani (deleted)"), "{shown}");
    let buf = term.backend().buffer();
    let rows = view.hits.chat_rows_area;
    let y = (rows.y..rows.bottom())
        .find(|&y| view.hits.chat_rows[usize::from(y - rows.y)] == Some(index_of(&d, "m202")));
    let y = y.expect("the deleted comment is on screen");
    let x = (rows.x..rows.right()).find(|&x| buf[(x, y)].symbol() == "d").unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::CROSSED_OUT));
}
