//! The offline guide's understanding: the language (Portuguese or English) and the intent of a
//! message, recognised deterministically from keywords, with the setting a question names. No
//! model is involved; what it does not recognise it says it cannot do.

use super::{glossary_pt, settings_doc};

/// The language a message is written in (and answered in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    /// Portuguese.
    Pt,
    /// English.
    En,
}

/// What a message asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Intent {
    /// List and explain my bots.
    ListBots,
    /// Why did this bot stop (pause, trip, stop)?
    WhyStopped,
    /// Explain this signal.
    ExplainSignal,
    /// How did I do (this week)?
    Performance,
    /// What does this setting mean?
    ExplainSetting(String),
    /// Pause a bot.
    Pause,
    /// Resume a bot.
    Resume,
    /// Reset a bot's tripped circuit breaker (what the guide suggests after a trip).
    ResetBreaker,
    /// Help me create a (first) bot.
    CreateBot,
    /// Anything else.
    Unknown,
}

const PT_WORDS: &[&str] = &[
    "o",
    "os",
    "um",
    "uma",
    "eu",
    "por favor",
    "qual",
    "quais",
    "quanto",
    "hoje",
    "ontem",
    "meu",
    "meus",
    "minha",
    "por que",
    "porque",
    "parou",
    "sinal",
    "como",
    "semana",
    "configuração",
    "significa",
    "o que",
    "pausar",
    "retomar",
    "criar",
    "crie",
    "primeiro",
    "você",
    "voce",
    "está",
    "esta",
    "quero",
    "não",
    "lucro",
    "desempenho",
    "explique",
    "explica",
    "robô",
    "robôs",
    "fui",
    "olá",
    "ola",
];

fn has(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| contains_word(text, w))
}

/// Whether `text` holds `word` as a whole word (or phrase).
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let boundary = |c: char| !(c.is_alphanumeric() || c == '_');
        let before = text[..i].chars().next_back().is_none_or(boundary);
        let after = text[i + word.len()..].chars().next().is_none_or(boundary);
        before && after
    })
}

const EN_WORDS: &[&str] = &[
    "my", "the", "why", "what", "how", "list", "did", "does", "this", "mean", "means", "help", "please", "show",
    "stop", "stopped", "pause", "resume", "create", "first", "week", "explain", "signal", "is", "are", "do", "will",
    "you", "can", "i", "it", "go", "up", "down", "tomorrow", "today", "should", "buy", "sell", "hello", "hi", "reset",
];

/// The language of `text`: Portuguese when it uses Portuguese words or accents, English when it
/// uses English words, else `None` (a bare name or id: the user's own language answers).
pub fn detect(text: &str) -> Option<Language> {
    let lower = text.to_lowercase();
    if has(&lower, PT_WORDS) || lower.chars().any(|c| "ãõçáéíóúâêà".contains(c)) {
        Some(Language::Pt)
    } else if has(&lower, EN_WORDS) {
        Some(Language::En)
    } else {
        None
    }
}

impl From<domain::identity::Language> for Language {
    fn from(value: domain::identity::Language) -> Self {
        match value {
            domain::identity::Language::PtBr => Language::Pt,
            domain::identity::Language::En => Language::En,
        }
    }
}

/// Picks the phrase of `lang`.
pub(crate) fn tr(lang: Language, pt: &str, en: &str) -> String {
    match lang {
        Language::Pt => pt.to_owned(),
        Language::En => en.to_owned(),
    }
}

/// A setting named in `text`: a documented name (`take_profit_percent`) or a topic
/// ("circuit breaker").
fn setting_in(text: &str) -> Option<String> {
    if let Some((_, name)) = glossary_pt::ALIASES.iter().find(|(alias, _)| contains_word(text, alias)) {
        return Some((*name).to_owned());
    }
    let words: Vec<&str> = text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let named = words.iter().find(|w| w.contains('_') && settings_doc::explain(w, Language::En).is_some());
    if let Some(name) = named {
        return Some((*name).to_owned());
    }
    let pairs = words.windows(2).map(|p| format!("{} {}", p[0], p[1]));
    pairs
        .chain(words.iter().map(|w| (*w).to_owned()))
        .find(|w| w.len() > 3 && settings_doc::explain(w, Language::En).is_some())
}

