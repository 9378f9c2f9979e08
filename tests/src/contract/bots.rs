//! Contract of `BotRepository` and `BotRecordRepository`: the whole aggregate round-trips
//! (decimals, positions, pending orders, breaker), owner scoping, filters, the engine's query.

use domain::bots::{
    Bot, BotConfig, BotEvent, BotFilter, BotKind, BotRecord, BotRepository, BotStatus, Command, OrderIntent,
    RecordFilter,
};
use domain::contexts::{ContextMode, TradingContext};
use domain::exchange::{ClientOrderId, ExchangeId};
use domain::market::Symbol;
use domain::shared::ids::{ContextId, UserId};
use domain::PageRequest;
use infrastructure::repositories::{Repositories, StoreBotRepository};
use rust_decimal_macros::dec;
use serde_json::json;

use super::fixtures::at;
use super::{assert_conflict, assert_not_found};

fn context(user: UserId, exchange: ExchangeId, symbol: &str) -> TradingContext {
    TradingContext::new(user, exchange, &Symbol::parse(symbol).unwrap(), ContextMode::Paper, at(0))
}

/// A SmartBot with one pending buy and an open position, so every part of the aggregate is stored.
pub fn busy_bot(user: UserId) -> Bot {
    let config = json!({"mode": {"type": "scheduled", "cron": "0 9 * * *", "time_zone": "America/Sao_Paulo"},
        "purchase_amount": "100.5", "allocated_balance": "1000",
        "risk": {"stop_loss_hard_percent": "5", "trailing_stop": {"activation_percent": "2", "distance_percent": "1"}}});
    let config = BotConfig::parse(BotKind::Smart, &config).unwrap();
    let mut bot = Bot::new(&context(user, ExchangeId::Binance, "BTC-BRL"), "my bot".into(), config, at(1));
    bot.command(Command::Start, "started by its owner", at(2)).unwrap();
    let intent = OrderIntent {
        side: domain::exchange::OrderSide::Buy,
        limit_price: None,
        quantity: None,
        quote_amount: Some(dec!(100.5)),
        block: dec!(100.5),
        purpose: domain::bots::Purpose::Open { position: domain::shared::ids::PositionId::new() },
        reason: "test".into(),
        indicators: Default::default(),
    };
    bot.accept(&intent, ClientOrderId::generate(), at(3)).unwrap();
    bot
}

/// `create` stores version 1 and the whole aggregate reads back equal.
pub async fn bot_round_trips_whole(repos: &Repositories) {
    let bot = busy_bot(UserId::new());
    let created = repos.bots.create(&bot).await.unwrap();
    assert_eq!(created.version, 1);
    assert_eq!(repos.bots.get(bot.user_id, bot.id).await.unwrap(), created);
    assert_eq!(repos.bots.find(bot.id).await.unwrap(), created);
    assert_not_found(repos.bots.get(UserId::new(), bot.id).await);
}

/// Updates check the version; deletes are scoped to the owner.
pub async fn bot_update_checks_version_and_delete_is_scoped(repos: &Repositories) {
    let bot = repos.bots.create(&busy_bot(UserId::new())).await.unwrap();
    let mut changed = bot.clone();
    changed.command(Command::Pause, "pause", at(5)).unwrap();
    let updated = repos.bots.update(&changed).await.unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(repos.bots.get(bot.user_id, bot.id).await.unwrap().status, BotStatus::Paused);
    assert_conflict(repos.bots.update(&changed).await);
    assert_not_found(repos.bots.delete(UserId::new(), bot.id).await);
    repos.bots.delete(bot.user_id, bot.id).await.unwrap();
    assert_not_found(repos.bots.find(bot.id).await);
}

/// `list` filters by context, kind and status, oldest first; `evaluated` finds what the engine runs.
pub async fn bot_list_filters_and_engine_query(repos: &Repositories) {
    let ana = UserId::new();
    let running = repos.bots.create(&busy_bot(ana)).await.unwrap();
    let dca = BotConfig::parse(
        BotKind::Dca,
        &json!({"purchase_amount": "10", "frequency": "1h", "allocated_balance": "100", "take_profit_percent": "5"}),
    )
    .unwrap();
    let eth = context(ana, ExchangeId::MercadoBitcoin, "ETH-BRL");
    let created = repos.bots.create(&Bot::new(&eth, "dca".into(), dca, at(4))).await.unwrap();
    repos.bots.create(&busy_bot(UserId::new())).await.unwrap();

    let all = repos.bots.list(ana, &BotFilter::default(), PageRequest::first()).await.unwrap();
    assert_eq!(all.items.iter().map(|b| b.id).collect::<Vec<_>>(), vec![running.id, created.id]);
    let by_kind = BotFilter { kind: Some(BotKind::Dca), ..BotFilter::default() };
    assert_eq!(repos.bots.list(ana, &by_kind, PageRequest::first()).await.unwrap().items, vec![created.clone()]);
    let by_status = BotFilter { status: Some(BotStatus::Running), ..BotFilter::default() };
    assert_eq!(repos.bots.list(ana, &by_status, PageRequest::first()).await.unwrap().total, 1);
    let by_context = BotFilter { context: Some(eth.id), ..BotFilter::default() };
    assert_eq!(repos.bots.list(ana, &by_context, PageRequest::first()).await.unwrap().total, 1);
    let nowhere = BotFilter { context: Some(ContextId::new()), ..BotFilter::default() };
    assert_eq!(repos.bots.list(ana, &nowhere, PageRequest::first()).await.unwrap().total, 0);
    assert_eq!(repos.bots.count(ana).await.unwrap(), 2);

    let smart = repos.bots.evaluated(&[BotKind::Smart], None).await.unwrap();
    assert_eq!(smart.len(), 2, "both running SmartBots, of every user");
    assert!(repos.bots.evaluated(&[BotKind::Dca], None).await.unwrap().is_empty(), "a created bot is not evaluated");
    let market = Some((ExchangeId::Binance, Symbol::parse("BTC-BRL").unwrap()));
    assert_eq!(repos.bots.evaluated(&BotKind::ALL, market).await.unwrap().len(), 2);
    let other = Some((ExchangeId::MercadoBitcoin, Symbol::parse("BTC-BRL").unwrap()));
    assert!(repos.bots.evaluated(&BotKind::ALL, other).await.unwrap().is_empty());
}

