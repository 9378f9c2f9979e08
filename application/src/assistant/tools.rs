//! The tools the assistant may call: their schemas (sent to the model) and the parsing of a
//! call's arguments, validated like API input (unknown fields, wrong types and malformed ids are
//! refused naming the field). Reads are scoped to the caller by the use cases they call; actions
//! are only proposed (see `confirm.rs`).

use domain::assistant::ToolSchema;
use domain::bots::BotKind;
use domain::shared::ids::{BotId, ContextId};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{FieldCode, FieldError};

/// One validated tool call.
#[derive(Clone, Debug, PartialEq)]
pub enum Tool {
    /// The caller's bots, with status, funds and breaker.
    ListBots,
    /// One bot in detail: status history, funds, breaker, positions.
    GetBot(BotId),
    /// The caller's trading contexts.
    ListContexts,
    /// The caller's latest orders, of one bot or all.
    ListOrders(Option<BotId>),
    /// A context's latest signal with every indicator's vote and values.
    LatestSignal(ContextId),
    /// A candle bot's latest analyses.
    BotSignals(BotId),
    /// The dashboard's figures (realized and unrealized P&L, win rate).
    DashboardSummary,
    /// Trades closed in the last `days` days and what they made.
    Performance(u32),
    /// The plan, what it allows and what is used.
    PlanAndUsage,
    /// What a bot setting means, from the documentation.
    ExplainSetting(String),
    /// Proposes pausing a bot.
    ProposePause(BotId),
    /// Proposes resuming a bot.
    ProposeResume(BotId),
    /// Proposes resetting a bot's circuit breaker.
    ProposeResetBreaker(BotId),
    /// Proposes an emergency sale (cancel everything, sell at market, stop).
    ProposeEmergencySell(BotId),
    /// Proposes creating a bot.
    ProposeCreateBot {
        /// Its context.
        context_id: ContextId,
        /// Its kind.
        kind: BotKind,
        /// Its name.
        name: String,
        /// Its configuration (validated again when confirmed).
        config: Value,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BotArg {
    bot_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionalBotArg {
    bot_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextArg {
    context_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DaysArg {
    days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingArg {
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateArgs {
    context_id: String,
    kind: String,
    name: String,
    config: Value,
}

fn invalid(field: &str, message: impl Into<String>) -> Vec<FieldError> {
    vec![FieldError::new(field, FieldCode::Invalid, message)]
}

fn args<T: for<'de> Deserialize<'de>>(raw: &str) -> Result<T, Vec<FieldError>> {
    let raw = if raw.trim().is_empty() { "{}" } else { raw };
    let de = &mut serde_json::Deserializer::from_str(raw);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let field = if matches!(path.as_str(), "." | "?") { "arguments".to_owned() } else { path };
        invalid(&field, err.inner().to_string())
    })
}

fn bot_id(raw: &str) -> Result<BotId, Vec<FieldError>> {
    BotId::parse(raw.trim()).ok_or_else(|| invalid("bot_id", "must be a bot id (26 characters)"))
}

fn context_id(raw: &str) -> Result<ContextId, Vec<FieldError>> {
    ContextId::parse(raw.trim()).ok_or_else(|| invalid("context_id", "must be a context id (26 characters)"))
}

impl Tool {
    /// Parses the call of tool `name` with the JSON `arguments` the model wrote. Errors: the
    /// unknown tool (`name`) or each bad argument, named.
    pub fn parse(name: &str, arguments: &str) -> Result<Tool, Vec<FieldError>> {
        Ok(match name {
            "list_bots" => args::<NoArgs>(arguments).map(|_| Tool::ListBots)?,
            "get_bot" => Tool::GetBot(bot_id(&args::<BotArg>(arguments)?.bot_id)?),
            "list_contexts" => args::<NoArgs>(arguments).map(|_| Tool::ListContexts)?,
            "list_orders" => {
                Tool::ListOrders(args::<OptionalBotArg>(arguments)?.bot_id.as_deref().map(bot_id).transpose()?)
            }
            "latest_signal" => Tool::LatestSignal(context_id(&args::<ContextArg>(arguments)?.context_id)?),
            "bot_signals" => Tool::BotSignals(bot_id(&args::<BotArg>(arguments)?.bot_id)?),
            "dashboard_summary" => args::<NoArgs>(arguments).map(|_| Tool::DashboardSummary)?,
            "performance" => match args::<DaysArg>(arguments)?.days.unwrap_or(7) {
                days @ 1..=90 => Tool::Performance(days),
                _ => return Err(invalid("days", "must be 1 to 90")),
            },
            "plan_and_usage" => args::<NoArgs>(arguments).map(|_| Tool::PlanAndUsage)?,
            "explain_setting" => {
                let name = args::<SettingArg>(arguments)?.name;
                if name.trim().is_empty() || name.len() > 64 {
                    return Err(invalid("name", "must be a setting name (1-64 characters)"));
                }
                Tool::ExplainSetting(name.trim().to_owned())
            }
            "propose_pause" => Tool::ProposePause(bot_id(&args::<BotArg>(arguments)?.bot_id)?),
            "propose_resume" => Tool::ProposeResume(bot_id(&args::<BotArg>(arguments)?.bot_id)?),
            "propose_reset_breaker" => Tool::ProposeResetBreaker(bot_id(&args::<BotArg>(arguments)?.bot_id)?),
            "propose_emergency_sell" => Tool::ProposeEmergencySell(bot_id(&args::<BotArg>(arguments)?.bot_id)?),
            "propose_create_bot" => {
                let a = args::<CreateArgs>(arguments)?;
                let kind = a.kind.parse::<BotKind>().map_err(|e| invalid("kind", e.to_string()))?;
                let name = crate::bots::check_name(&a.name).map_err(|e| vec![e])?;
                if !a.config.is_object() {
                    return Err(invalid("config", "must be an object"));
                }
                Tool::ProposeCreateBot { context_id: context_id(&a.context_id)?, kind, name, config: a.config }
            }
            other => {
                return Err(invalid("name", format!("unknown tool `{}`", other.chars().take(64).collect::<String>())))
            }
        })
    }
}

fn schema(name: &str, description: &str, properties: Value, required: &[&str]) -> ToolSchema {
    ToolSchema {
        name: name.to_owned(),
        description: description.to_owned(),
        parameters: json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false}),
    }
}

/// Every tool's schema, as sent to the model.
pub fn tool_schemas() -> Vec<ToolSchema> {
    let bot = json!({"bot_id": {"type": "string", "description": "The bot's id"}});
    let context = json!({"context_id": {"type": "string", "description": "The trading context's id"}});
    vec![
        schema("list_bots", "The user's bots: id, name, kind, market, status and why, funds, circuit breaker.", json!({}), &[]),
        schema("get_bot", "One of the user's bots in detail, with its recent status changes and open positions.", bot.clone(), &["bot_id"]),
        schema("list_contexts", "The user's trading contexts (exchange, market, paper or live, status).", json!({}), &[]),
        schema("list_orders", "The user's latest orders, of one bot or all.", bot.clone(), &[]),
        schema("latest_signal", "A context's latest analysis: BUY/SELL/HOLD, confidence, each indicator's vote and values.", context.clone(), &["context_id"]),
        schema("bot_signals", "A candle bot's latest analyses with indicator values.", bot.clone(), &["bot_id"]),
        schema("dashboard_summary", "The dashboard's figures per currency: invested, realized and unrealized P&L, win rate.", json!({}), &[]),
        schema("performance", "Trades closed in the last `days` days (default 7) and their realized profit.", json!({"days": {"type": "integer", "minimum": 1, "maximum": 90}}), &[]),
        schema("plan_and_usage", "The user's plan, what it allows and what is used.", json!({}), &[]),
        schema("explain_setting", "What a bot setting means (e.g. take_profit_percent, circuit_breaker), from the documentation.", json!({"name": {"type": "string"}}), &["name"]),
        schema("propose_pause", "Proposes pausing a bot; the user must confirm it.", bot.clone(), &["bot_id"]),
        schema("propose_resume", "Proposes resuming a paused bot; the user must confirm it.", bot.clone(), &["bot_id"]),
        schema("propose_reset_breaker", "Proposes resetting a tripped circuit breaker; the user must confirm it.", bot.clone(), &["bot_id"]),
        schema("propose_emergency_sell", "Proposes an emergency sale: cancel orders, sell everything at market, stop. The user must confirm it.", bot, &["bot_id"]),
        schema(
            "propose_create_bot",
            "Proposes creating a bot (not started) in a context; the user must confirm it. `config` follows the kind's settings.",
            json!({
                "context_id": {"type": "string"},
                "kind": {"type": "string", "enum": ["smart", "candle", "dca", "channel"]},
                "name": {"type": "string", "minLength": 1, "maxLength": 80},
                "config": {"type": "object"}
            }),
            &["context_id", "kind", "name", "config"],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_validated_like_api_input() {
        let id = BotId::new();
        assert_eq!(Tool::parse("get_bot", &format!(r#"{{"bot_id": "{id}"}}"#)).unwrap(), Tool::GetBot(id));
        assert_eq!(Tool::parse("get_bot", r#"{"bot_id": "x"}"#).unwrap_err()[0].field, "bot_id");
        assert_eq!(Tool::parse("get_bot", r#"{"bot_id": 5}"#).unwrap_err()[0].field, "bot_id");
        assert_eq!(Tool::parse("list_bots", r#"{"user_id": "someone"}"#).unwrap_err()[0].field, "user_id");
        assert_eq!(Tool::parse("list_bots", "{not json").unwrap_err()[0].field, "arguments");
        assert_eq!(Tool::parse("list_bots", "").unwrap(), Tool::ListBots);
        assert_eq!(Tool::parse("performance", r#"{"days": 0}"#).unwrap_err()[0].field, "days");
        assert_eq!(Tool::parse("performance", "{}").unwrap(), Tool::Performance(7));
        assert_eq!(Tool::parse("drop_tables", "{}").unwrap_err()[0].field, "name");
        let create = r#"{"context_id": "x", "kind": "smart", "name": "a", "config": {}}"#;
        assert_eq!(Tool::parse("propose_create_bot", create).unwrap_err()[0].field, "context_id");
    }

    #[test]
    fn every_schema_parses_back_by_name() {
        for s in tool_schemas() {
            let err = Tool::parse(&s.name, r#"{"zzz": 1}"#).unwrap_err();
            assert_ne!(err[0].field, "name", "{} is not parsed", s.name);
        }
    }
}