/// What `text` asks for.
pub fn intent(text: &str) -> Intent {
    let t = text.to_lowercase();
    let why = has(&t, &["why", "por que", "porque", "pq", "por quê", "motivo"]);
    let stopped = has(
        &t,
        &[
            "stop",
            "stopped",
            "pause",
            "paused",
            "tripped",
            "halted",
            "not trading",
            "parou",
            "parado",
            "pausado",
            "pausou",
            "desarmou",
            "disparou",
            "travou",
            "desligou",
        ],
    );
    if why && stopped {
        return Intent::WhyStopped;
    }
    let reset = has(&t, &["reset", "resetar", "resete", "reseta", "rearmar", "rearme", "zerar", "zere"]);
    if reset && has(&t, &["breaker", "disjuntor", "circuit"]) {
        return Intent::ResetBreaker;
    }
    if has(&t, &["resume", "unpause", "retomar", "retome", "retoma", "despausar", "reativar", "reative", "continuar"]) {
        return Intent::Resume;
    }
    if has(&t, &["pause", "pausar", "pausa", "pause o"]) {
        return Intent::Pause;
    }
    if has(
        &t,
        &["create", "new bot", "first bot", "set up", "criar", "crie", "novo bot", "primeiro bot", "configurar um"],
    ) {
        return Intent::CreateBot;
    }
    if has(&t, &["signal", "signals", "indicator", "indicators", "sinal", "sinais", "indicador", "indicadores"]) {
        return Intent::ExplainSignal;
    }
    if has(
        &t,
        &[
            "how did i do",
            "performance",
            "profit",
            "p&l",
            "this week",
            "results",
            "como fui",
            "como me saí",
            "desempenho",
            "lucro",
            "resultado",
            "resultados",
            "rendimento",
            "esta semana",
            "nesta semana",
        ],
    ) {
        return Intent::Performance;
    }
    if has(&t, &["mean", "means", "what is", "what's", "explain", "significa", "o que é", "explique", "explica"]) {
        if let Some(name) = setting_in(&t) {
            return Intent::ExplainSetting(name);
        }
    }
    if has(&t, &["bots", "bot", "list", "robôs", "robô", "robos", "liste", "listar", "mostre", "meus"]) {
        return Intent::ListBots;
    }
    setting_in(&t).map_or(Intent::Unknown, Intent::ExplainSetting)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_intent_is_recognised_in_both_languages() {
        let cases = [
            ("List my bots", "Liste meus bots", Intent::ListBots),
            ("Why did my bot stop?", "Por que meu bot parou?", Intent::WhyStopped),
            ("Explain this signal", "Explique este sinal", Intent::ExplainSignal),
            ("How did I do this week?", "Como fui nesta semana?", Intent::Performance),
            ("Pause my bot", "Pausar meu bot", Intent::Pause),
            ("Resume my bot", "Retomar meu bot", Intent::Resume),
            ("Reset the circuit breaker", "Resete o circuit breaker", Intent::ResetBreaker),
            ("Help me create my first bot", "Me ajude a criar meu primeiro bot", Intent::CreateBot),
        ];
        for (en, pt, want) in cases {
            assert_eq!(intent(en), want, "{en}");
            assert_eq!(intent(pt), want, "{pt}");
            assert_eq!(detect(en), Some(Language::En), "{en}");
            assert_eq!(detect(pt), Some(Language::Pt), "{pt}");
        }
    }

    #[test]
    fn settings_are_named_and_other_requests_are_not_understood() {
        assert_eq!(intent("What does take_profit_percent mean?"), Intent::ExplainSetting("take_profit_percent".into()));
        assert_eq!(intent("O que significa circuit breaker?"), Intent::ExplainSetting("circuit breaker".into()));
        assert_eq!(intent("Will bitcoin go up tomorrow?"), Intent::Unknown);
        assert_eq!(intent("Why did my bot pause?"), Intent::WhyStopped);
        assert!(!contains_word("unpaused", "pause"));
        assert_eq!(intent("O que é o disjuntor?"), Intent::ExplainSetting("circuit_breaker".into()));
        assert_eq!(intent("Explique o stop móvel"), Intent::ExplainSetting("trailing_stop".into()));
    }

    #[test]
    fn a_message_that_says_nothing_of_its_language_is_left_to_the_profile() {
        assert_eq!(detect("Alpha?"), None);
        assert_eq!(detect("01JD0000000000000000000000"), None);
        assert_eq!(detect("pausar Alpha"), Some(Language::Pt));
        assert_eq!(detect("pause Alpha"), Some(Language::En));
        assert_eq!(detect("Pause o Alpha, por favor"), Some(Language::Pt));
    }
}
