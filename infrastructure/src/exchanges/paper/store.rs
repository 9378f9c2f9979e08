//! Paper accounts in a [`DocumentStore`], so they survive restarts on the embedded store and on
//! MongoDB alike.
//!
//! Collection `paper_accounts`: one document per (exchange, API key), `_id` =
//! `<exchange>:<sha256(api key) hex>` (the key itself is never stored), holding balances, open
//! orders and recently closed ones. Every change replaces the whole document under its expected
//! version; a stale write (`Conflict`, another process) re-reads and retries. Closed orders never
//! change again, so they are then copied to `paper_orders` (`_id` = `<account>/<order id>`, unique
//! per account and client order id) and dropped from the account document, keeping it small.
//! Within one process, a per-account async lock serialises the read-modify-write cycles.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use domain::exchange::{ExchangeError, ExchangeId, OrderRef};
use domain::market::Asset;
use domain::RepoError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::OwnedMutexGuard;

use super::account::Account;
use super::order::PaperOrder;
use crate::store::{Doc, DocumentStore, IndexSpec, Query, ID, VERSION};

/// The accounts collection.
pub const ACCOUNTS: &str = "paper_accounts";
/// The archived (closed) orders collection.
pub const ORDERS: &str = "paper_orders";
const ACCOUNT_INDEXES: &[IndexSpec] = &[IndexSpec::plain("paper_accounts_open", &["exchange", "open_orders"])];
const ORDER_INDEXES: &[IndexSpec] = &[IndexSpec::unique("paper_orders_client", &["account", "client_order_id"])];
/// Stale writes tolerated in a row before giving up.
const MAX_ATTEMPTS: usize = 16;

#[derive(Serialize, Deserialize)]
struct AccountDocument {
    #[serde(rename = "_id")]
    id: String,
    exchange: ExchangeId,
    open_orders: u64,
    #[serde(flatten)]
    account: Account,
}

#[derive(Serialize, Deserialize)]
struct ArchivedOrder {
    #[serde(rename = "_id")]
    id: String,
    account: String,
    client_order_id: String,
    order: PaperOrder,
}

fn unavailable(err: RepoError) -> ExchangeError {
    ExchangeError::unavailable(anyhow::Error::new(err).context("the paper exchange's store failed"))
}

fn to_doc<T: Serialize>(value: &T, version: u64) -> Result<Doc, ExchangeError> {
    match serde_json::to_value(value).map_err(ExchangeError::unavailable)? {
        Value::Object(mut doc) => {
            doc.insert(VERSION.to_owned(), version.into());
            Ok(doc)
        }
        _ => Err(ExchangeError::unavailable(anyhow::anyhow!("a paper document is not an object"))),
    }
}

fn from_doc<T: for<'de> Deserialize<'de>>(doc: Doc) -> Result<(T, u64), ExchangeError> {
    let version = doc.get(VERSION).and_then(Value::as_u64).unwrap_or(0);
    let value = serde_json::from_value(Value::Object(doc)).map_err(ExchangeError::unavailable)?;
    Ok((value, version))
}

