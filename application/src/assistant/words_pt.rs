//! Our own words in a Portuguese answer: bot statuses, kinds and modes, signals and
//! confidences, circuit-breaker trips and the status reasons botfleet writes (by its owner, by the
//! engine, by the plan), and the refusals a tool hands back. English answers keep the wire names.
//! What the user wrote (bot names) and technical details quoted from elsewhere (an exchange's
//! error) stay as they are: they are data.

use domain::bots::TripReason;
use serde_json::Value;

use super::guide::Language;

/// A bot status (`running`) in `lang`.
pub(crate) fn status(lang: Language, status: &str) -> String {
    let pt = match status {
        "created" => "criado",
        "running" => "rodando",
        "paused" => "pausado",
        "stopped" => "parado",
        "tripped" => "interrompido pelo circuit breaker",
        other => other,
    };
    pick(lang, pt, status)
}

/// A bot kind (`smart`) in `lang`.
pub(crate) fn kind(lang: Language, kind: &str) -> String {
    let pt = match kind {
        "smart" => "SmartBot",
        "candle" => "bot de candles",
        "dca" => "bot DCA",
        "channel" => "bot de canal",
        other => other,
    };
    pick(lang, pt, kind)
}

/// A context mode (`paper`) in `lang`.
pub(crate) fn mode(lang: Language, mode: &str) -> String {
    let pt = match mode {
        "paper" => "simulação",
        "live" => "conta real",
        other => other,
    };
    pick(lang, pt, mode)
}

/// A signal (`BUY`) or a confidence (`HIGH`) in `lang`.
pub(crate) fn signal(lang: Language, word: &str) -> String {
    let pt = match word {
        "BUY" => "COMPRA",
        "SELL" => "VENDA",
        "HOLD" => "MANTER",
        "LOW" => "baixa",
        "MEDIUM" => "média",
        "HIGH" => "alta",
        other => other,
    };
    pick(lang, pt, word)
}

/// Why a circuit breaker tripped, in `lang`.
pub(crate) fn trip(lang: Language, reason: &TripReason) -> String {
    match (lang, reason) {
        (Language::En, _) => reason.describe(),
        (Language::Pt, TripReason::ConsecutiveLosses { count }) => format!("{count} operações perdedoras seguidas"),
        (Language::Pt, TripReason::DailyLoss { loss, limit }) => {
            format!("perda realizada de {loss} em 24 horas atingiu o limite de {limit}")
        }
    }
}

const EXACT: &[(&str, &str)] = &[
    ("started by its owner", "iniciado por você"),
    ("resumed by its owner", "retomado por você"),
    ("paused by its owner", "pausado por você"),
    ("stopped by its owner", "parado por você"),
    ("circuit breaker reset", "circuit breaker resetado"),
    ("emergency sell", "venda de emergência"),
    ("stopped: the account was deleted", "parado: a conta foi excluída"),
    ("dca accumulation sold; auto_restart is off", "acumulação DCA vendida; auto_restart está desligado"),
    ("its context no longer exists", "o contexto dele não existe mais"),
    ("the plan does not include advanced indicators", "o plano não inclui indicadores avançados"),
    ("funds withdrawn outside botfleet", "fundos retirados fora do botfleet"),
];

/// A status reason botfleet wrote (`paused by its owner`, `circuit breaker: 3 losing trades in a
/// row`), in `lang`; a reason it does not know is kept as written.
pub(crate) fn reason(lang: Language, reason: &str) -> String {
    if lang == Language::En {
        return reason.to_owned();
    }
    reason_pt(reason).unwrap_or_else(|| reason.to_owned())
}

