//! Runs a tool for the caller: reads through the use cases (each scoped to its owner, inside the
//! plan's history window) into plain JSON data, or records a proposal. A refusal becomes data
//! (`{"error": ...}`) the model or the guide can relay; no tool result carries a secret
//! (credentials are never read, contexts carry none).

use domain::assistant::{Conversation, Proposal, ProposedAction};
use domain::bots::Bot;
use domain::shared::ids::UserId;
use domain::PageRequest;
use serde::Serialize;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;

use super::guide::Language;
use super::tools::Tool;
use super::{settings_doc, summaries, AssistantError, AssistantService};
use crate::bots::BotListQuery;
use crate::orders::OrderListQuery;
use crate::reports::TradesQuery;

/// What a tool produced: data for the model, and the proposal it recorded, if any.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ToolOutput {
    /// The result, as data.
    pub data: Value,
    /// A proposal awaiting confirmation.
    pub proposal: Option<Proposal>,
}

fn value<T: Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}

fn refused(err: impl std::fmt::Display) -> Value {
    json!({ "error": err.to_string() })
}

/// A call the plan does not allow, as data: nothing was read or proposed.
fn not_allowed(errors: &[crate::FieldError]) -> Value {
    json!({
        "error": "not allowed by the user's plan; nothing was done",
        "errors": errors.iter().map(|e| json!({"field": e.field, "message": e.message})).collect::<Vec<_>>(),
    })
}

/// A bot as the tools show it.
pub(super) fn bot_data(bot: &Bot) -> Value {
    json!({
        "id": bot.id.to_string(),
        "name": bot.name,
        "kind": value(&bot.kind()),
        "exchange": value(&bot.exchange),
        "symbol": bot.symbol.to_string(),
        "mode": value(&bot.mode),
        "status": bot.status.as_str(),
        "status_reason": bot.status_reason,
        "funds": value(&bot.funds),
        "circuit_breaker": {
            "enabled": bot.breaker.enabled,
            "consecutive_losses": bot.breaker.consecutive_losses,
            "limits": value(&bot.breaker.limits),
            "tripped": value(&bot.breaker.tripped),
        },
        "open_positions": bot.positions.iter().filter(|p| p.is_held()).count(),
        "last_price": bot.last_price.map(|p| p.to_string()),
    })
}

impl AssistantService {
    /// Runs `tool` for `user` in `conversation`, whose language is `lang` (explanations and
    /// proposal summaries are written in it).
    pub(super) async fn run_tool(
        &self,
        user: UserId,
        conversation: &Conversation,
        tool: Tool,
        lang: Language,
    ) -> Result<ToolOutput, AssistantError> {
        let p = &self.ports;
        let access = p.subscriptions.access(user).await?;
        if let Err(errors) = tool.authorize(access.plan, &access.entitlements) {
            return Ok(ToolOutput { data: not_allowed(&errors), proposal: None });
        }
        let data = match tool {
            Tool::ListBots => match p.bots.list(user, &BotListQuery::default(), PageRequest::new(0, 50)).await {
                Ok(page) => json!({"total": page.total, "bots": page.items.iter().map(bot_data).collect::<Vec<_>>()}),
                Err(err) => refused(err),
            },
            Tool::GetBot(id) => match p.bots.get(user, id).await {
                Ok(bot) => {
                    let mut data = bot_data(&bot);
                    data["history"] = value(&bot.history);
                    data["config"] = value(&bot.config);
                    data["positions"] = value(&bot.positions);
                    data
                }
                Err(err) => refused(err),
            },
            Tool::ListContexts => match p.contexts.list(user, PageRequest::new(0, 50)).await {
                Ok(page) => json!({"contexts": page.items.iter().map(|c| json!({
                    "id": c.id.to_string(), "exchange": value(&c.exchange), "market": format!("{}-{}", c.base, c.quote),
                    "mode": value(&c.mode), "status": value(&c.status), "status_reason": c.status_reason,
                })).collect::<Vec<_>>()}),
                Err(err) => refused(err),
            },
            Tool::ListOrders(bot) => {
                let query = OrderListQuery { bot, ..OrderListQuery::default() };
                match p.orders.list(user, &query, PageRequest::new(0, 20)).await {
                    Ok(w) => json!({"total": w.page.total, "orders": w.page.items.iter().map(|o| json!({
                        "id": o.id.to_string(), "bot_id": o.bot_id.map(|b| b.to_string()), "symbol": o.symbol.to_string(),
                        "side": value(&o.side), "type": value(&o.kind), "status": value(&o.status),
                        "filled_quantity": o.filled_quantity.to_string(), "average_fill_price": o.average_fill_price.map(|p| p.to_string()),
                        "reason": o.reason, "error": o.error,
                    })).collect::<Vec<_>>()}),
                    Err(err) => refused(err),
                }
            }
            Tool::LatestSignal(context) => match p.analysis.latest(user, context).await {
                Ok(Some(s)) => json!({"context_id": context.to_string(), "symbol": s.symbol.to_string(),
                    "timeframe": value(&s.timeframe), "close": s.close.to_string(), "analysis": value(&s.analysis)}),
                Ok(None) => {
                    json!({"context_id": context.to_string(), "signal": null, "note": "no signal recorded yet"})
                }
                Err(err) => refused(err),
            },
            Tool::BotSignals(bot) => match p.bots.signals(user, bot, PageRequest::new(0, 5)).await {
                Ok(w) => {
                    json!({"signals": w.page.items.iter().map(|r| json!({"at": r.at.format(&Rfc3339).ok(), "event": value(&r.event)})).collect::<Vec<_>>()})
                }
                Err(err) => refused(err),
            },
            Tool::DashboardSummary => match p.dashboard.summary(user).await {
                Ok(s) => json!({"currencies": s.currencies.iter().map(|c| json!({
                    "mode": value(&c.mode), "quote": c.quote, "total_invested": c.figures.total_invested.to_string(),
                    "realized_pnl": c.figures.realized_pnl.to_string(), "unrealized_pnl": c.figures.unrealized_pnl.map(|d| d.to_string()),
                    "win_rate": c.figures.win_rate.map(|d| d.to_string()), "trades": c.figures.trades,
                    "bots": c.figures.bots, "active_bots": c.figures.active_bots, "pending_orders": c.figures.pending_orders,
                })).collect::<Vec<_>>()}),
                Err(err) => refused(err),
            },
            Tool::Performance(days) => self.performance(user, days).await,
            Tool::PlanAndUsage => {
                let overview = p.subscriptions.overview(user).await?;
                let quota = self.quota(user).await?;
                json!({"plan": overview.effective_plan.as_str(), "status": value(&overview.subscription.status),
                    "bots": {"used": overview.bots.used, "limit": overview.bots.limit.max()},
                    "contexts": {"used": overview.contexts.used, "limit": overview.contexts.limit.max()},
                    "bot_kinds": value(&overview.entitlements.bot_kinds),
                    "advanced_indicators": overview.entitlements.advanced_indicators,
                    "history_days": overview.entitlements.history_days,
                    "assistant_messages_today": {"used": quota.used, "limit": quota.limit.max()}})
            }
            Tool::ExplainSetting(name) => match settings_doc::explain(&name, lang) {
                Some(found) => {
                    json!({"setting": found.name, "section": found.section, "default": found.default, "meaning": found.meaning})
                }
                None => json!({"setting": name, "error": "no setting of that name in the bot documentation"}),
            },
            Tool::ProposePause(bot) => {
                return self.propose(user, conversation, ProposedAction::PauseBot { bot_id: bot }, lang).await
            }
            Tool::ProposeResume(bot) => {
                return self.propose(user, conversation, ProposedAction::ResumeBot { bot_id: bot }, lang).await
            }
            Tool::ProposeResetBreaker(bot) => {
                return self.propose(user, conversation, ProposedAction::ResetBreaker { bot_id: bot }, lang).await
            }
            Tool::ProposeEmergencySell(bot) => {
                return self.propose(user, conversation, ProposedAction::EmergencySell { bot_id: bot }, lang).await
            }
            Tool::ProposeCreateBot { context_id, kind, name, config } => {
                let action = ProposedAction::CreateBot { context_id, kind, name, config };
                return self.propose(user, conversation, action, lang).await;
            }
        };
        Ok(ToolOutput { data, proposal: None })
    }

