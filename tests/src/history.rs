//! Helpers of the history scenarios: orders, closed positions and context signals written
//! straight through the repositories at chosen ages (the API cannot backdate), and a CSV
//! download parsed by the `csv` crate's reader.

use domain::bots::{Bot, BotEvent, BotRecord, ExitReason, Position, PositionStatus};
use domain::contexts::TradingContext;
use domain::orders::Order;
use domain::shared::ids::{BotId, ContextId, PositionId, UserId};
use infrastructure::repositories::Repositories;
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

use crate::app::{Session, TestApp};

/// `days` (and a minute, so the instant is clearly on its side of a window edge) before now.
pub fn days_ago(days: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() - Duration::days(days) - Duration::minutes(1)
}

/// A user's id.
pub fn user_id(user: &Session) -> UserId {
    user.user_id.parse().expect("a user id")
}

/// Stores a pending manual limit buy of `user` in `context`, created at `at`.
pub async fn order_at(repos: &Repositories, user: UserId, context: &str, at: OffsetDateTime) -> Order {
    let context: ContextId = context.parse().expect("a context id");
    let mut order = crate::contract::fixtures::order(user, context, 0);
    order.created_at = at;
    order.updated_at = at;
    repos.orders.create(&order).await.expect("the order is stored")
}

/// The bot as stored.
pub async fn stored_bot(repos: &Repositories, user: UserId, bot: &str) -> Bot {
    let id: BotId = bot.parse().expect("a bot id");
    repos.bots.get(user, id).await.expect("the bot is stored")
}

/// Records a position of `bot` that cost `cost` (fees included) and sold for `proceeds` (net),
/// closed at `at` after a day open.
pub async fn closed_at(
    repos: &Repositories,
    bot: &Bot,
    at: OffsetDateTime,
    quantity: Decimal,
    cost: Decimal,
    proceeds: Decimal,
) -> Position {
    let mut position = Position::new(PositionId::new(), at - Duration::days(1));
    position.status = PositionStatus::Closed;
    position.sold_quantity = quantity;
    position.proceeds = proceeds;
    position.realized_profit = proceeds - cost;
    position.exit_reason = Some(if proceeds > cost { ExitReason::TakeProfit } else { ExitReason::StopLoss });
    position.closed_at = Some(at);
    let record = BotRecord::new(bot, BotEvent::PositionClosed(position.clone()), at);
    repos.bot_records.append(&[record]).await.expect("the record is stored");
    position
}

/// Records a context signal of `context` for the candle opening at `at`.
pub async fn signal_at(repos: &Repositories, user: UserId, context: &str, at: OffsetDateTime) {
    let context: TradingContext =
        repos.contexts.get(user, context.parse().expect("a context id")).await.expect("the context is stored");
    let mut signal = crate::contract::context_signals::signal(&context, 0);
    signal.candle_time = at;
    signal.analysis.candle_time = at;
    signal.created_at = at;
    repos.context_signals.record(&signal).await.expect("the signal is stored");
}

/// Downloads `path` as `user`: status, content type, content disposition and body.
pub async fn download(app: &TestApp, user: &Session, path: &str) -> (u16, String, String, String) {
    let answer = app.client.get(app.url(path)).bearer_auth(&user.access).send().await.expect("the request is sent");
    let header = |name: &str| answer.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (status, kind, disposition) = (answer.status().as_u16(), header("content-type"), header("content-disposition"));
    (status, kind, disposition, answer.text().await.expect("a text body"))
}

/// A CSV body (after its UTF-8 byte order mark) as its header and rows, read by the `csv`
/// crate's reader (RFC 4180 quoting).
pub fn parse_csv(body: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let body = body.strip_prefix('\u{feff}').expect("a UTF-8 byte order mark");
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(body.as_bytes());
    let header = reader.headers().expect("a header row").iter().map(str::to_owned).collect();
    let rows = reader.records().map(|r| r.expect("a CSV row").iter().map(str::to_owned).collect()).collect();
    (header, rows)
}