/// The paper accounts of one simulated exchange.
#[derive(Debug)]
pub(crate) struct AccountStore {
    store: Arc<dyn DocumentStore>,
    exchange: ExchangeId,
    initial: BTreeMap<Asset, Decimal>,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl AccountStore {
    /// The accounts of `exchange` in `store`; new accounts start with `initial`.
    pub fn new(store: Arc<dyn DocumentStore>, exchange: ExchangeId, initial: BTreeMap<Asset, Decimal>) -> Self {
        Self { store, exchange, initial, locks: Mutex::new(HashMap::new()) }
    }

    /// Creates the collections' indexes (idempotent).
    pub async fn ensure(&self) -> Result<(), RepoError> {
        self.store.ensure_collection(ACCOUNTS, ACCOUNT_INDEXES).await?;
        self.store.ensure_collection(ORDERS, ORDER_INDEXES).await
    }

    /// The account id of an API key.
    pub fn account_id(&self, api_key: &str) -> String {
        format!("{}:{}", self.exchange, hex::encode(Sha256::digest(api_key.as_bytes())))
    }

    /// Serialises this process's work on one account; hold it across a read-modify-write.
    pub async fn lock(&self, id: &str) -> OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
            locks.entry(id.to_owned()).or_default().clone()
        };
        lock.lock_owned().await
    }

    /// The account and its stored version (`None`: not stored yet, a fresh account).
    pub async fn load(&self, id: &str) -> Result<(Account, Option<u64>), ExchangeError> {
        match self.store.get(ACCOUNTS, id).await.map_err(unavailable)? {
            Some(doc) => from_doc::<AccountDocument>(doc).map(|(d, v)| (d.account, Some(v))),
            None => Ok((Account::new(&self.initial), None)),
        }
    }

    /// Applies `op` to the stored account and writes the result if it changed, retrying on stale
    /// writes; `op` runs again on the fresh state each time. Closed orders are then archived.
    pub async fn update<T>(
        &self,
        id: &str,
        mut op: impl FnMut(&mut Account) -> Result<T, ExchangeError>,
    ) -> Result<T, ExchangeError> {
        for _ in 0..MAX_ATTEMPTS {
            let (current, version) = self.load(id).await?;
            let mut next = current.clone();
            let out = op(&mut next)?;
            if next == current {
                return Ok(out);
            }
            match self.write(id, &next, version).await {
                Ok(()) => {
                    if next.orders.iter().any(|o| !o.is_open()) {
                        self.archive(id).await?;
                    }
                    return Ok(out);
                }
                Err(RepoError::Conflict) | Err(RepoError::Duplicate { .. }) => continue,
                Err(e) => return Err(unavailable(e)),
            }
        }
        Err(ExchangeError::unavailable(anyhow::anyhow!("paper account {id} is too contended")))
    }

    async fn write(&self, id: &str, account: &Account, version: Option<u64>) -> Result<(), RepoError> {
        let document = AccountDocument {
            id: id.to_owned(),
            exchange: self.exchange,
            open_orders: account.open_count() as u64,
            account: account.clone(),
        };
        let encode = |v| to_doc(&document, v).map_err(|e| RepoError::unavailable(anyhow::anyhow!(e)));
        match version {
            Some(v) => self.store.replace(ACCOUNTS, encode(v)?, v).await.map(drop),
            None => self.store.insert(ACCOUNTS, encode(1)?).await,
        }
    }

    /// Copies the account's closed orders to `paper_orders` and drops them from the account. A
    /// stale write leaves them for the next time (copies are idempotent).
    async fn archive(&self, id: &str) -> Result<(), ExchangeError> {
        let (mut account, Some(version)) = self.load(id).await? else { return Ok(()) };
        let closed = account.take_closed();
        for order in &closed {
            let archived = ArchivedOrder {
                id: format!("{id}/{}", order.id),
                account: id.to_owned(),
                client_order_id: order.client_order_id.as_str().to_owned(),
                order: order.clone(),
            };
            match self.store.insert(ORDERS, to_doc(&archived, 1)?).await {
                Ok(()) | Err(RepoError::Duplicate { .. }) => {}
                Err(e) => return Err(unavailable(e)),
            }
        }
        match self.write(id, &account, Some(version)).await {
            Ok(()) | Err(RepoError::Conflict) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// An archived order of the account.
    pub async fn archived(&self, id: &str, r: &OrderRef) -> Result<Option<PaperOrder>, ExchangeError> {
        let doc = match r {
            OrderRef::Exchange(order_id) => self.store.get(ORDERS, &format!("{id}/{order_id}")).await,
            OrderRef::Client(client) => {
                let query = Query::all().eq("account", id).eq("client_order_id", client.as_str()).limit(1);
                self.store.find(ORDERS, &query).await.map(|docs| docs.into_iter().next())
            }
        }
        .map_err(unavailable)?;
        doc.map(|d| from_doc::<ArchivedOrder>(d).map(|(a, _)| a.order)).transpose()
    }

    /// The ids of this exchange's accounts with open orders.
    pub async fn with_open_orders(&self) -> Result<Vec<String>, ExchangeError> {
        let query = Query::all().eq("exchange", self.exchange.as_str()).gt("open_orders", 0);
        let docs = self.store.find(ACCOUNTS, &query).await.map_err(unavailable)?;
        Ok(docs.into_iter().filter_map(|d| d.get(ID).and_then(Value::as_str).map(str::to_owned)).collect())
    }
}
