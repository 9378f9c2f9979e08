//! `/api/exports/{orders,trades}.csv`: the caller's orders and trades as CSV for spreadsheets
//! (every plan, inside its history window, with the list endpoints' filters). UTF-8 with a byte
//! order mark and a header row, RFC 4180 quoting and CRLF line ends (the `csv` crate), decimals
//! with a dot, times in RFC 3339. Each row holds the very values the JSON list gives, but text
//! that a spreadsheet would run as a formula gets a leading `'` (`cell`).
//!
//! Streamed: the first page is read before answering (so a bad filter is a problem answer),
//! the rest one store page at a time while the client downloads, each page read before the last
//! row written (keyset paging: linear however long the file); memory stays flat whatever the
//! account holds. Should a read fail midway, the connection is cut: the file is then visibly
//! truncated (no final CRLF), never silently short.

mod cell;

use std::sync::Arc;

use actix_web::web::Bytes;
use actix_web::{get, web, HttpResponse};

use application::reports::Trade;
use domain::orders::Order;
use domain::shared::keyset::Keyset;
use domain::{Page, PageRequest};
use serde::Serialize;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use utoipa_actix_web::service_config::ServiceConfig;

use self::cell::cell;
use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::query::Query;
use crate::routes::common::page_of;
use crate::routes::orders::{order_query, OrderListParams, OrderResponse};
use crate::routes::reports::{TradeResponse, TradesParams};
use crate::state::AppState;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "exports";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Exports: orders and trades as CSV (every plan, inside its history window), streamed.",
    configure,
};

/// The columns of `orders.csv`, fields of the JSON order (`fees` as `ASSET=amount` pairs
/// joined by `;`).
pub const ORDER_COLUMNS: &[&str] = &[
    "id",
    "created_at",
    "updated_at",
    "context_id",
    "bot_id",
    "exchange",
    "symbol",
    "source",
    "side",
    "type",
    "status",
    "price",
    "quantity",
    "quote_amount",
    "filled_quantity",
    "filled_quote",
    "average_fill_price",
    "fees",
    "exchange_order_id",
    "client_order_id",
    "reason",
    "adopted",
    "forgotten",
    "error",
];

/// The columns of `trades.csv`, fields of the JSON trade.
pub const TRADE_COLUMNS: &[&str] = &[
    "id",
    "closed_at",
    "opened_at",
    "bot_id",
    "bot_name",
    "strategy",
    "mode",
    "exchange",
    "symbol",
    "quantity",
    "entry_cost",
    "proceeds",
    "realized_profit",
    "exit_reason",
];

/// Bytes buffered before a chunk is sent.
const CHUNK: usize = 64 * 1024;

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(export_orders_csv).service(export_trades_csv);
}

/// The bytes the CSV writer produced and the sink has not sent yet.
#[derive(Clone, Default)]
struct Pending(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Pending {
    fn take(&self) -> Vec<u8> {
        self.0.lock().map(|mut b| std::mem::take(&mut *b)).unwrap_or_default()
    }

    fn len(&self) -> usize {
        self.0.lock().map(|b| b.len()).unwrap_or_default()
    }
}

impl std::io::Write for Pending {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes CSV rows into chunks sent to the response body.
struct CsvSink {
    csv: csv::Writer<Pending>,
    pending: Pending,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    columns: &'static [&'static str],
}

impl CsvSink {
    fn new(tx: mpsc::Sender<Result<Bytes, std::io::Error>>, columns: &'static [&'static str]) -> Self {
        let mut pending = Pending::default();
        // A byte order mark, so spreadsheets read the file as UTF-8. Writing into memory
        // cannot fail.
        let _ = std::io::Write::write_all(&mut pending, "\u{feff}".as_bytes());
        let mut csv = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(pending.clone());
        let _ = csv.write_record(columns);
        Self { csv, pending, tx, columns }
    }

    /// Adds `item` (serialised as the JSON list does) as one row; sends a chunk when full.
    /// Returns false when the client went away.
    async fn row(&mut self, item: &impl Serialize) -> bool {
        let json = serde_json::to_value(item).unwrap_or_default();
        let _ = self.csv.write_record(self.columns.iter().map(|c| cell(&json[c])));
        // The writer keeps up to 8 KiB itself; what it passed on is counted here.
        if self.pending.len() < CHUNK {
            return true;
        }
        self.flush().await
    }

    async fn flush(&mut self) -> bool {
        let _ = self.csv.flush();
        let chunk = self.pending.take();
        chunk.is_empty() || self.tx.send(Ok(Bytes::from(chunk))).await.is_ok()
    }

    async fn fail(self, what: &str, err: impl std::fmt::Debug) {
        tracing::error!(error = ?err, "the {what} export failed midway; the download is cut");
        let _ = self.tx.send(Err(std::io::Error::other("the export failed"))).await;
    }
}

