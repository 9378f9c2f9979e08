//! What each simulated exchange lists: its markets with filters close to the real ones (as of
//! 2024-25; exchanges change them), where each market's prices come from, and its timeframes.

use domain::exchange::ExchangeId;
use domain::market::{Market, MarketFilters, Symbol, Timeframe};
use rust_decimal::Decimal;

use super::path::Underlying;

/// The currency a market is quoted in, for the FX conversion of the USD replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum QuoteFx {
    /// USD or a USD stablecoin: factor 1.
    Usd,
    /// Brazilian real: the configured BRL-per-USD factor.
    Brl,
}

/// One listed market.
#[derive(Clone, Debug)]
pub(crate) struct Listing {
    /// The market and its filters.
    pub market: Market,
    /// Where its prices come from.
    pub underlying: Underlying,
    /// Its quote currency's conversion.
    pub fx: QuoteFx,
}

/// `mantissa x 10^-scale`.
fn d(mantissa: i64, scale: u32) -> Decimal {
    Decimal::new(mantissa, scale)
}

fn listing(symbol: &str, underlying: Underlying, fx: QuoteFx, filters: MarketFilters) -> Listing {
    let symbol = Symbol::parse(symbol).expect("catalog symbols are well-formed");
    Listing { market: Market { symbol, trading: true, filters }, underlying, fx }
}

/// The markets of `exchange`.
pub(crate) fn listings(exchange: ExchangeId) -> Vec<Listing> {
    use QuoteFx::{Brl, Usd};
    use Underlying::{Btc, Eth};
    match exchange {
        // Binance: PRICE_FILTER / LOT_SIZE / NOTIONAL of the spot markets.
        ExchangeId::Binance => vec![
            listing("BTC-USDT", Btc, Usd, filters(d(1, 2), d(1, 5), d(1, 5), d(9_000, 0), d(5, 0))),
            listing("ETH-USDT", Eth, Usd, filters(d(1, 2), d(1, 4), d(1, 4), d(9_000, 0), d(5, 0))),
            listing("BTC-BRL", Btc, Brl, filters(d(1, 0), d(1, 5), d(1, 5), d(9_000, 0), d(10, 0))),
        ],
        // Mercado Bitcoin: prices in centavos, quantities to 8 places, small minimums.
        ExchangeId::MercadoBitcoin => vec![
            listing("BTC-BRL", Btc, Brl, filters(d(1, 2), d(1, 8), d(1, 5), Decimal::ZERO, d(1, 0))),
            listing("ETH-BRL", Eth, Brl, filters(d(1, 2), d(1, 8), d(1, 4), Decimal::ZERO, d(1, 0))),
        ],
    }
}

fn filters(tick: Decimal, step: Decimal, min_qty: Decimal, max_qty: Decimal, min_notional: Decimal) -> MarketFilters {
    MarketFilters { tick_size: tick, step_size: step, min_quantity: min_qty, max_quantity: max_qty, min_notional }
}

/// The candle timeframes `exchange` serves, exactly as the real adapter: Binance all 16,
/// Mercado Bitcoin the ones its API documents (so a paper context never accepts what the live
/// one would refuse).
pub(crate) fn timeframes(exchange: ExchangeId) -> Vec<Timeframe> {
    match exchange {
        ExchangeId::Binance => Timeframe::ALL.to_vec(),
        ExchangeId::MercadoBitcoin => crate::exchanges::mercado_bitcoin::TIMEFRAMES.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_exchange_lists_its_required_markets() {
        let names = |e| listings(e).into_iter().map(|l| l.market.symbol.to_string()).collect::<Vec<_>>();
        assert_eq!(names(ExchangeId::MercadoBitcoin), ["BTC-BRL", "ETH-BRL"]);
        assert_eq!(names(ExchangeId::Binance), ["BTC-USDT", "ETH-USDT", "BTC-BRL"]);
    }

    #[test]
    fn filters_are_the_real_markets_ones() {
        let binance = listings(ExchangeId::Binance);
        let btc_usdt = &binance[0].market.filters;
        assert_eq!(btc_usdt.tick_size.to_string(), "0.01");
        assert_eq!(btc_usdt.step_size.to_string(), "0.00001");
        assert_eq!(btc_usdt.min_notional, Decimal::from(5));
        assert_eq!(binance[2].market.filters.tick_size, Decimal::ONE);
        let mb = listings(ExchangeId::MercadoBitcoin);
        assert_eq!(mb[0].market.filters.step_size.to_string(), "0.00000001");
        assert_eq!(mb[0].fx, QuoteFx::Brl);
    }

    #[test]
    fn paper_timeframes_are_the_real_adapters() {
        let mb = timeframes(ExchangeId::MercadoBitcoin);
        assert_eq!(mb, crate::exchanges::mercado_bitcoin::TIMEFRAMES.to_vec());
        assert!(!mb.contains(&Timeframe::S1) && mb.contains(&Timeframe::M5) && mb.contains(&Timeframe::Mo1));
        assert_eq!(timeframes(ExchangeId::Binance).len(), 16);
    }
}
