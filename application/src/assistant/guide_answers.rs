//! The offline guide's answers: each recognised intent answered from the same tools the model
//! uses, with the caller's real data, in the message's language. Actions are proposed, never
//! done; what the guide does not understand it says plainly.

use domain::assistant::{ChunkSink, Conversation, MessageText};
use domain::bots::{Bot, BotKind, BotStatus};
use domain::contexts::ContextMode;
use domain::shared::ids::UserId;
use domain::PageRequest;
use serde_json::{json, Value};

use super::converse::Reply;
use super::guide::{detect, intent, tr, Intent, Language};
use super::tool_read::ToolOutput;
use super::tools::Tool;
use super::words_pt as words;
use super::{AssistantError, AssistantService};
use crate::bots::BotListQuery;

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

impl AssistantService {
    /// The guide's answer to `text`, streamed to `sink` line by line.
    pub(super) async fn guide_answer(
        &self,
        user: UserId,
        conversation: &Conversation,
        text: &MessageText,
        sink: &mut dyn ChunkSink,
    ) -> Result<Reply, AssistantError> {
        let lang = match detect(text.as_str()) {
            Some(lang) => lang,
            None => self.preferences(user).await?.1.into(),
        };
        let mut proposals = Vec::new();
        let answer = match intent(text.as_str()) {
            Intent::ListBots => self.data(user, conversation, Tool::ListBots, lang).await.map(|d| list_bots(lang, &d))?,
            Intent::Performance => {
                self.data(user, conversation, Tool::Performance(7), lang).await.map(|d| performance(lang, &d))?
            }
            Intent::ExplainSetting(name) => {
                let d = self.data(user, conversation, Tool::ExplainSetting(name), lang).await?;
                match d.get("meaning") {
                    Some(meaning) => format!(
                        "`{}` ({}): {}{}",
                        s(&d["setting"]),
                        s(&d["section"]),
                        s(meaning),
                        d["default"].as_str().map(|x| format!(" — {}: {x}", tr(lang, "padrão", "default"))).unwrap_or_default()
                    ),
                    None => tr(lang, "Não encontrei essa configuração na documentação dos bots.", "I found no such setting in the bot documentation."),
                }
            }
            Intent::WhyStopped | Intent::ExplainSignal | Intent::Pause | Intent::Resume | Intent::ResetBreaker => {
                let wanted = intent(text.as_str());
                match self.pick_bot(user, text.as_str(), lang).await? {
                    Err(question) => question,
                    Ok(bot) => match wanted {
                        Intent::WhyStopped => why_stopped(lang, &bot),
                        Intent::ExplainSignal => self.signal(user, conversation, &bot, lang).await?,
                        _ => {
                            let tool = match wanted {
                                Intent::Pause => Tool::ProposePause(bot.id),
                                Intent::Resume => Tool::ProposeResume(bot.id),
                                _ => Tool::ProposeResetBreaker(bot.id),
                            };
                            let output = self.run_tool(user, conversation, tool, lang).await?;
                            proposal_text(lang, output, &mut proposals)
                        }
                    },
                }
            }
            Intent::CreateBot => self.create_bot(user, conversation, lang, &mut proposals).await?,
            Intent::Unknown => tr(lang,
                "Sem um modelo de linguagem configurado, eu entendo apenas: listar e explicar seus bots, por que um bot parou, explicar um sinal, como você foi nesta semana, o que significa uma configuração, pausar ou retomar um bot, resetar o circuit breaker de um bot e criar seu primeiro bot. Não faço previsões de preço nem recomendações de investimento.",
                "Without a language model configured I only understand: list and explain your bots, why a bot stopped, explain a signal, how you did this week, what a setting means, pause or resume a bot, reset a bot's circuit breaker, and help you create your first bot. I do not predict prices or give investment advice."),
        };
        for line in answer.split_inclusive('\n') {
            sink.text(line);
        }
        Ok(Reply { text: answer, proposals, usage: None })
    }

    async fn data(
        &self,
        user: UserId,
        conversation: &Conversation,
        tool: Tool,
        lang: Language,
    ) -> Result<Value, AssistantError> {
        Ok(self.run_tool(user, conversation, tool, lang).await?.data)
    }

