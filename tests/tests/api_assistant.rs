//! The assistant through the running server on both stores, without a language model (the
//! offline guide, the default): each supported intent answered in Portuguese and in English from
//! the real data of a paper bot; actions proposed and run only on their owner's confirmation;
//! conversations private to their owner; answers streamed as ordered Server-Sent Events;
//! conversations exported and erased with the account (the quota: `api_assistant_quota.rs`).

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::assistant::{ask, conversation, said, send, send_streaming};
use botfleet_tests::bots::{bot, bot_app, command, create_bot, price, run, trader};
use domain::bots::{BotStatus, StatusChange, Trip, TripReason};
use domain::subscriptions::Plan;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(
    the_offline_guide_answers_each_intent_in_both_languages_from_a_paper_bot,
    conversations_are_private_and_actions_run_only_on_their_owners_confirmation,
    answers_stream_as_ordered_server_sent_events,
    conversations_are_exported_and_erased_with_the_account,
    a_portuguese_answer_is_portuguese_throughout,
);

/// A running manual SmartBot "Alpha" of `user` in `context` that bought at 100 000 and sold at
/// 110 000 (one closed trade); returns its id.
async fn alpha(app: &TestApp, user: &Session, context: &str) -> String {
    price(app, &user.access, dec!(100000)).await;
    let config = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000"});
    let mut body = json!({"context_id": context, "kind": "smart", "name": "Alpha", "config": config});
    let id = app.post("/api/bots", Some(&user.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    command(app, user, &id, "start").await;
    let buy = app
        .post(&format!("/api/bots/{id}/buy"), Some(&user.access), &json!({"type": "market", "quote_amount": "250"}))
        .await;
    buy.ok(201);
    let positions = app.get(&format!("/api/bots/{id}/positions"), Some(&user.access)).await;
    let position = positions.ok(200)["open"][0]["id"].as_str().unwrap().to_owned();
    price(app, &user.access, dec!(110000)).await;
    body = json!({"type": "market", "position_id": position});
    app.post(&format!("/api/bots/{id}/sell"), Some(&user.access), &body).await.ok(201);
    id
}

/// Confirms proposal `id` as `user`.
async fn confirm(app: &TestApp, user: &Session, id: &str) -> botfleet_tests::app::Answer {
    app.post(&format!("/api/assistant/proposals/{id}/confirm"), Some(&user.access), &json!({})).await
}

/// The only proposal of an answer.
fn proposal(body: &Value) -> String {
    let proposals = body["proposals"].as_array().expect("proposals");
    assert_eq!(proposals.len(), 1, "{body}");
    assert_eq!(body["answer"]["proposals"][0], proposals[0]["id"]);
    proposals[0]["id"].as_str().unwrap().to_owned()
}

async fn the_offline_guide_answers_each_intent_in_both_languages_from_a_paper_bot(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let id = alpha(&app, &ana, &ctx).await;
    let c = conversation(&app, &ana).await;
    let realized = bot(&app, &ana, &id).await["funds"]["realized_profit"].as_str().unwrap().to_owned();

    // List and explain my bots.
    let en = ask(&app, &ana, &c, "List my bots").await;
    assert_eq!(en["answer"]["answered_by"], "guide");
    assert!(
        said(&en).contains("Your bots: 1") && said(&en).contains("\"Alpha\" (smart BTC-BRL paper): running"),
        "{en}"
    );
    assert!(said(&en).contains(&format!("realized profit {realized}")), "{en}");
    let pt = said(&ask(&app, &ana, &c, "Liste meus bots").await);
    assert!(pt.contains("Seus bots: 1") && pt.contains(&format!("lucro realizado {realized}")), "{pt}");

    // How did I do this week: the trade closed above, with the bot's realized profit.
    let en = said(&ask(&app, &ana, &c, "How did I do this week?").await);
    assert!(en.contains("In the last 7 days: 1 closed trades, 1 won; realized profit "), "{en}");
    // The same amount as the bot's, compared as numbers: a store may keep a trailing zero.
    let said_profit = en.split("realized profit ").nth(1).and_then(|rest| rest.strip_suffix(" BRL.")).unwrap_or("");
    assert_eq!(said_profit.parse::<Decimal>().ok(), realized.parse::<Decimal>().ok(), "{en}");
    let pt = said(&ask(&app, &ana, &c, "Como fui nesta semana?").await);
    assert!(pt.contains("Nos últimos 7 dias: 1 operações fechadas, 1 com lucro"), "{pt}");

    // Pause: proposed, nothing done until confirmed.
    let en = ask(&app, &ana, &c, "Please pause Alpha").await;
    let pause = proposal(&en);
    assert!(said(&en).contains(&format!("POST /api/assistant/proposals/{pause}/confirm")), "{en}");
    assert_eq!(bot(&app, &ana, &id).await["status"], "running", "a proposal does nothing");
    let pt = ask(&app, &ana, &c, "Pausar o Alpha").await;
    assert!(said(&pt).starts_with("Proposta: pausar o bot \"Alpha\" (BTC-BRL). Nada foi feito ainda"), "{pt}");
    let stored = app.get(&format!("/api/assistant/proposals/{}", proposal(&pt)), Some(&ana.access)).await;
    assert_eq!(stored.ok(200)["summary"], "pausar o bot \"Alpha\" (BTC-BRL)");
    assert!(said(&en).starts_with("Proposal: pause the bot \"Alpha\" (BTC-BRL)"), "{en}");
    let confirmed = confirm(&app, &ana, &pause).await;
    assert_eq!(confirmed.ok(200)["bot"]["status"], "paused");
    assert_eq!(confirmed.ok(200)["proposal"]["status"], "executed");
    confirm(&app, &ana, &pause).await.problem(409, "proposal_decided");
    // The other pause proposal now meets a paused bot: the bot use case refuses it, as REST would.
    confirm(&app, &ana, &proposal(&pt)).await.problem(409, "invalid_bot_status");

    // Why did this bot stop: its status and the reason recorded.
    let en = said(&ask(&app, &ana, &c, "Why did my bot stop?").await);
    assert!(
        en.starts_with("\"Alpha\" is `paused` since") && en.contains("To trade again, ask me to resume it"),
        "{en}"
    );
    let pt = said(&ask(&app, &ana, &c, "Por que meu bot parou?").await);
    assert!(pt.starts_with("\"Alpha\" está `pausado` desde"), "{pt}");

    // Resume, in Portuguese this time.
    let pt = ask(&app, &ana, &c, "Retomar o Alpha").await;
    assert_eq!(confirm(&app, &ana, &proposal(&pt)).await.ok(200)["bot"]["status"], "running");
    let en = ask(&app, &ana, &c, "Resume Alpha").await;
    assert!(said(&en).starts_with("Proposal: resume the bot \"Alpha\""), "{en}");

    // Explain this signal: the context's latest analysis, as the signals API reads it.
    let en = said(&ask(&app, &ana, &c, "Explain this signal").await);
    assert!(en.starts_with("No signal is recorded for this market yet"), "{en}");
    run(&app, "candle_analysis").await;
    let signal =
        app.get(&format!("/api/contexts/{ctx}/signals?limit=1"), Some(&ana.access)).await.ok(200)["items"][0].clone();
    // In Portuguese the signal and the confidence are translated (COMPRA, VENDA, MANTER; baixa,
    // média, alta); the indicators' names and values are data.
    let pt_word = |w: &str| {
        let pt = [("BUY", "COMPRA"), ("SELL", "VENDA"), ("HOLD", "MANTER"), ("LOW", "baixa"), ("MEDIUM", "média")];
        pt.iter().find(|(en, _)| *en == w).map_or("alta", |(_, pt)| pt).to_owned()
    };
    let words = [
        (false, said(&ask(&app, &ana, &c, "Explain this signal").await)),
        (true, said(&ask(&app, &ana, &c, "Explique este sinal").await)),
    ];
    for (in_pt, text) in words {
        let word = |v: &Value| if in_pt { pt_word(v.as_str().unwrap()) } else { v.as_str().unwrap().to_owned() };
        let head = format!("BTC-BRL: {} (", word(&signal["action"]));
        assert!(text.contains(&head) && text.contains(&word(&signal["confidence"])), "{text}\n{signal}");
        for vote in signal["votes"].as_array().unwrap() {
            assert!(
                text.contains(&format!("- {} ({})", vote["indicator"].as_str().unwrap(), word(&vote["signal"]))),
                "{text}"
            );
        }
    }

    // What does a setting mean: the documentation's row.
    let en = said(&ask(&app, &ana, &c, "What does take_profit_percent mean?").await);
    assert!(en.contains("sell everything this % above the average"), "{en}");
    let pt = said(&ask(&app, &ana, &c, "O que significa circuit breaker?").await);
    assert!(pt.contains("Dispara depois de N operações perdedoras seguidas"), "{pt}");
    let pt = said(&ask(&app, &ana, &c, "O que significa take_profit_percent?").await);
    assert!(pt.contains("(Bot DCA): vende tudo quando o preço fica esta porcentagem acima"), "{pt}");
    assert!(pt.ends_with("padrão: obrigatório"), "{pt}");
    let pt = said(&ask(&app, &ana, &c, "Explique o stop móvel").await);
    assert!(pt.contains("trailing stop: arma quando o preço sobe X% acima da entrada"), "{pt}");

    // Help me create a first bot: a manual SmartBot in the paper context, created on confirmation.
    let en = ask(&app, &ana, &c, "Help me create my first bot").await;
    assert!(said(&en).starts_with("I suggest starting with a manual SmartBot"), "{en}");
    let pt = ask(&app, &ana, &c, "Me ajude a criar meu primeiro bot").await;
    assert!(said(&pt).starts_with("Sugiro começar"), "{pt}");
    assert!(said(&pt).contains("Proposta: criar o SmartBot \"Meu primeiro bot\" em BTC-BRL (simulação)"), "{pt}");
    assert!(said(&en).contains("Proposal: create the smart bot \"My first bot\" on BTC-BRL (paper)"), "{en}");
    let created = confirm(&app, &ana, &proposal(&pt)).await.ok(200)["bot"].clone();
    assert_eq!((created["name"].as_str(), created["status"].as_str()), (Some("Meu primeiro bot"), Some("created")));
    assert_eq!(app.get("/api/bots", Some(&ana.access)).await.ok(200)["total"], 2);

    // What it cannot do, said plainly.
    assert!(said(&ask(&app, &ana, &c, "Will bitcoin go up tomorrow?").await).starts_with("Without a language model"));
    assert!(said(&ask(&app, &ana, &c, "O bitcoin vai subir amanhã?").await).starts_with("Sem um modelo de linguagem"));
    // A message that says nothing of its language is answered in the profile's (pt-BR by default).
    assert!(said(&ask(&app, &ana, &c, "Alpha?").await).starts_with("Sem um modelo de linguagem"));
    app.put("/api/auth/me", Some(&ana.access), &json!({"language": "en"})).await.ok(200);
    assert!(said(&ask(&app, &ana, &c, "Alpha?").await).starts_with("Without a language model"));

    // The history holds every question and answer, oldest first, titled by the first question.
    let history =
        app.get(&format!("/api/assistant/conversations/{c}?limit=200"), Some(&ana.access)).await.ok(200).clone();
    assert_eq!(history["conversation"]["title"], "List my bots");
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len() as u64, history["total"].as_u64().unwrap());
    assert_eq!((items[0]["author"].as_str(), items[0]["text"].as_str()), (Some("user"), Some("List my bots")));
    assert_eq!(items[1]["author"], "assistant");
}

async fn conversations_are_private_and_actions_run_only_on_their_owners_confirmation(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let (bia, _) = trader(&app, &repos, "bia@example.com", Plan::Free).await;
    let id = create_bot(
        &app,
        &ana,
        &ctx,
        "smart",
        json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    command(&app, &ana, &id, "start").await;
    let c = conversation(&app, &ana).await;
    let pause = proposal(&ask(&app, &ana, &c, "pause my bot").await);

    // Bia reaches none of it: not the conversation, nor the proposal, nor Ana's bot by its id.
    let path = format!("/api/assistant/conversations/{c}");
    app.get(&path, Some(&bia.access)).await.problem(404, "not_found");
    send(&app, &bia, &c, "hello").await.problem(404, "not_found");
    app.delete(&path, Some(&bia.access), None).await.problem(404, "not_found");
    app.get(&format!("/api/assistant/proposals/{pause}"), Some(&bia.access)).await.problem(404, "not_found");
    confirm(&app, &bia, &pause).await.problem(404, "not_found");
    let mine = conversation(&app, &bia).await;
    let other = said(&ask(&app, &bia, &mine, &format!("pause bot {id}")).await);
    assert!(other.starts_with("You have no bots yet"), "{other}");
    assert_eq!(app.get("/api/assistant/conversations", Some(&bia.access)).await.ok(200)["total"], 1);
    assert_eq!(bot(&app, &ana, &id).await["status"], "running");

    // Bad input is a problem naming the field; nothing is stored.
    let blank = send(&app, &ana, &c, "   ").await;
    assert_eq!(blank.problem(422, "validation_failed")["errors"][0]["field"], "text");
    let long = send(&app, &ana, &c, &"x".repeat(4001)).await;
    assert_eq!(long.problem(422, "validation_failed")["errors"][0]["field"], "text");
    let extra =
        app.post(&format!("{path}/messages"), Some(&ana.access), &json!({"text": "hi", "role": "system"})).await;
    assert_eq!(extra.problem(422, "validation_failed")["errors"][0]["field"], "role");
    let title = app.post("/api/assistant/conversations", Some(&ana.access), &json!({"title": "t".repeat(121)})).await;
    assert_eq!(title.problem(422, "validation_failed")["errors"][0]["field"], "title");
    let bell = app.post("/api/assistant/conversations", Some(&ana.access), &json!({"title": "a\u{7}b"})).await;
    assert_eq!(bell.problem(422, "validation_failed")["errors"][0]["field"], "title");
    send(&app, &ana, "not-an-id", "hi").await.problem(400, "invalid_path");
    confirm(&app, &ana, "not-an-id").await.problem(400, "invalid_path");
    assert_eq!(app.get(&path, Some(&ana.access)).await.ok(200)["total"], 2);

    // Ana's confirmation runs it; deleting the conversation takes its proposals along.
    assert_eq!(confirm(&app, &ana, &pause).await.ok(200)["bot"]["status"], "paused");
    app.delete(&path, Some(&ana.access), None).await.ok(204);
    app.get(&path, Some(&ana.access)).await.problem(404, "not_found");
    app.get(&format!("/api/assistant/proposals/{pause}"), Some(&ana.access)).await.problem(404, "not_found");
}

async fn answers_stream_as_ordered_server_sent_events(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    for name in ["one", "two", "three"] {
        let config = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000"});
        app.post(
            "/api/bots",
            Some(&ana.access),
            &json!({"context_id": ctx, "kind": "smart", "name": name, "config": config}),
        )
        .await
        .ok(201);
    }
    let c = conversation(&app, &ana).await;
    let (status, content_type, events) = send_streaming(&app, &ana, &c, "List my bots").await;
    assert_eq!((status, content_type.as_str()), (200, "text/event-stream"));
    let (done, chunks) = events.split_last().expect("events");
    assert_eq!(done.name, "done", "{events:?}");
    assert!(chunks.len() >= 4, "a line per bot and a heading: {chunks:?}");
    for (i, chunk) in chunks.iter().enumerate() {
        assert_eq!(
            (chunk.name.as_str(), chunk.id.as_deref(), chunk.data["index"].as_u64()),
            ("chunk", Some(&*i.to_string()), Some(i as u64))
        );
    }
    let text: String = chunks.iter().map(|c| c.data["text"].as_str().unwrap()).collect();
    assert_eq!(text, done.data["answer"]["text"].as_str().unwrap());
    assert!(text.contains("\"one\"") && text.find("\"one\"") < text.find("\"three\""), "{text}");
    // What was answered is what is read back, to the millisecond.
    let history = format!("/api/assistant/conversations/{c}");
    let stored = app.get(&history, Some(&ana.access)).await.ok(200)["items"].clone();
    assert_eq!((&stored[0], &stored[1]), (&done.data["question"], &done.data["answer"]));

    // A refusal before the first chunk is a plain problem.
    let (status, content_type, events) = send_streaming(&app, &ana, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "hi").await;
    assert_eq!((status, content_type.as_str()), (404, "application/problem+json"));
    assert_eq!(events[0].data["code"], "not_found");
}

async fn conversations_are_exported_and_erased_with_the_account(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, _) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let c = conversation(&app, &ana).await;
    ask(&app, &ana, &c, "What does purchase_amount mean?").await;
    let export = app.get("/api/users/me/export", Some(&ana.access)).await.ok(200).clone();
    assert_eq!(export["assistant_conversations"][0]["id"], c.as_str());
    let texts: Vec<&str> =
        export["assistant_messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts.len(), 2);
    assert_eq!(texts[0], "What does purchase_amount mean?");
    assert_eq!(export["subscription"]["usage"]["chat_messages_today"]["used"], 1);

    let user = ana.user_id.parse().unwrap();
    app.delete("/api/users/me", Some(&ana.access), Some(&json!({"password": ana.password}))).await.ok(200);
    let page = domain::PageRequest::new(0, 10);
    assert_eq!(repos.conversations.list(user, page).await.unwrap().total, 0);
    assert_eq!(repos.conversations.all_messages(user, page).await.unwrap().total, 0);
}

/// Words of our own English texts (statuses, kinds, modes, signals, reasons, refusals, the
/// guide's phrases) that a Portuguese answer must not contain, as whole words.
const ENGLISH: &[&str] = &[
    "running",
    "paused",
    "stopped",
    "tripped",
    "created",
    "paper",
    "live",
    "reason",
    "since",
    "owner",
    "buy",
    "sell",
    "hold",
    "confidence",
    "low",
    "medium",
    "high",
    "proposal",
    "found",
    "losing",
    "engine",
    "smart",
    "realized",
    "trades",
    "your",
    "you",
    "the",
    "is",
    "and",
    "of",
    "not",
    "nothing",
    "done",
    "yet",
    "latest",
    "signal",
    "in",
    "row",
    "reset",
    "by",
    "resume",
    "pause",
    "plan",
    "days",
    "last",
    "closed",
    "won",
    "profit",
    "which",
];

/// The English words of `ENGLISH` in `text`.
fn english_in(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    // A setting's name (`take_profit_percent`) is one word: a name, not English.
    let words = lower.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty());
    words.filter(|w| ENGLISH.contains(w)).map(str::to_owned).collect()
}

/// Asks `text` (Portuguese) and returns the answer, which must hold no English word of ours.
async fn pt(app: &TestApp, user: &Session, c: &str, text: &str) -> Value {
    let body = ask(app, user, c, text).await;
    let said = said(&body);
    assert!(english_in(&said).is_empty(), "{text} -> {said}: {:?}", english_in(&said));
    body
}

async fn a_portuguese_answer_is_portuguese_throughout(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let id = alpha(&app, &ana, &ctx).await;
    let c = conversation(&app, &ana).await;

    // Every intent, in Portuguese, over a running paper bot with a closed trade.
    let list = said(&pt(&app, &ana, &c, "Liste meus bots").await);
    assert!(list.contains("\"Alpha\" (SmartBot BTC-BRL simulação): rodando (iniciado por você)"), "{list}");
    pt(&app, &ana, &c, "Como fui nesta semana?").await;
    pt(&app, &ana, &c, "Por que meu bot parou?").await;
    pt(&app, &ana, &c, "Explique este sinal").await;
    run(&app, "candle_analysis").await;
    let signal = said(&pt(&app, &ana, &c, "Explique este sinal").await);
    assert!(signal.starts_with("Último sinal de BTC-BRL: "), "{signal}");
    pt(&app, &ana, &c, "O que significa take_profit_percent?").await;
    pt(&app, &ana, &c, "O que é o disjuntor?").await;
    let pause = pt(&app, &ana, &c, "Pausar o Alpha").await;
    pt(&app, &ana, &c, "Retomar o Alpha").await;
    pt(&app, &ana, &c, "Me ajude a criar meu primeiro bot").await;
    pt(&app, &ana, &c, "O bitcoin vai subir amanhã?").await;

    // Paused by its owner: the status and the reason read in Portuguese.
    app.post(&format!("/api/assistant/proposals/{}/confirm", proposal(&pause)), Some(&ana.access), &json!({}))
        .await
        .ok(200);
    let why = said(&pt(&app, &ana, &c, "Por que o Alpha parou?").await);
    assert!(why.starts_with("\"Alpha\" está `pausado` desde") && why.contains("motivo: pausado por você"), "{why}");

    // Tripped by its circuit breaker (as the engine leaves it): the trip in Portuguese too.
    let owner = ana.user_id.parse().unwrap();
    let mut bot = repos.bots.get(owner, id.parse().unwrap()).await.unwrap();
    let at = bot.updated_at;
    let reason = "circuit breaker: 3 losing trades in a row".to_owned();
    bot.history.push(StatusChange { from: bot.status, to: BotStatus::Tripped, reason: reason.clone(), at });
    bot.status = BotStatus::Tripped;
    bot.status_reason = Some(reason);
    bot.breaker.tripped = Some(Trip { at, reason: TripReason::ConsecutiveLosses { count: 3 } });
    repos.bots.update(&bot).await.unwrap();
    let why = said(&pt(&app, &ana, &c, "Por que o Alpha parou?").await);
    assert!(why.contains("`interrompido pelo circuit breaker`"), "{why}");
    assert!(why.contains("motivo: circuit breaker: 3 operações perdedoras seguidas"), "{why}");
    assert!(why.contains("O circuit breaker disparou: 3 operações perdedoras seguidas"), "{why}");
    let list = said(&pt(&app, &ana, &c, "Liste meus bots").await);
    assert!(list.contains("interrompido pelo circuit breaker (circuit breaker: 3 operações"), "{list}");

    // The same questions in English keep the wire names.
    let why = said(&ask(&app, &ana, &c, "Why did Alpha stop?").await);
    assert!(
        why.contains("`tripped`") && why.contains("The circuit breaker tripped: 3 losing trades in a row"),
        "{why}"
    );

    // What the answer suggests is understood: resetting the circuit breaker, proposed then
    // confirmed.
    let en = ask(&app, &ana, &c, "Reset Alpha's circuit breaker").await;
    assert!(said(&en).starts_with("Proposal: reset the circuit breaker of the bot \"Alpha\""), "{en}");
    let reset = pt(&app, &ana, &c, "Resete o circuit breaker do Alpha").await;
    assert!(said(&reset).starts_with("Proposta: resetar o circuit breaker do bot \"Alpha\" (BTC-BRL)"), "{reset}");
    let path = format!("/api/assistant/proposals/{}/confirm", proposal(&reset));
    assert_eq!(app.post(&path, Some(&ana.access), &json!({})).await.ok(200)["bot"]["status"], "running");
}
