//! [`UserRepository`] over a [`DocumentStore`]: collection `users`, unique index `users_email`.

use std::sync::Arc;

use async_trait::async_trait;
use domain::identity::{
    Consent, DisplayName, Email, Language, Role, TimeZoneName, User, UserFilter, UserRepository, UserSort, UserStatus,
};
use domain::shared::ids::UserId;
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, millis, millis_opt, to_millis, value_of, FIRST_VERSION};
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of a [`User`].
#[derive(Serialize, Deserialize)]
struct UserDocument {
    #[serde(rename = "_id")]
    id: UserId,
    email: Email,
    name: DisplayName,
    password_hash: String,
    role: Role,
    status: UserStatus,
    consent: ConsentDocument,
    #[serde(with = "millis_opt")]
    tokens_valid_after: Option<OffsetDateTime>,
    /// Absent in documents written before session generations existed.
    #[serde(default)]
    session_generation: u64,
    /// Absent in documents written before languages existed: Brazilian Portuguese.
    #[serde(default)]
    language: Language,
    /// Absent in documents written before time zones existed: `America/Sao_Paulo`.
    #[serde(default)]
    time_zone: TimeZoneName,
    /// Absent in documents written before e-mail verification existed: those users count as
    /// verified, so nobody's running live bots stop (docs/notifications.md).
    #[serde(default = "verified_before_verification_existed")]
    email_verified: bool,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    updated_at: OffsetDateTime,
    version: u64,
}

fn verified_before_verification_existed() -> bool {
    true
}

#[derive(Serialize, Deserialize)]
struct ConsentDocument {
    terms: bool,
    privacy: bool,
    marketing: bool,
    #[serde(with = "millis")]
    at: OffsetDateTime,
    ip: Option<String>,
    user_agent: Option<String>,
}

impl From<&User> for UserDocument {
    fn from(u: &User) -> Self {
        let c = &u.consent;
        Self {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            password_hash: u.password_hash.clone(),
            role: u.role,
            status: u.status,
            consent: ConsentDocument {
                terms: c.terms,
                privacy: c.privacy,
                marketing: c.marketing,
                at: c.at,
                ip: c.ip.clone(),
                user_agent: c.user_agent.clone(),
            },
            tokens_valid_after: u.tokens_valid_after,
            session_generation: u.session_generation,
            language: u.language,
            time_zone: u.time_zone.clone(),
            email_verified: u.email_verified,
            created_at: u.created_at,
            updated_at: u.updated_at,
            version: u.version,
        }
    }
}

impl From<UserDocument> for User {
    fn from(d: UserDocument) -> Self {
        let c = d.consent;
        User {
            id: d.id,
            email: d.email,
            name: d.name,
            password_hash: d.password_hash,
            role: d.role,
            status: d.status,
            consent: Consent {
                terms: c.terms,
                privacy: c.privacy,
                marketing: c.marketing,
                at: c.at,
                ip: c.ip,
                user_agent: c.user_agent,
            },
            tokens_valid_after: d.tokens_valid_after,
            session_generation: d.session_generation,
            language: d.language,
            time_zone: d.time_zone,
            email_verified: d.email_verified,
            created_at: d.created_at,
            updated_at: d.updated_at,
            version: d.version,
        }
    }
}

/// Users in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreUserRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreUserRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "users";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::unique("users_email", &["email"]),
        IndexSpec::plain("users_created", &["created_at"]),
        IndexSpec::plain("users_status", &["status", "created_at"]),
        IndexSpec::plain("users_role", &["role", "created_at"]),
    ];

    /// The repository over `store` (see [`super::Repositories::on`] for the indexes).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl UserRepository for StoreUserRepository {
    async fn create(&self, user: &User) -> Result<User, RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &UserDocument::from(user)).await?;
        Ok(User { version: FIRST_VERSION, ..user.clone() })
    }

    async fn get(&self, id: UserId) -> Result<User, RepoError> {
        let found: Option<UserDocument> = codec::get(&*self.store, Self::COLLECTION, &id.to_string()).await?;
        found.map(User::from).ok_or(RepoError::NotFound)
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, RepoError> {
        let query = Query::all().eq("email", email.as_str());
        let found: Option<UserDocument> = codec::find_one(&*self.store, Self::COLLECTION, query).await?;
        Ok(found.map(User::from))
    }

    async fn update(&self, user: &User) -> Result<User, RepoError> {
        let version = codec::replace(&*self.store, Self::COLLECTION, &UserDocument::from(user), user.version).await?;
        Ok(User { version, ..user.clone() })
    }

    async fn list(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, RepoError> {
        let mut query = Query::all();
        if let Some(status) = filter.status {
            query = query.eq("status", value_of(&status));
        }
        if let Some(role) = filter.role {
            query = query.eq("role", value_of(&role));
        }
        if let Some(prefix) = &filter.email_prefix {
            // Every string starting with `prefix` sorts between it and `prefix` + U+10FFFF.
            query = query.gte("email", prefix.as_str()).lt("email", format!("{prefix}\u{10FFFF}"));
        }
        if let Some(from) = filter.created_from {
            query = query.gte("created_at", to_millis(from));
        }
        if let Some(to) = filter.created_to {
            query = query.lt("created_at", to_millis(to));
        }
        if let Some(ids) = &filter.ids {
            query = query.is_in(ID, ids.iter().map(UserId::to_string));
        }
        if !filter.not_ids.is_empty() {
            query = query.not_in(ID, filter.not_ids.iter().map(UserId::to_string));
        }
        let query = match filter.sort {
            UserSort::CreatedAsc => query.asc("created_at").asc(ID),
            UserSort::CreatedDesc => query.desc("created_at").desc(ID),
            // E-mails are unique: no tie to break, and the `users_email` index serves the order.
            UserSort::EmailAsc => query.asc("email"),
        };
        codec::page::<UserDocument, _>(&*self.store, Self::COLLECTION, query, page, User::from).await
    }
}
