//! Public and authenticated calls: bearer token, one re-authorization after a refused token,
//! the account id every private path needs (cached per credential), balances and key checks.

use domain::exchange::{AccountInfo, ApiCredentials, Balance, ExchangeError};
use domain::market::Symbol;
use reqwest::header::AUTHORIZATION;
use reqwest::{Method, RequestBuilder};
use std::sync::PoisonError;

use super::auth::CredKey;
use super::client::{decode, Answer};
use super::dto::{AccountDto, BalanceDto};
use super::errors::read_only;
use super::limiter::Endpoint;
use super::{mapping, MercadoBitcoin};

impl MercadoBitcoin {
    /// A public call that changes nothing.
    pub(crate) async fn public(
        &self,
        endpoint: Endpoint,
        symbol: Option<&Symbol>,
        request: RequestBuilder,
    ) -> Result<Vec<u8>, ExchangeError> {
        match self.http.send(endpoint, None, request).await.map_err(read_only)? {
            Answer::Ok(body) => Ok(body),
            Answer::Failed(f) => Err(read_only(f.into_error(symbol))),
        }
    }

    /// An authenticated call. `build` makes the request (it may be built twice: after a token
    /// the exchange refuses, the adapter re-authorizes once and sends it again; a refused token
    /// means the request was not acted on). Time-outs and 5xx stay `OutcomeUnknown`.
    pub(crate) async fn private(
        &self,
        creds: &ApiCredentials,
        endpoint: Endpoint,
        symbol: Option<&Symbol>,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Vec<u8>, ExchangeError> {
        if creds.testnet {
            return Err(ExchangeError::Rejected {
                code: "NO_TESTNET".into(),
                message: "Mercado Bitcoin has no test network".into(),
            });
        }
        let key = CredKey::of(creds);
        let mut token = self.tokens.get(creds, &key).await?;
        let mut renewed = false;
        loop {
            let request = build().header(AUTHORIZATION, token.bearer());
            match self.http.send(endpoint, Some(key.as_str()), request).await? {
                Answer::Ok(body) => return Ok(body),
                Answer::Failed(f) if f.is_token_problem() && !renewed => {
                    tracing::info!(credential = ?key, "Mercado Bitcoin refused the token; authorizing again");
                    renewed = true;
                    token = self.tokens.renew(creds, &key, &token).await?;
                }
                Answer::Failed(f) => return Err(f.into_error(symbol)),
            }
        }
    }

    /// The account id for `creds` (the live account, else the first), read once per credential.
    pub(crate) async fn account_id(&self, creds: &ApiCredentials) -> Result<String, ExchangeError> {
        let key = CredKey::of(creds);
        if let Some(id) = self.accounts.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return Ok(id.clone());
        }
        let body = self
            .private(creds, Endpoint::Unmetered, None, || self.http.request(Method::GET, "/accounts"))
            .await
            .map_err(read_only)?;
        let accounts: Vec<AccountDto> = decode(&body)?;
        let chosen =
            accounts.iter().find(|a| a.kind.as_deref() == Some("live")).or_else(|| accounts.first()).ok_or_else(
                || ExchangeError::Rejected {
                    code: "NO_ACCOUNT".into(),
                    message: "the key has no Mercado Bitcoin account".into(),
                },
            )?;
        self.accounts.lock().unwrap_or_else(PoisonError::into_inner).insert(key, chosen.id.clone());
        Ok(chosen.id.clone())
    }

    /// Every balance of the account.
    pub(crate) async fn read_balances(&self, creds: &ApiCredentials) -> Result<Vec<Balance>, ExchangeError> {
        let account = self.account_id(creds).await?;
        let path = format!("/accounts/{account}/balances");
        let body = self
            .private(creds, Endpoint::Balances, None, || self.http.request(Method::GET, &path))
            .await
            .map_err(read_only)?;
        let balances: Vec<BalanceDto> = decode(&body)?;
        Ok(balances.iter().map(mapping::balance).collect())
    }

    /// Authorizes and reads the account: a key that gets that far can be used. Mercado Bitcoin
    /// does not say whether a key may trade or withdraw; a read-only key shows itself as
    /// `Unauthorized` (`INVALID_ACCESS`) on its first order.
    pub(crate) async fn read_account_info(&self, creds: &ApiCredentials) -> Result<AccountInfo, ExchangeError> {
        self.account_id(creds).await?;
        Ok(AccountInfo { can_trade: true, can_withdraw: None })
    }
}