fn reason_pt(r: &str) -> Option<String> {
    if let Some((_, pt)) = EXACT.iter().find(|(en, _)| *en == r) {
        return Some((*pt).to_owned());
    }
    let rest = |prefix: &str| r.strip_prefix(prefix);
    if let Some(why) = rest("circuit breaker: ") {
        return Some(format!("circuit breaker: {}", trip_text_pt(why)));
    }
    if let Some(why) = rest("paused by the engine: ") {
        return Some(format!("pausado pelo motor: {}", reason_pt(why).unwrap_or_else(|| why.to_owned())));
    }
    if let Some(why) = rest("its context is paused: ") {
        return Some(format!("o contexto dele está pausado: {}", reason(Language::Pt, why)));
    }
    if let Some(stage) = rest("its evaluation failed (").or_else(|| rest("its sync failed (")) {
        let what = stage.strip_suffix("); check the bot, then resume it")?;
        let step = if r.starts_with("its evaluation") { "avaliação" } else { "sincronização" };
        return Some(format!("a {step} dele falhou ({what}); verifique o bot e depois retome-o"));
    }
    if let Some(kind_) = rest("the plan does not include ").and_then(|k| k.strip_suffix(" bots")) {
        let plural = match kind_ {
            "smart" => "SmartBots",
            "candle" => "bots de candles",
            "dca" => "bots DCA",
            "channel" => "bots de canal",
            other => other,
        };
        return Some(format!("o plano não inclui {plural}"));
    }
    if let Some(max) = rest("the plan allows ").and_then(|k| k.strip_suffix(" bots and older bots take every place")) {
        return Some(format!("o plano permite {max} bots e os mais antigos ocupam todas as vagas"));
    }
    if let Some(inner) = rest("paused: its books cannot be trusted: ") {
        let faults = inner.split(". Compare its orders").next().unwrap_or(inner);
        return Some(format!(
            "pausado: os registros dele não são confiáveis ({faults}). Compare as ordens dele com o histórico da \
             conta na exchange e corrija a causa (uma ordem ou venda feita fora do botfleet, um depósito ou saque do \
             ativo), depois retome-o; ou faça a venda de emergência e crie um novo bot"
        ));
    }
    if let Some(inner) = rest("funds withdrawn outside botfleet: the exchange holds ") {
        let (holds, needs) = inner.split_once(", the bots need ")?;
        return Some(format!("fundos retirados fora do botfleet: a exchange tem {holds}, os bots precisam de {needs}"));
    }
    if let Some(inner) = rest("funds back on the exchange: it holds ") {
        let (holds, needs) = inner.split_once(", the bots need ")?;
        return Some(format!("fundos de volta na exchange: ela tem {holds}, os bots precisam de {needs}"));
    }
    if let Some(inner) = rest("paused: ") {
        // A plan's refusal, with why the limits were enforced: `paused: <refusal> (<why>)`.
        let (refusal, why) = inner.strip_suffix(')').and_then(|i| i.rsplit_once(" (")).unwrap_or((inner, ""));
        let refusal = reason_pt(refusal).unwrap_or_else(|| refusal.to_owned());
        let why = if why.is_empty() { String::new() } else { format!(" ({})", reason(Language::Pt, why)) };
        return Some(format!("pausado: {refusal}{why}"));
    }
    None
}

fn trip_text_pt(why: &str) -> String {
    if let Some(count) = why.strip_suffix(" losing trades in a row") {
        return format!("{count} operações perdedoras seguidas");
    }
    let daily = why.strip_prefix("realized loss of ").and_then(|r| r.split_once(" in 24 hours reached the limit of "));
    match daily {
        Some((loss, limit)) => format!("perda realizada de {loss} em 24 horas atingiu o limite de {limit}"),
        None => why.to_owned(),
    }
}

/// The refusal a tool handed back as data (`{"error", "errors"}`), in `lang`.
pub(crate) fn refusal(lang: Language, data: &Value) -> String {
    let error = data["error"].as_str().unwrap_or_default();
    if lang == Language::En {
        let fields: Vec<String> = data["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["message"].as_str().map(str::to_owned))
            .collect();
        return if fields.is_empty() { error.to_owned() } else { format!("{error} ({})", fields.join("; ")) };
    }
    if data.get("errors").is_some() && error.starts_with("not allowed by the user's plan") {
        return "o seu plano não permite isso; nada foi feito.".to_owned();
    }
    if error.ends_with("not found") {
        return "não encontrei isso entre os seus dados.".to_owned();
    }
    "a ação foi recusada; nada foi feito.".to_owned()
}

fn pick(lang: Language, pt: &str, en: &str) -> String {
    match lang {
        Language::Pt => pt.to_owned(),
        Language::En => en.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reasons_we_write_read_in_portuguese() {
        let pt = |r: &str| reason(Language::Pt, r);
        assert_eq!(pt("paused by its owner"), "pausado por você");
        assert_eq!(pt("circuit breaker: 3 losing trades in a row"), "circuit breaker: 3 operações perdedoras seguidas");
        assert_eq!(
            pt("circuit breaker: realized loss of 50 in 24 hours reached the limit of 40"),
            "circuit breaker: perda realizada de 50 em 24 horas atingiu o limite de 40"
        );
        assert_eq!(
            pt("paused by the engine: its context is paused: paused by its owner"),
            "pausado pelo motor: o contexto dele está pausado: pausado por você"
        );
        assert_eq!(
            pt("paused by the engine: the plan does not include dca bots"),
            "pausado pelo motor: o plano não inclui bots DCA"
        );
        assert_eq!(
            pt("paused by the engine: its sync failed (timeout); check the bot, then resume it"),
            "pausado pelo motor: a sincronização dele falhou (timeout); verifique o bot e depois retome-o"
        );
        assert_eq!(
            pt("paused: the plan allows 1 bots and older bots take every place (plan changed)"),
            "pausado: o plano permite 1 bots e os mais antigos ocupam todas as vagas (plan changed)"
        );
        assert_eq!(reason(Language::En, "paused by its owner"), "paused by its owner");
        assert_eq!(pt("written by someone else"), "written by someone else", "unknown: kept as data");
    }
}
