//! Translation between Binance's forms and the domain's: symbols (`BTCBRL` <-> `BTC-BRL`, using
//! exchangeInfo's base and quote assets), filters, order states and timestamps.

use std::collections::HashMap;
use std::time::Instant;

use domain::exchange::{ClientOrderId, ExchangeOrder, ExchangeOrderStatus, Fill, OrderKind, OrderSide};
use domain::market::{Asset, Market, MarketFilters, Symbol};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::dto::{OrderDto, SymbolDto};

/// The markets of one exchangeInfo answer, indexed both ways.
#[derive(Debug)]
pub(crate) struct MarketCache {
    pub(crate) fetched: Instant,
    pub(crate) markets: Vec<Market>,
    by_symbol: HashMap<Symbol, usize>,
    by_name: HashMap<String, usize>,
}

impl MarketCache {
    /// Indexes exchangeInfo's symbols; those whose assets we cannot name are skipped.
    pub(crate) fn new(symbols: &[SymbolDto]) -> Self {
        let mut cache =
            Self { fetched: Instant::now(), markets: Vec::new(), by_symbol: HashMap::new(), by_name: HashMap::new() };
        for dto in symbols {
            let Some(market) = market_from_dto(dto) else {
                tracing::debug!(symbol = %dto.symbol, "binance symbol skipped: assets not representable");
                continue;
            };
            cache.by_symbol.insert(market.symbol.clone(), cache.markets.len());
            cache.by_name.insert(dto.symbol.clone(), cache.markets.len());
            cache.markets.push(market);
        }
        cache
    }

    /// The market of a canonical symbol.
    pub(crate) fn market(&self, symbol: &Symbol) -> Option<&Market> {
        self.by_symbol.get(symbol).map(|&i| &self.markets[i])
    }

    /// The canonical symbol of a Binance name (`BTCBRL` -> `BTC-BRL`).
    pub(crate) fn symbol_of(&self, name: &str) -> Option<&Symbol> {
        self.by_name.get(name).map(|&i| &self.markets[i].symbol)
    }
}

/// Binance's name of a canonical symbol (`BTC-BRL` -> `BTCBRL`).
pub(crate) fn binance_name(symbol: &Symbol) -> String {
    symbol.concatenated()
}

/// One exchangeInfo symbol as a market, or `None` when its assets are not valid [`Asset`]s.
pub(crate) fn market_from_dto(dto: &SymbolDto) -> Option<Market> {
    let symbol = Symbol::new(Asset::new(&dto.base_asset).ok()?, Asset::new(&dto.quote_asset).ok()?).ok()?;
    let trading = dto.status == "TRADING" && dto.is_spot_trading_allowed.unwrap_or(true);
    Some(Market { symbol, trading, filters: filters_from_json(&dto.filters) })
}

/// Reads PRICE_FILTER, LOT_SIZE and NOTIONAL (or the legacy MIN_NOTIONAL); other filter types
/// are ignored, and a missing rule stays zero (disabled).
pub(crate) fn filters_from_json(filters: &[serde_json::Value]) -> MarketFilters {
    let mut out = MarketFilters {
        tick_size: Decimal::ZERO,
        step_size: Decimal::ZERO,
        min_quantity: Decimal::ZERO,
        max_quantity: Decimal::ZERO,
        min_notional: Decimal::ZERO,
    };
    for filter in filters {
        let field = |name: &str| {
            filter.get(name).and_then(|v| v.as_str()).and_then(|s| s.parse::<Decimal>().ok()).map(|d| d.normalize())
        };
        match filter.get("filterType").and_then(|t| t.as_str()) {
            Some("PRICE_FILTER") => out.tick_size = field("tickSize").unwrap_or_default(),
            Some("LOT_SIZE") => {
                out.step_size = field("stepSize").unwrap_or_default();
                out.min_quantity = field("minQty").unwrap_or_default();
                out.max_quantity = field("maxQty").unwrap_or_default();
            }
            // Symbols carry one or the other; the current NOTIONAL wins if both appear.
            Some("NOTIONAL") => out.min_notional = field("minNotional").unwrap_or_default(),
            Some("MIN_NOTIONAL") if out.min_notional.is_zero() => {
                out.min_notional = field("minNotional").unwrap_or_default();
            }
            _ => {}
        }
    }
    out
}

