//! The account endpoint (`GET /api/v3/account`, weight 20): balances and the key's permissions.

use domain::exchange::{AccountInfo, ApiCredentials, Balance, ExchangeError};

use super::client::Call;
use super::dto::AccountDto;
use super::BinanceExchange;

impl BinanceExchange {
    async fn fetch_account(&self, creds: &ApiCredentials) -> Result<AccountDto, ExchangeError> {
        let call = Call::get("/api/v3/account", 20).param("omitZeroBalances", "true");
        self.http.signed(self.network(creds), creds, &call).await.map_err(|e| e.into_read_error(None))
    }

    /// Non-zero balances (Binance omits the zero ones on request).
    pub(crate) async fn fetch_balances(&self, creds: &ApiCredentials) -> Result<Vec<Balance>, ExchangeError> {
        let account = self.fetch_account(creds).await?;
        Ok(account
            .balances
            .into_iter()
            .map(|b| Balance { asset: b.asset, free: b.free.normalize(), locked: b.locked.normalize() })
            .collect())
    }

    /// `canTrade` and `canWithdraw` of the key's account.
    pub(crate) async fn fetch_account_info(&self, creds: &ApiCredentials) -> Result<AccountInfo, ExchangeError> {
        let account = self.fetch_account(creds).await?;
        Ok(AccountInfo { can_trade: account.can_trade, can_withdraw: account.can_withdraw })
    }
}