fn csv_response(rx: mpsc::Receiver<Result<Bytes, std::io::Error>>, name: &str) -> HttpResponse {
    let body = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|chunk| (chunk, rx)) });
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .streaming(body)
}

/// Answers `first` and the pages `next` reads after it (given where each starts: keyset
/// paging, before the last row's instant `key`) as the CSV file `name`, each item written as the
/// row of its JSON form `row`.
fn stream_csv<T, R, E, F, Fut>(
    columns: &'static [&'static str],
    name: &str,
    first: Page<T>,
    key: fn(&T) -> OffsetDateTime,
    row: fn(T) -> R,
    mut next: F,
) -> HttpResponse
where
    T: Send + 'static,
    R: Serialize + 'static,
    E: std::fmt::Debug + Send,
    F: FnMut(Keyset) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Page<T>, E>> + Send,
{
    let (tx, rx) = mpsc::channel(4);
    let what = name.to_owned();
    actix_web::rt::spawn(async move {
        let mut sink = CsvSink::new(tx, columns);
        let (mut batch, mut keyset) = (first, Keyset::default());
        loop {
            // Items a page lost on the way (a trade of a bot deleted since) do not end the file
            // early: the store's count of what is left says whether another page follows.
            let last = batch.offset + PageRequest::MAX_LIMIT >= batch.total;
            keyset = keyset.after(&batch.items.iter().map(key).collect::<Vec<_>>(), PageRequest::MAX_LIMIT);
            for item in batch.items {
                if !sink.row(&row(item)).await {
                    return;
                }
            }
            if last {
                break;
            }
            match next(keyset).await {
                Ok(more) => batch = more,
                Err(err) => return sink.fail(&what, err).await,
            }
        }
        sink.flush().await;
    });
    csv_response(rx, name)
}

/// The caller's orders as CSV: the filters of `GET /api/orders` (`offset` and `limit` are
/// ignored: every matching order inside the history window is written), newest first.
#[utoipa::path(
    tag = TAG,
    params(OrderListParams),
    responses(
        (status = 200, description = "The orders, one per row after a header row", content_type = "text/csv", body = String),
    )
)]
#[get("/api/exports/orders.csv")]
pub async fn export_orders_csv(
    state: web::Data<AppState>,
    auth: Authenticated,
    params: Query<OrderListParams>,
) -> Result<HttpResponse, ApiError> {
    // Ignored, but held to the list's ranges, as the shared parameters' schema states.
    page_of(params.offset, params.limit)?;
    let query = order_query(params.into_inner())?;
    let user = auth.0.user_id;
    let first = state.orders.list(user, &query, Keyset::default().page(PageRequest::MAX_LIMIT)).await?.page;
    let state = state.into_inner();
    let next = move |keyset: Keyset| {
        let (state, mut query) = (state.clone(), query.clone());
        // Every order read so far was before the query's own `to`: the keyset's is earlier.
        query.to = keyset.before.or(query.to);
        async move { state.orders.list(user, &query, keyset.page(PageRequest::MAX_LIMIT)).await.map(|read| read.page) }
    };
    let created = |o: &Order| o.created_at;
    Ok(stream_csv(ORDER_COLUMNS, "botfleet-orders.csv", first, created, OrderResponse::from, next))
}

/// The caller's trades (closed positions) as CSV: the filters of `GET /api/reports/trades`
/// (`offset` and `limit` are ignored: every matching trade inside the history window is
/// written), newest first.
#[utoipa::path(
    tag = TAG,
    params(TradesParams),
    responses(
        (status = 200, description = "The trades, one per row after a header row", content_type = "text/csv", body = String),
    )
)]
#[get("/api/exports/trades.csv")]
pub async fn export_trades_csv(
    state: web::Data<AppState>,
    auth: Authenticated,
    params: Query<TradesParams>,
) -> Result<HttpResponse, ApiError> {
    page_of(params.offset, params.limit)?;
    let scope = Arc::new(state.reports.trade_scope(auth.0.user_id, &params.query()).await?);
    let first = scope.page(&state.reports, Keyset::default().page(PageRequest::MAX_LIMIT)).await?;
    let state = state.into_inner();
    let next = move |keyset: Keyset| {
        let (state, scope) = (state.clone(), scope.clone());
        async move { scope.page_before(&state.reports, keyset.before, keyset.page(PageRequest::MAX_LIMIT)).await }
    };
    let recorded = |t: &Trade| t.recorded_at;
    Ok(stream_csv(TRADE_COLUMNS, "botfleet-trades.csv", first, recorded, TradeResponse::from, next))
}
