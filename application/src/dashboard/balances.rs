//! `balances`: each exchange account of a user (one per exchange and mode, shared by its
//! contexts) as the exchange reports it now, with the time of the read, asset by asset beside the
//! part the user's bots count as theirs, and per-currency totals of the live accounts and of the
//! paper accounts, kept apart.

use std::collections::BTreeMap;

use domain::bots::Bot;
use domain::contexts::ContextMode;
use domain::exchange::{Balance, ExchangeId};
use domain::shared::ids::{ContextId, UserId};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::accounts::{AccountError, AccountRead, AccountsView};
use crate::Unexpected;

/// One asset of an account (or of a currency total).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssetBalance {
    /// The asset (`BRL`, `BTC`).
    pub asset: String,
    /// Free on the exchange.
    pub free: Decimal,
    /// Held by open orders on the exchange.
    pub locked: Decimal,
    /// What the bots count as theirs: the quote of their unspent allocations (available and
    /// blocked in open buys) and the base they hold.
    pub bots: Decimal,
}

impl AssetBalance {
    /// `free + locked`.
    pub fn total(&self) -> Decimal {
        self.free + self.locked
    }

    /// What is the user's outside the bots: `total - bots`; negative when the exchange holds less
    /// than the bots count on (funds withdrawn or spent outside botfleet).
    pub fn outside_bots(&self) -> Decimal {
        self.total() - self.bots
    }

    fn add(&mut self, other: &AssetBalance) {
        self.free += other.free;
        self.locked += other.locked;
        self.bots += other.bots;
    }
}

/// One exchange account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountBalances {
    /// The exchange.
    pub exchange: ExchangeId,
    /// Live (the user's credential) or paper.
    pub mode: ContextMode,
    /// The contexts that trade through it.
    pub contexts: Vec<ContextId>,
    /// When the exchange was read.
    pub read_at: OffsetDateTime,
    /// Its assets, by name; empty when it could not be read.
    pub assets: Vec<AssetBalance>,
    /// Why it could not be read.
    pub error: Option<AccountError>,
}

/// Every account of a user, and per-currency totals per mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Balances {
    /// Each account, by exchange then mode.
    pub accounts: Vec<AccountBalances>,
    /// Per mode, per currency: the sum over the accounts of that mode that could be read.
    pub totals: BTreeMap<ContextMode, Vec<AssetBalance>>,
}

/// What `bots` count as theirs, per asset.
fn bots_share<'a>(bots: impl Iterator<Item = &'a Bot>) -> BTreeMap<String, Decimal> {
    let mut share: BTreeMap<String, Decimal> = BTreeMap::new();
    for bot in bots {
        *share.entry(bot.symbol.quote().as_str().to_owned()).or_default() += bot.funds.available + bot.funds.blocked;
        *share.entry(bot.symbol.base().as_str().to_owned()).or_default() += bot.funds.holdings;
    }
    share
}

/// The exchange's `balances` merged with the bots' `share`; assets at zero on both sides are left out.
fn merge(balances: &[Balance], share: &BTreeMap<String, Decimal>) -> Vec<AssetBalance> {
    let mut assets: BTreeMap<String, AssetBalance> = BTreeMap::new();
    for b in balances {
        let line = assets
            .entry(b.asset.clone())
            .or_insert_with(|| AssetBalance { asset: b.asset.clone(), ..Default::default() });
        line.free += b.free;
        line.locked += b.locked;
    }
    for (asset, bots) in share {
        assets
            .entry(asset.clone())
            .or_insert_with(|| AssetBalance { asset: asset.clone(), ..Default::default() })
            .bots = *bots;
    }
    assets.into_values().filter(|a| !(a.total().is_zero() && a.bots.is_zero())).collect()
}

/// The accounts `reads` returned, with their contexts and the bots' share of each asset.
pub(super) fn account_balances(
    reads: Vec<AccountRead>,
    contexts: &[domain::contexts::TradingContext],
    bots: &[Bot],
) -> Balances {
    let mut totals: BTreeMap<ContextMode, BTreeMap<String, AssetBalance>> = BTreeMap::new();
    let accounts = reads
        .into_iter()
        .map(|read| {
            let of_account = |exchange: ExchangeId, mode: ContextMode| read.exchange == exchange && read.mode == mode;
            let ids = contexts.iter().filter(|c| of_account(c.exchange, c.mode)).map(|c| c.id).collect();
            let (assets, error) = match &read.balances {
                Ok(balances) => {
                    (merge(balances, &bots_share(bots.iter().filter(|b| of_account(b.exchange, b.mode)))), None)
                }
                Err(err) => (Vec::new(), Some(err.clone())),
            };
            let mode_totals = totals.entry(read.mode).or_default();
            for asset in &assets {
                mode_totals
                    .entry(asset.asset.clone())
                    .or_insert_with(|| AssetBalance { asset: asset.asset.clone(), ..Default::default() })
                    .add(asset);
            }
            AccountBalances {
                exchange: read.exchange,
                mode: read.mode,
                contexts: ids,
                read_at: read.read_at,
                assets,
                error,
            }
        })
        .collect();
    Balances {
        accounts,
        totals: totals.into_iter().map(|(mode, assets)| (mode, assets.into_values().collect())).collect(),
    }
}

impl AccountsView {
    /// Every exchange account of `owner`'s contexts, each read once now.
    pub async fn balances(&self, owner: UserId) -> Result<Balances, Unexpected> {
        let contexts = self.contexts(owner).await?;
        let bots = self.bots(owner).await?;
        let reads = self.read_accounts(&contexts).await;
        Ok(account_balances(reads, &contexts, &bots))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn balance(asset: &str, free: Decimal, locked: Decimal) -> Balance {
        Balance { asset: asset.to_owned(), free, locked }
    }

    #[test]
    fn merge_puts_the_bots_share_beside_the_exchange_and_keeps_a_shortfall_negative() {
        let share = BTreeMap::from([("BRL".to_owned(), dec!(900)), ("BTC".to_owned(), dec!(0.5))]);
        let merged = merge(&[balance("BRL", dec!(700), dec!(100)), balance("ETH", dec!(0), dec!(0))], &share);

        assert_eq!(merged.len(), 2, "ETH at zero on both sides is left out: {merged:?}");
        assert_eq!((merged[0].total(), merged[0].bots, merged[0].outside_bots()), (dec!(800), dec!(900), dec!(-100)));
        assert_eq!(
            (merged[1].asset.as_str(), merged[1].total(), merged[1].outside_bots()),
            ("BTC", dec!(0), dec!(-0.5))
        );
    }
}
