//! A proposal's summary in the conversation's language: what confirming it will do, as the user
//! reads it in the answer and in `GET /api/assistant/proposals/{id}`.

use domain::assistant::ProposedAction;
use domain::bots::{Bot, BotKind};
use domain::contexts::ContextMode;

use super::guide::Language;

/// The summary of creating the `kind` bot `name` on `market` in a `mode` context.
pub(crate) fn create(lang: Language, kind: BotKind, name: &str, market: &str, mode: ContextMode) -> String {
    match lang {
        Language::En => {
            let mode = if mode == ContextMode::Paper { "paper" } else { "live" };
            format!("create the {} bot \"{name}\" on {market} ({mode})", kind_name(kind))
        }
        Language::Pt => {
            let mode = if mode == ContextMode::Paper { "simulação" } else { "conta real" };
            format!("criar o {} \"{name}\" em {market} ({mode})", kind_name_pt(kind))
        }
    }
}

/// The summary of `action` (pause, resume, reset, emergency sell) on `bot`.
pub(crate) fn act(lang: Language, action: &ProposedAction, bot: &Bot) -> String {
    let (name, symbol) = (&bot.name, &bot.symbol);
    match (lang, action) {
        (Language::En, ProposedAction::PauseBot { .. }) => format!("pause the bot \"{name}\" ({symbol})"),
        (Language::En, ProposedAction::ResumeBot { .. }) => format!("resume the bot \"{name}\" ({symbol})"),
        (Language::En, ProposedAction::ResetBreaker { .. }) => {
            format!("reset the circuit breaker of the bot \"{name}\" ({symbol})")
        }
        (Language::En, ProposedAction::EmergencySell { .. }) => {
            format!("sell everything held by and stop the bot \"{name}\" ({symbol})")
        }
        (Language::Pt, ProposedAction::PauseBot { .. }) => format!("pausar o bot \"{name}\" ({symbol})"),
        (Language::Pt, ProposedAction::ResumeBot { .. }) => format!("retomar o bot \"{name}\" ({symbol})"),
        (Language::Pt, ProposedAction::ResetBreaker { .. }) => {
            format!("resetar o circuit breaker do bot \"{name}\" ({symbol})")
        }
        (Language::Pt, ProposedAction::EmergencySell { .. }) => {
            format!("vender a mercado tudo o que o bot \"{name}\" ({symbol}) tem e pará-lo")
        }
        (_, ProposedAction::CreateBot { name, .. }) => create(lang, bot.kind(), name, &symbol.to_string(), bot.mode),
    }
}

fn kind_name(kind: BotKind) -> &'static str {
    match kind {
        BotKind::Smart => "smart",
        BotKind::Candle => "candle",
        BotKind::Dca => "DCA",
        BotKind::Channel => "channel",
    }
}

fn kind_name_pt(kind: BotKind) -> &'static str {
    match kind {
        BotKind::Smart => "SmartBot",
        BotKind::Candle => "bot de candles",
        BotKind::Dca => "bot DCA",
        BotKind::Channel => "bot de canal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_creation_reads_in_each_language() {
        let en = create(Language::En, BotKind::Dca, "Alpha", "BTC-BRL", ContextMode::Paper);
        assert_eq!(en, "create the DCA bot \"Alpha\" on BTC-BRL (paper)");
        let pt = create(Language::Pt, BotKind::Smart, "Alpha", "BTC-BRL", ContextMode::Paper);
        assert_eq!(pt, "criar o SmartBot \"Alpha\" em BTC-BRL (simulação)");
    }
}
