//! Property test of an order's sync: however reports repeat, reorder or carry only totals, the
//! deltas add up to what the exchange filled.

use proptest::prelude::*;

use super::*;
use crate::exchange::ExchangeOrderStatus;
use crate::orders::fixtures::{fill, limit_buy, with_fills, T1};

/// A fill of the property test: quantity in millionths, price in cents, fee in 1e-8, asset index.
fn arb_fill() -> impl Strategy<Value = (i64, i64, i64, usize)> {
    (1i64..2_000_000, 1i64..50_000_000, 0i64..100_000, 0usize..3)
}

proptest! {
    /// However reports repeat, reorder, or carry only totals, the deltas add up to exactly what the
    /// exchange filled, each fee counts once, and the end is reported once.
    #[test]
    fn deltas_add_up_to_the_exchange_totals(
        raw in prop::collection::vec(arb_fill(), 1..6),
        picks in prop::collection::vec((0usize..100, any::<bool>()), 1..20),
    ) {
        let mut o = limit_buy();
        let assets = ["BRL", "BTC", "BNB"];
        let fills: Vec<Fill> = raw.iter().enumerate().map(|(i, &(q, p, f, a))| {
            fill(&format!("t{i}"), Decimal::new(q, 6), Decimal::new(p, 2), Decimal::new(f, 8), assets[a])
        }).collect();
        let reports: Vec<ExchangeOrder> = picks.iter().map(|&(k, itemised)| {
            let k = k % (fills.len() + 1);
            let status = if k == fills.len() { ExchangeOrderStatus::Filled } else { ExchangeOrderStatus::PartiallyFilled };
            let r = with_fills(&o, status, fills[..k].to_vec());
            if itemised { r } else { ExchangeOrder { fills: Vec::new(), ..r } }
        }).collect();

        let deltas: Vec<OrderDelta> = reports.iter().map(|r| o.apply(r, T1).unwrap()).collect();

        let furthest = picks.iter().map(|&(k, _)| k % (fills.len() + 1)).max().unwrap_or(0);
        let expected_quantity: Decimal = fills[..furthest].iter().map(|f| f.quantity).sum();
        let expected_quote: Decimal = fills[..furthest].iter().map(|f| f.quantity * f.price).sum();
        prop_assert!(deltas.iter().all(|d| d.filled_quantity >= Decimal::ZERO && d.filled_quote >= Decimal::ZERO));
        prop_assert_eq!(deltas.iter().map(|d| d.filled_quantity).sum::<Decimal>(), expected_quantity);
        prop_assert_eq!(deltas.iter().map(|d| d.filled_quote).sum::<Decimal>(), expected_quote);
        prop_assert_eq!((o.filled_quantity, o.filled_quote), (expected_quantity, expected_quote));

        let mut journaled_fees = BTreeMap::<String, Decimal>::new();
        for f in o.fills.iter().filter(|f| !f.fee.is_zero()) {
            *journaled_fees.entry(f.fee_asset.clone()).or_default() += f.fee;
        }
        let mut delta_fees = BTreeMap::<String, Decimal>::new();
        for (asset, fee) in deltas.iter().flat_map(|d| d.fees.iter()) {
            *delta_fees.entry(asset.clone()).or_default() += *fee;
        }
        prop_assert_eq!(&delta_fees, &journaled_fees);
        prop_assert_eq!(&o.fees, &journaled_fees);
        let mut ids: Vec<&str> = o.fills.iter().map(|f| f.trade_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        prop_assert_eq!(ids.len(), o.fills.len());

        let ends = deltas.iter().filter(|d| d.finished.is_some()).count();
        prop_assert_eq!(ends, usize::from(furthest == fills.len()));
        prop_assert_eq!(o.status == OrderStatus::Filled, furthest == fills.len());
        for r in &reports {
            prop_assert_eq!(o.apply(r, T1).unwrap(), OrderDelta::default());
        }
    }
}