    async fn performance(&self, user: UserId, days: u32) -> Value {
        let from = self.ports.clock.now() - time::Duration::days(i64::from(days));
        let query = TradesQuery { from: from.format(&Rfc3339).ok(), ..TradesQuery::default() };
        let reports = &self.ports.reports;
        let scope = match reports.trade_scope(user, &query).await {
            Ok(scope) => scope,
            Err(err) => return refused(err),
        };
        let (mut trades, mut wins) = (0u64, 0u64);
        let mut by_quote: std::collections::BTreeMap<String, rust_decimal::Decimal> = Default::default();
        let mut offset = 0;
        loop {
            let page = match scope.page(reports, PageRequest::new(offset, PageRequest::MAX_LIMIT)).await {
                Ok(page) => page,
                Err(err) => return refused(err),
            };
            let read = page.items.len() as u64;
            for t in &page.items {
                trades += 1;
                wins += u64::from(t.won());
                *by_quote.entry(t.symbol.quote().to_string()).or_default() += t.position.realized_profit;
            }
            offset += read;
            if read < PageRequest::MAX_LIMIT {
                break;
            }
        }
        json!({"days": days, "from": from.format(&Rfc3339).ok(), "trades": trades, "wins": wins,
            "realized_profit": by_quote.iter().map(|(q, p)| (q.clone(), Value::String(p.normalize().to_string()))).collect::<serde_json::Map<_, _>>()})
    }

    /// Records a proposal after checking its bot is the caller's (a proposal never names
    /// another user's bot); confirmation re-checks everything through the use case.
    async fn propose(
        &self,
        user: UserId,
        conversation: &Conversation,
        action: ProposedAction,
        lang: Language,
    ) -> Result<ToolOutput, AssistantError> {
        let p = &self.ports;
        let summary = match &action {
            ProposedAction::CreateBot { context_id, kind, name, .. } => match p.contexts.get(user, *context_id).await {
                Ok(c) => {
                    let market = format!("{}-{}", c.base, c.quote);
                    summaries::create(lang, *kind, name, &market, c.mode)
                }
                Err(err) => return Ok(ToolOutput { data: refused(err), proposal: None }),
            },
            ProposedAction::PauseBot { bot_id }
            | ProposedAction::ResumeBot { bot_id }
            | ProposedAction::ResetBreaker { bot_id }
            | ProposedAction::EmergencySell { bot_id } => match p.bots.get(user, *bot_id).await {
                Ok(bot) => summaries::act(lang, &action, &bot),
                Err(err) => return Ok(ToolOutput { data: refused(err), proposal: None }),
            },
        };
        let proposal = Proposal::new(user, conversation.id, action, summary, self.now());
        p.conversations.propose(&proposal).await?;
        let data = json!({"proposal_id": proposal.id.to_string(), "action": proposal.action.kind(),
            "summary": proposal.summary, "status": "pending_confirmation",
            "note": "nothing was done: the user must confirm this proposal"});
        Ok(ToolOutput { data, proposal: Some(proposal) })
    }
}