    /// The bot `text` names (by name or id), or the only one; otherwise a question.
    async fn pick_bot(&self, user: UserId, text: &str, lang: Language) -> Result<Result<Bot, String>, AssistantError> {
        let bots = match self.ports.bots.list(user, &BotListQuery::default(), PageRequest::new(0, 200)).await {
            Ok(page) => page.items,
            Err(err) => {
                tracing::warn!(user = %user, error = %err, "the guide could not list the caller's bots");
                return Ok(Err(tr(
                    lang,
                    "Não consegui ler seus bots agora; tente de novo.",
                    "I could not read your bots right now; try again.",
                )));
            }
        };
        let lower = text.to_lowercase();
        let named: Vec<&Bot> = bots
            .iter()
            .filter(|b| lower.contains(&b.id.to_string().to_lowercase()) || lower.contains(&b.name.to_lowercase()))
            .collect();
        let chosen = match (named.as_slice(), bots.as_slice()) {
            ([one], _) => return Ok(Ok((*one).clone())),
            ([], [one]) => return Ok(Ok(one.clone())),
            (_, []) => tr(
                lang,
                "Você ainda não tem bots. Peça: \"crie meu primeiro bot\".",
                "You have no bots yet. Ask: \"help me create my first bot\".",
            ),
            _ => {
                let names: Vec<String> = bots.iter().map(|b| format!("\"{}\"", b.name)).collect();
                format!("{} {}", tr(lang, "De qual bot? Diga o nome:", "Which bot? Say its name:"), names.join(", "))
            }
        };
        Ok(Err(chosen))
    }

    async fn signal(
        &self,
        user: UserId,
        c: &Conversation,
        bot: &Bot,
        lang: Language,
    ) -> Result<String, AssistantError> {
        let analysis = if bot.kind() == BotKind::Candle {
            let d = self.data(user, c, Tool::BotSignals(bot.id), lang).await?;
            d["signals"].get(0).map(|r| r["event"].get("analysis").cloned().unwrap_or_else(|| r["event"].clone()))
        } else {
            let d = self.data(user, c, Tool::LatestSignal(bot.context_id), lang).await?;
            d.get("analysis").cloned()
        };
        let Some(a) = analysis.filter(|a| a.get("signal").is_some()) else {
            return Ok(tr(
                lang,
                "Ainda não há sinal registrado para este mercado (a análise roda a cada candle fechado).",
                "No signal is recorded for this market yet (the analysis runs on each closed candle).",
            ));
        };
        let mut out = format!(
            "{} {}: {} ({} {}).\n",
            tr(lang, "Último sinal de", "Latest signal for"),
            bot.symbol,
            words::signal(lang, &s(&a["signal"])),
            tr(lang, "confiança", "confidence"),
            words::signal(lang, &s(&a["confidence"]))
        );
        for vote in a["votes"].as_array().into_iter().flatten() {
            let values = vote["values"].as_object().into_iter().flatten().map(|(k, v)| format!("{k} = {}", s(v)));
            out.push_str(&format!(
                "- {} ({}): {}\n",
                s(&vote["indicator"]),
                words::signal(lang, &s(&vote["signal"])),
                values.collect::<Vec<_>>().join(", ")
            ));
        }
        Ok(out)
    }

    async fn create_bot(
        &self,
        user: UserId,
        c: &Conversation,
        lang: Language,
        proposals: &mut Vec<domain::assistant::Proposal>,
    ) -> Result<String, AssistantError> {
        let contexts =
            self.ports.contexts.list(user, PageRequest::new(0, 50)).await.map(|p| p.items).unwrap_or_default();
        let Some(paper) = contexts.iter().find(|c| c.mode == ContextMode::Paper) else {
            return Ok(tr(lang,
                "Primeiro crie um contexto de simulação (paper): POST /api/contexts com {\"exchange\": \"mercado_bitcoin\", \"symbol\": \"BTC-BRL\", \"mode\": \"paper\"}. Depois me peça de novo e eu proponho um primeiro bot.",
                "First create a paper (simulated) context: POST /api/contexts with {\"exchange\": \"mercado_bitcoin\", \"symbol\": \"BTC-BRL\", \"mode\": \"paper\"}. Then ask me again and I will propose a first bot."));
        };
        let config = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000"});
        let tool = Tool::ProposeCreateBot {
            context_id: paper.id,
            kind: BotKind::Smart,
            name: tr(lang, "Meu primeiro bot", "My first bot"),
            config,
        };
        let output = self.run_tool(user, c, tool, lang).await?;
        let intro = tr(lang,
            "Sugiro começar com um SmartBot manual no seu contexto de simulação: 1000 alocados, 100 por compra; ele só compra quando você mandar, e as regras de risco que você definir vendem por ele.",
            "I suggest starting with a manual SmartBot in your paper context: 1000 allocated, 100 per purchase; it buys only when you tell it to, and the risk rules you set sell for it.");
        Ok(format!("{intro}\n{}", proposal_text(lang, output, proposals)))
    }
}

