//! Tools per plan: what the plans differ in (`Entitlements`: the bot kinds, the advanced
//! indicators, the history window) shapes the tools the model is offered, and a call the plan
//! does not allow (a forged kind, a window beyond the plan's) is refused as data before anything
//! is read or proposed. Confirmation still runs the REST API's own entitlement checks; this keeps
//! the model from being offered, or acting through, what the plan does not sell.

use domain::assistant::ToolSchema;
use domain::bots::BotConfig;
use domain::subscriptions::{Entitlements, Plan};
use serde_json::{json, Value};

use super::tools::{tool_schemas, Tool};
use crate::{FieldCode, FieldError};

/// The longest window the `performance` tool reads, in days.
pub(crate) const PERFORMANCE_MAX_DAYS: u32 = 90;

/// The most days back `performance` may read on a plan: its history window, at most
/// [`PERFORMANCE_MAX_DAYS`].
fn performance_days(e: &Entitlements) -> u32 {
    e.history_days.map_or(PERFORMANCE_MAX_DAYS, |d| d.min(PERFORMANCE_MAX_DAYS))
}

/// The tools offered on a plan with entitlements `e`: every tool, `propose_create_bot` limited
/// to the plan's bot kinds (and saying whether advanced indicators are included), `performance`
/// to the plan's history window.
pub fn tool_schemas_for(e: &Entitlements) -> Vec<ToolSchema> {
    let mut schemas = tool_schemas();
    for schema in &mut schemas {
        let properties = &mut schema.parameters["properties"];
        match schema.name.as_str() {
            "propose_create_bot" => {
                let kinds: Vec<&str> = e.bot_kinds.iter().map(|k| k.as_str()).collect();
                properties["kind"]["enum"] = json!(kinds);
                let advanced = if e.advanced_indicators {
                    " Advanced indicators (vwap, mfi, volume_profile, atr, obv) are included on Binance contexts."
                } else {
                    " Advanced indicators (vwap, mfi, volume_profile, atr, obv) are not included in the user's plan."
                };
                schema.description.push_str(advanced);
            }
            "performance" => properties["days"]["maximum"] = Value::from(performance_days(e)),
            _ => {}
        }
    }
    schemas
}

fn refused(field: &str, message: String) -> Vec<FieldError> {
    vec![FieldError::new(field, FieldCode::NotAllowed, message)]
}

impl Tool {
    /// Whether the `plan` (with entitlements `e`) allows this call. Errors: the argument the plan
    /// refuses, named (a bot kind it does not include, advanced indicators, days beyond its
    /// history window).
    pub fn authorize(&self, plan: Plan, e: &Entitlements) -> Result<(), Vec<FieldError>> {
        match self {
            Tool::ProposeCreateBot { kind, config, .. } => {
                if !e.allows_kind(*kind) {
                    return Err(refused("kind", format!("the {plan} plan does not include {kind} bots")));
                }
                let advanced = matches!(BotConfig::parse(*kind, config), Ok(BotConfig::Candle(c)) if c.uses_advanced());
                if advanced && !e.advanced_indicators {
                    let message = format!("the {plan} plan does not include advanced indicators");
                    return Err(refused("config.indicators", message));
                }
                Ok(())
            }
            Tool::Performance(days) if *days > performance_days(e) => {
                Err(refused("days", format!("the {plan} plan's history reaches {} days back", performance_days(e))))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::bots::BotKind;
    use domain::subscriptions::EntitlementTable;

    use super::*;

    fn schema<'a>(schemas: &'a [ToolSchema], name: &str) -> &'a Value {
        &schemas.iter().find(|s| s.name == name).expect("offered").parameters["properties"]
    }

    #[test]
    fn each_plan_is_offered_its_kinds_and_its_history_window() {
        let table = EntitlementTable::default();
        let free = tool_schemas_for(&table.for_plan(Plan::Free));
        assert_eq!(schema(&free, "propose_create_bot")["kind"]["enum"], json!(["smart"]));
        assert_eq!(schema(&free, "performance")["days"]["maximum"], 30);
        let max = tool_schemas_for(&table.for_plan(Plan::Max));
        assert_eq!(schema(&max, "propose_create_bot")["kind"]["enum"], json!(["smart", "candle", "dca", "channel"]));
        assert_eq!(schema(&max, "performance")["days"]["maximum"], 90);
    }

    #[test]
    fn a_call_beyond_the_plan_is_refused_naming_the_argument() {
        let table = EntitlementTable::default();
        let (free, pro) = (table.for_plan(Plan::Free), table.for_plan(Plan::Pro));
        let create = |kind: BotKind, config: Value| Tool::ProposeCreateBot {
            context_id: domain::shared::ids::ContextId::new(),
            kind,
            name: "x".into(),
            config,
        };
        let dca = create(BotKind::Dca, json!({}));
        assert_eq!(dca.authorize(Plan::Free, &free).unwrap_err()[0].field, "kind");
        assert!(dca.authorize(Plan::Pro, &pro).is_ok());
        let candle = json!({"timeframe": "1h", "indicators": [{"indicator": "vwap"}], "order_amount": "100",
            "allocated_balance": "1000"});
        let advanced = create(BotKind::Candle, candle);
        assert_eq!(advanced.authorize(Plan::Pro, &pro).unwrap_err()[0].field, "config.indicators");
        assert!(advanced.authorize(Plan::Max, &table.for_plan(Plan::Max)).is_ok());
        assert_eq!(Tool::Performance(31).authorize(Plan::Free, &free).unwrap_err()[0].field, "days");
        assert!(Tool::Performance(30).authorize(Plan::Free, &free).is_ok());
    }
}