/// `evaluated` reads in pages by id: every bot once, across page boundaries, in id order.
pub async fn engine_query_reads_every_page(repos: &Repositories) {
    let paged = StoreBotRepository::new(repos.store.clone()).with_read_page(2);
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(repos.bots.create(&busy_bot(UserId::new())).await.unwrap().id);
    }
    ids.sort_by_key(|id| id.to_string());
    let read: Vec<_> = paged.evaluated(&[BotKind::Smart], None).await.unwrap().iter().map(|b| b.id).collect();
    assert_eq!(read, ids);
    let exact = StoreBotRepository::new(repos.store.clone()).with_read_page(5);
    assert_eq!(exact.evaluated(&BotKind::ALL, None).await.unwrap().len(), 5, "a full last page");
}

/// Records come back newest first, filtered by kind and scoped to their bot.
pub async fn records_are_listed_newest_first_by_kind(repos: &Repositories) {
    let bot = busy_bot(UserId::new());
    let other = busy_bot(UserId::new());
    let records = vec![
        BotRecord::new(&bot, BotEvent::Tripped { reason: "5 losing trades in a row".into() }, at(10)),
        BotRecord::new(&bot, BotEvent::Finished { reason: "done".into() }, at(11)),
        BotRecord::new(&bot, BotEvent::Tripped { reason: "again".into() }, at(12)),
        BotRecord::new(&other, BotEvent::Tripped { reason: "other".into() }, at(13)),
    ];
    repos.bot_records.append(&records).await.unwrap();
    let tripped = repos.bot_records.list(bot.id, Some("tripped"), PageRequest::first()).await.unwrap();
    assert_eq!(tripped.items, vec![records[2].clone(), records[0].clone()]);
    let all = repos.bot_records.list(bot.id, None, PageRequest::new(0, 2)).await.unwrap();
    assert_eq!((all.total, all.items.len()), (3, 2));
    assert_eq!(all.items[0], records[2]);
}

/// Records of several bots read together: only those bots', of the kind, inside `from..to`,
/// newest first and paged by the store.
pub async fn records_of_bots_are_filtered_by_kind_and_time(repos: &Repositories) {
    let user = UserId::new();
    let (a, b, c) = (busy_bot(user), busy_bot(user), busy_bot(user));
    let tripped = |bot: &Bot, t: i64| BotRecord::new(bot, BotEvent::Tripped { reason: format!("at {t}") }, at(t));
    let records = vec![
        tripped(&a, 10),
        tripped(&b, 20),
        tripped(&a, 30),
        BotRecord::new(&b, BotEvent::Finished { reason: "done".into() }, at(35)),
        tripped(&c, 40),
        tripped(&b, 50),
    ];
    repos.bot_records.append(&records).await.unwrap();
    let filter = RecordFilter { kind: Some("tripped"), from: Some(at(20)), to: Some(at(50)) };

    let read = repos.bot_records.of_bots(user, &[a.id, b.id], &filter, PageRequest::new(0, 1)).await.unwrap();
    let rest = repos.bot_records.of_bots(user, &[a.id, b.id], &filter, PageRequest::new(1, 5)).await.unwrap();

    assert_eq!((read.total, read.items.clone()), (2, vec![records[2].clone()]));
    assert_eq!(rest.items, vec![records[1].clone()]);
    let one = repos.bot_records.of_bots(user, &[c.id], &RecordFilter::default(), PageRequest::first()).await.unwrap();
    assert_eq!(one.items, vec![records[4].clone()]);
    let none = repos.bot_records.of_bots(user, &[], &RecordFilter::default(), PageRequest::first()).await.unwrap();
    assert_eq!(none.total, 0);
    let stranger = UserId::new();
    let theirs = repos.bot_records.of_bots(stranger, &[a.id, b.id], &filter, PageRequest::first()).await.unwrap();
    assert_eq!(theirs.total, 0, "only the owner's records");
    let one = repos.bot_records.of_bots(stranger, &[c.id], &RecordFilter::default(), PageRequest::first()).await;
    assert_eq!(one.unwrap().total, 0);
}