fn proposal_text(lang: Language, output: ToolOutput, proposals: &mut Vec<domain::assistant::Proposal>) -> String {
    let Some(proposal) = output.proposal else {
        return format!(
            "{} {}",
            tr(lang, "Não posso propor isso:", "I cannot propose that:"),
            words::refusal(lang, &output.data)
        );
    };
    let text = format!(
        "{} {}. {} POST /api/assistant/proposals/{}/confirm",
        tr(lang, "Proposta:", "Proposal:"),
        proposal.summary,
        tr(lang, "Nada foi feito ainda; para confirmar:", "Nothing was done yet; to confirm:"),
        proposal.id
    );
    proposals.push(proposal);
    text
}

fn list_bots(lang: Language, d: &Value) -> String {
    let bots = d["bots"].as_array().cloned().unwrap_or_default();
    if bots.is_empty() {
        return tr(
            lang,
            "Você ainda não tem bots. Peça: \"crie meu primeiro bot\".",
            "You have no bots yet. Ask: \"help me create my first bot\".",
        );
    }
    let mut out = format!("{} {}:\n", tr(lang, "Seus bots:", "Your bots:"), bots.len());
    for b in &bots {
        out.push_str(&format!(
            "- \"{}\" ({} {} {}): {}{}; {} {}\n",
            s(&b["name"]),
            words::kind(lang, &s(&b["kind"])),
            s(&b["symbol"]),
            words::mode(lang, &s(&b["mode"])),
            words::status(lang, &s(&b["status"])),
            b["status_reason"].as_str().map(|r| format!(" ({})", words::reason(lang, r))).unwrap_or_default(),
            tr(lang, "lucro realizado", "realized profit"),
            s(&b["funds"]["realized_profit"]),
        ));
    }
    out
}

fn why_stopped(lang: Language, bot: &Bot) -> String {
    if bot.status == BotStatus::Running {
        return format!("\"{}\" {}", bot.name, tr(lang, "está rodando normalmente.", "is running normally."));
    }
    let mut out = format!("\"{}\" {} `{}`", bot.name, tr(lang, "está", "is"), words::status(lang, bot.status.as_str()));
    if let Some(last) = bot.history.last() {
        out.push_str(&format!(
            " {} {} ({}: {})",
            tr(lang, "desde", "since"),
            last.at.date(),
            tr(lang, "motivo", "reason"),
            words::reason(lang, &last.reason)
        ));
    } else if let Some(reason) = &bot.status_reason {
        out.push_str(&format!(" ({})", words::reason(lang, reason)));
    }
    out.push('.');
    if let Some(trip) = &bot.breaker.tripped {
        out.push_str(&format!(
            "\n{} {}",
            tr(lang, "O circuit breaker disparou:", "The circuit breaker tripped:"),
            words::trip(lang, &trip.reason)
        ));
        out.push_str(&tr(
            lang,
            "\nPara voltar a operar, peça para resetar o circuit breaker (eu proponho e você confirma).",
            "\nTo trade again, ask me to reset the circuit breaker (I propose, you confirm).",
        ));
    } else if bot.status == BotStatus::Paused {
        out.push_str(&tr(lang, "\nPara voltar a operar, peça \"retomar\".", "\nTo trade again, ask me to resume it."));
    }
    out
}

fn performance(lang: Language, d: &Value) -> String {
    if d.get("error").is_some() {
        return format!(
            "{} {}",
            tr(lang, "Não consegui ler suas operações:", "I could not read your trades:"),
            words::refusal(lang, d)
        );
    }
    let profit: Vec<String> =
        d["realized_profit"].as_object().into_iter().flatten().map(|(q, p)| format!("{} {q}", s(p))).collect();
    format!(
        "{} {} {}: {} {}, {} {}; {} {}.",
        tr(lang, "Nos últimos", "In the last"),
        s(&d["days"]),
        tr(lang, "dias", "days"),
        s(&d["trades"]),
        tr(lang, "operações fechadas", "closed trades"),
        s(&d["wins"]),
        tr(lang, "com lucro", "won"),
        tr(lang, "lucro realizado", "realized profit"),
        if profit.is_empty() { "0".to_owned() } else { profit.join(", ") }
    )
}