/// An order status; `None` for a value Binance has not documented.
pub(crate) fn status_from_str(status: &str) -> Option<ExchangeOrderStatus> {
    Some(match status {
        "NEW" | "PENDING_NEW" => ExchangeOrderStatus::New,
        "PARTIALLY_FILLED" => ExchangeOrderStatus::PartiallyFilled,
        "FILLED" => ExchangeOrderStatus::Filled,
        // PENDING_CANCEL is documented as unused; the order is closing.
        "CANCELED" | "PENDING_CANCEL" => ExchangeOrderStatus::Canceled,
        "REJECTED" => ExchangeOrderStatus::Rejected,
        "EXPIRED" | "EXPIRED_IN_MATCH" => ExchangeOrderStatus::Expired,
        _ => return None,
    })
}

/// Milliseconds since the epoch as an instant.
pub(crate) fn time_from_ms(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

/// An order answer as the domain's order; `symbol` is the canonical form of `dto.symbol`.
pub(crate) fn order_from_dto(dto: OrderDto, symbol: Symbol) -> Result<ExchangeOrder, String> {
    let status = status_from_str(&dto.status).ok_or_else(|| format!("unknown order status {}", dto.status))?;
    let side = match dto.side.as_str() {
        "BUY" => OrderSide::Buy,
        "SELL" => OrderSide::Sell,
        other => return Err(format!("unknown order side {other}")),
    };
    let price = dto.price.unwrap_or_default();
    let kind = if dto.kind == "MARKET" || price <= Decimal::ZERO {
        OrderKind::Market
    } else {
        OrderKind::Limit { price: price.normalize() }
    };
    let quote_amount = dto.orig_quote_order_qty.filter(|q| *q > Decimal::ZERO).map(|q| q.normalize());
    let quantity = if quote_amount.is_some() { None } else { dto.orig_qty.map(|q| q.normalize()) };
    let at = dto.transact_time.and_then(time_from_ms);
    let fills: Vec<Fill> = dto
        .fills
        .into_iter()
        .map(|f| Fill {
            trade_id: f.trade_id.to_string(),
            price: f.price.normalize(),
            quantity: f.qty.normalize(),
            fee: f.commission.normalize(),
            fee_asset: f.commission_asset,
            at,
        })
        .collect();
    let filled_quote = match dto.cummulative_quote_qty {
        Some(q) if q >= Decimal::ZERO => q.normalize(),
        // Unknown on old orders: rebuild it from the fills we have.
        _ => fills.iter().map(|f| f.price * f.quantity).sum(),
    };
    let client_order_id =
        dto.orig_client_order_id.as_deref().or(dto.client_order_id.as_deref()).and_then(ClientOrderId::parse);
    Ok(ExchangeOrder {
        exchange_order_id: dto.order_id.to_string(),
        client_order_id,
        symbol,
        side,
        kind,
        status,
        quantity,
        quote_amount,
        filled_quantity: dto.executed_qty.unwrap_or_default().normalize(),
        filled_quote,
        fills,
        created_at: dto.time.or(dto.transact_time).and_then(time_from_ms),
        updated_at: dto.update_time.or(dto.transact_time).and_then(time_from_ms),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_maps() {
        use ExchangeOrderStatus::*;
        let cases = [
            ("NEW", New),
            ("PENDING_NEW", New),
            ("PARTIALLY_FILLED", PartiallyFilled),
            ("FILLED", Filled),
            ("CANCELED", Canceled),
            ("PENDING_CANCEL", Canceled),
            ("REJECTED", Rejected),
            ("EXPIRED", Expired),
            ("EXPIRED_IN_MATCH", Expired),
        ];
        for (raw, expected) in cases {
            assert_eq!(status_from_str(raw), Some(expected), "{raw}");
        }
        assert_eq!(status_from_str("SOMETHING_NEW"), None);
    }

    #[test]
    fn legacy_min_notional_and_unknown_filters() {
        let filters: Vec<serde_json::Value> = serde_json::from_str(
            r#"[{"filterType":"MIN_NOTIONAL","minNotional":"10.00000000","applyToMarket":true,"avgPriceMins":5},
                {"filterType":"MAX_NUM_ORDERS","maxNumOrders":200},
                {"filterType":"LOT_SIZE","minQty":"0.00100000","maxQty":"100000.00000000","stepSize":"0.00100000"}]"#,
        )
        .unwrap();
        let f = filters_from_json(&filters);
        assert_eq!(f.min_notional, Decimal::new(10, 0));
        assert_eq!(f.step_size, Decimal::new(1, 3));
        assert_eq!(f.tick_size, Decimal::ZERO);
    }
}
