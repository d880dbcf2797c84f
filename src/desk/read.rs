//! What the ui, the report and the store read of the desk. The desk alone changes its
//! state; these only look.

use chrono::{DateTime, Utc};

use super::catalog::{self, Catalog};
use super::chat::ChatLog;
use super::claims::Claims;
use super::health::Health;
use super::moderation::Moderation;
use super::replies::{Replies, Suggested, TemplateContext};
use super::sales::Sales;
use super::stats::Stats;
use super::viewers::{Card, Viewers};
use super::{Desk, Input, Link, explain, forecast, held, learned, send_queue, team};
use crate::config::model::ReplySpec;
use crate::protocol::{StreamInfo, StreamState};

impl Desk {
    /// Where the feed comes from, as the status bar says it.
    pub fn source(&self) -> &str {
        &self.state.source
    }
    /// Whether this is the built-in demo.
    pub fn demo(&self) -> bool {
        self.state.demo
    }
    /// The stream as the platform described it.
    pub fn stream(&self) -> &StreamInfo {
        &self.state.stream
    }
    /// The stream's state on the platform, once it said.
    pub fn stream_state(&self) -> Option<StreamState> {
        self.state.stream_state
    }
    /// The connection as the operator sees it.
    pub fn link(&self) -> &Link {
        &self.state.link
    }
    /// Platform time to desk time, for the last frame that carried a time.
    pub fn lag_ms(&self) -> Option<i64> {
        self.state.lag_ms
    }
    /// When the platform last restarted its numbering.
    pub fn renumbered_at(&self) -> Option<DateTime<Utc>> {
        self.state.renumbered_at
    }
    /// Outages, gaps, replays dropped and quiet spells of the feed.
    pub fn health(&self) -> &Health {
        &self.state.health
    }
    pub fn chat(&self) -> &ChatLog {
        &self.state.chat
    }
    pub fn catalog(&self) -> &Catalog {
        &self.state.catalog
    }
    pub fn claims(&self) -> &Claims {
        &self.state.claims
    }
    pub fn sales(&self) -> &Sales {
        &self.state.sales
    }
    pub fn replies(&self) -> &Replies {
        &self.state.replies
    }
    /// Blocked words, mutes and the pinned comment.
    pub fn moderation(&self) -> &Moderation {
        &self.state.moderation
    }
    pub fn stats(&self) -> &Stats {
        &self.state.stats
    }
    /// Each viewer's part in the stream, their history and the operator's notes.
    pub fn viewers(&self) -> &Viewers {
        &self.state.viewers
    }
    /// The product pinned on the stream.
    pub fn pinned(&self) -> Option<&str> {
        self.state.pinned.as_deref()
    }
    /// Chat sends waiting for the platform's send limit.
    pub fn send_queue(&self) -> &send_queue::SendQueue {
        &self.state.send_queue
    }
    /// The time of the last input.
    pub fn now(&self) -> DateTime<Utc> {
        self.state.now
    }
    /// Who did what, on a team desk.
    pub fn hands(&self) -> &team::Hands {
        &self.state.hands
    }
    /// The reply the pre-send check holds for the operator to send anyway or drop.
    pub fn held(&self) -> Option<&held::Held> {
        self.state.held.as_ref()
    }
    /// The run of show: the cue on now, the next, the timed cues due.
    pub fn show(&self) -> &super::show::Show {
        &self.state.show
    }
    /// Whether a cue's sale or giveaway has not run yet: its start key would start it.
    pub fn cue_waits_to_start(&self, cue: &super::show::Cue) -> bool {
        self.state.waits_to_start(cue)
    }
    /// Whether moving the show onto cue `i` would start its sale or giveaway: it has
    /// `start = true`, has not been reached, and nobody started it by hand.
    pub fn cue_starts_on_arrival(&self, i: usize) -> bool {
        let show = &self.state.show;
        show.starts_on_arrival(i) && show.cues().get(i).is_some_and(|c| self.state.waits_to_start(c))
    }
    /// The shop's own answers and fixes, this stream's and the earlier ones'.
    pub fn learned(&self) -> &learned::Memory {
        &self.state.learned
    }
    /// The product the stream is about now: the live sale's (the one started last), else
    /// the pinned one.
    pub fn current_product(&self) -> Option<&catalog::Product> {
        self.state.current_product()
    }
    /// The reply the desk suggests for a chat message, with its score and reasons.
    pub fn suggest(&self, msg_id: &str) -> Option<Suggested<'_>> {
        self.state.suggest(msg_id)
    }
    /// The reply the desk suggests for a chat message, if one fits.
    pub fn suggestion(&self, msg_id: &str) -> Option<&ReplySpec> {
        self.state.suggest(msg_id).map(|s| s.reply)
    }
    /// A canned reply filled for the message `to`, as it would be sent now; or the
    /// template fields nothing can fill.
    pub fn reply_text(
        &self,
        reply: &ReplySpec,
        to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String, Vec<&'static str>> {
        self.state.reply_text(reply, to, now)
    }
    /// The values for a reply template, for a message by `user` (if any).
    pub fn template_context(&self, user: Option<String>, now: DateTime<Utc>) -> TemplateContext {
        self.state.template_context(user, now)
    }
    /// What the desk made of the chat message `msg_id`, if it still has it.
    pub fn explain(&self, msg_id: &str) -> Option<explain::Explained> {
        self.state.explain(msg_id)
    }
    /// The card of a viewer seen in this stream or an earlier one.
    pub fn viewer_card(&self, user_id: &str) -> Option<Card> {
        self.state.viewer_card(user_id)
    }
    /// The viewer whose orders an input changes, so the store can keep their tally.
    pub fn buyer_of(&self, input: &Input) -> Option<String> {
        self.state.buyer_of(input)
    }
    /// Products that will sell out within the forecast's horizon at the rate they sell by
    /// `now`, the soonest first.
    pub fn sell_outs(&self, now: DateTime<Utc>) -> Vec<forecast::SellOut> {
        self.state.sell_outs(now)
    }
    /// The product out soonest, if soon enough for the operator to act: the Stock pane's
    /// prompt names it, and its keys act on it when no row is selected.
    pub fn sell_out_prompt(&self, now: DateTime<Utc>) -> Option<forecast::SellOut> {
        self.state.sell_outs(now).into_iter().next().filter(forecast::SellOut::soon)
    }
}
