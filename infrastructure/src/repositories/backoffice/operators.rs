//! [`OperatorRepository`] over a [`DocumentStore`]: collection `operators`, unique index
//! `operators_email`.

use std::sync::Arc;

use async_trait::async_trait;
use domain::backoffice::{Operator, OperatorRepository, OperatorRole};
use domain::credentials::EncryptedValue;
use domain::identity::Email;
use domain::shared::ids::OperatorId;
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::repositories::codec::{self, millis, FIRST_VERSION};
use crate::store::{DocumentStore, IndexSpec, Query};

/// The stored form of an [`Operator`].
#[derive(Serialize, Deserialize)]
struct OperatorDocument {
    #[serde(rename = "_id")]
    id: OperatorId,
    email: Email,
    password_hash: String,
    role: OperatorRole,
    totp_secret: Option<EncryptedValue>,
    totp_enrolled: bool,
    last_totp_step: u64,
    recovery_codes: Vec<String>,
    active: bool,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    updated_at: OffsetDateTime,
    version: u64,
}

impl From<&Operator> for OperatorDocument {
    fn from(o: &Operator) -> Self {
        Self {
            id: o.id,
            email: o.email.clone(),
            password_hash: o.password_hash.clone(),
            role: o.role,
            totp_secret: o.totp_secret.clone(),
            totp_enrolled: o.totp_enrolled,
            last_totp_step: o.last_totp_step,
            recovery_codes: o.recovery_codes.clone(),
            active: o.active,
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
        }
    }
}

impl From<OperatorDocument> for Operator {
    fn from(d: OperatorDocument) -> Self {
        Operator {
            id: d.id,
            email: d.email,
            password_hash: d.password_hash,
            role: d.role,
            totp_secret: d.totp_secret,
            totp_enrolled: d.totp_enrolled,
            last_totp_step: d.last_totp_step,
            recovery_codes: d.recovery_codes,
            active: d.active,
            created_at: d.created_at,
            updated_at: d.updated_at,
            version: d.version,
        }
    }
}

/// Operators in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreOperatorRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreOperatorRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "operators";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[IndexSpec::unique("operators_email", &["email"])];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl OperatorRepository for StoreOperatorRepository {
    async fn create(&self, operator: &Operator) -> Result<Operator, RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &OperatorDocument::from(operator)).await?;
        Ok(Operator { version: FIRST_VERSION, ..operator.clone() })
    }

    async fn get(&self, id: OperatorId) -> Result<Operator, RepoError> {
        let found: Option<OperatorDocument> = codec::get(&*self.store, Self::COLLECTION, &id.to_string()).await?;
        found.map(Operator::from).ok_or(RepoError::NotFound)
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<Operator>, RepoError> {
        let query = Query::all().eq("email", email.as_str());
        let found: Option<OperatorDocument> = codec::find_one(&*self.store, Self::COLLECTION, query).await?;
        Ok(found.map(Operator::from))
    }

    async fn update(&self, operator: &Operator) -> Result<Operator, RepoError> {
        let document = OperatorDocument::from(operator);
        let version = codec::replace(&*self.store, Self::COLLECTION, &document, operator.version).await?;
        Ok(Operator { version, ..operator.clone() })
    }

    async fn list(&self, page: PageRequest) -> Result<Page<Operator>, RepoError> {
        // E-mails are unique: no tie to break, and the `operators_email` index serves the order.
        let query = Query::all().asc("email");
        codec::page::<OperatorDocument, _>(&*self.store, Self::COLLECTION, query, page, Operator::from).await
    }
}
