//! Named constructors of valid entities for the contract suite. Instants are whole milliseconds,
//! as stores keep them, so an entity read back equals the one written.

use domain::credentials::{ApiKeyLast4, CredentialStatus, EncryptedValue, ExchangeCredential, ExchangeId};
use domain::exchange::{OrderKind, OrderSide, OrderSize};
use domain::identity::{
    AuditAction, AuditEntry, Consent, DisplayName, Email, Language, RefreshSession, Role, TimeZoneName, User,
    UserStatus,
};
use domain::market::Symbol;
use domain::orders::{CreationContext, NewOrder, Order, StrategySource};
use domain::shared::clock::to_millis;
use domain::shared::ids::{AuditId, ContextId, CredentialId, SessionFamilyId, SessionId, SubscriptionId, UserId};
use domain::subscriptions::{Plan, Subscription, SubscriptionStatus};
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

/// A fixed instant (2026-01-02 03:04:05.678 UTC) that tests offset from.
pub fn t0() -> OffsetDateTime {
    to_millis(
        OffsetDateTime::from_unix_timestamp_nanos(1_767_323_045_678_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH),
    )
}

/// `t0() + seconds`.
pub fn at(seconds: i64) -> OffsetDateTime {
    t0() + Duration::seconds(seconds)
}

/// An active user with `email`, created at `at(created)`.
pub fn user(email: &str, created: i64) -> User {
    User {
        id: UserId::new(),
        email: Email::parse(email).expect("fixture e-mail is valid"),
        name: DisplayName::parse("Ana Souza").expect("fixture name is valid"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: Role::User,
        status: UserStatus::Active,
        consent: Consent {
            terms: true,
            privacy: true,
            marketing: false,
            at: at(created),
            ip: Some("203.0.113.7".into()),
            user_agent: None,
        },
        tokens_valid_after: None,
        session_generation: 0,
        // Not the defaults, so a store that drops either field fails the round trip.
        language: Language::En,
        time_zone: TimeZoneName::parse("Europe/Lisbon").expect("a known zone"),
        email_verified: true,
        created_at: at(created),
        updated_at: at(created),
        version: 0,
    }
}

/// A fresh refresh session of `user` in `family`, issued at `at(created)` for 30 days.
pub fn session(user: UserId, family: SessionFamilyId, created: i64) -> RefreshSession {
    RefreshSession {
        id: SessionId::new(),
        user_id: user,
        family_id: family,
        token_hash: format!("{:064x}", ulid::Ulid::new().0),
        created_at: at(created),
        expires_at: at(created) + Duration::days(30),
        used_at: None,
        revoked_at: None,
        version: 0,
    }
}

/// An audit entry of `user` at `at(seconds)`.
pub fn audit(user: Option<UserId>, action: AuditAction, seconds: i64) -> AuditEntry {
    AuditEntry {
        id: AuditId::new(),
        user_id: user,
        action,
        ip: Some("198.51.100.4".into()),
        user_agent: Some("botfleet-tests/1.0".into()),
        detail: None,
        at: at(seconds),
    }
}

/// An encrypted-looking value.
pub fn encrypted(tag: &str) -> EncryptedValue {
    EncryptedValue { key_id: "k1".into(), nonce: "bm9uY2Vub25jZQ==".into(), ciphertext: format!("Y2lwaGVy{tag}") }
}

/// An unverified credential of `user` on `exchange`, created at `at(created)`.
pub fn credential(user: UserId, exchange: ExchangeId, created: i64) -> ExchangeCredential {
    ExchangeCredential {
        id: CredentialId::new(),
        user_id: user,
        exchange,
        api_key: encrypted("key"),
        api_secret: encrypted("secret"),
        key_last4: ApiKeyLast4::of("abcdWXYZ"),
        testnet: false,
        status: CredentialStatus::Unverified,
        status_reason: None,
        validated_at: None,
        created_at: at(created),
        updated_at: at(created),
        outbox: Default::default(),
        version: 0,
    }
}

/// An active subscription of `user` on `plan`, created at `at(created)`.
pub fn subscription(user: UserId, plan: Plan, created: i64) -> Subscription {
    Subscription {
        id: SubscriptionId::new(),
        user_id: user,
        plan,
        status: SubscriptionStatus::Active,
        provider: None,
        provider_subscription_id: None,
        provider_customer_id: None,
        provider_observed_at: None,
        status_reason: None,
        current_period_end: None,
        cancel_at_period_end: false,
        paid_charges: Vec::new(),
        period_end_notified: None,
        scheduled_change: None,
        trial_started_at: None,
        created_at: at(created),
        updated_at: at(created),
        outbox: Default::default(),
        version: 0,
    }
}

/// A pending manual limit buy of 0.5 BTC at 300000.1 BRL on Binance by `user` in `context`,
/// created at `at(created)`.
pub fn order(user: UserId, context: ContextId, created: i64) -> Order {
    let new = NewOrder {
        user_id: user,
        context_id: context,
        exchange: ExchangeId::Binance,
        symbol: Symbol::parse("BTC-BRL").expect("fixture symbol is valid"),
        bot_id: None,
        source: StrategySource::Manual,
        side: OrderSide::Buy,
        kind: OrderKind::Limit { price: Decimal::new(3_000_001, 1) },
        size: OrderSize::Quantity(Decimal::new(5, 1)),
        creation: CreationContext::default(),
        reason: None,
    };
    Order::new(new, at(created)).expect("fixture order is valid")
}
