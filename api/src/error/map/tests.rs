//! Each use-case failure maps to a code its type lists, with the detail of its message.

use application::bots::BotServiceError;
use application::contexts::CreateContextError;
use application::credentials::CredentialError;
use application::identity::{
    AccountError, AuthenticateError, DeleteAccountError, LoginError, RefreshError, RegisterError,
};
use application::legal::ConsentError;
use application::subscriptions::SubscriptionError;
use application::subscriptions::{AccessDenied, PlanGate};
use application::{FieldError, Unexpected};
use domain::legal::{ConsentsRequired, DocumentKind};
use domain::subscriptions::{Plan, SubscriptionStatus};
use domain::RepoError;

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

fn check<E: ErrorCodes + Into<ApiError>>(cases: Vec<(E, ErrorCode)>) {
    for (err, expected) in cases {
        let err: ApiError = err.into();
        assert_eq!(err.code(), expected);
        assert!(E::CODES.contains(&expected), "{expected} is not listed in {}", std::any::type_name::<E>());
    }
}

fn bad_field() -> Vec<FieldError> {
    vec![FieldError::new("email", application::FieldCode::Invalid, "no")]
}

#[test]
fn identity_failures_map_to_listed_codes() {
    check(vec![
        (AuthenticateError::Expired, ErrorCode::TokenExpired),
        (AuthenticateError::Invalid, ErrorCode::InvalidToken),
    ]);
    check(vec![
        (LoginError::TooManyAttempts { retry_after_secs: 3 }, ErrorCode::RateLimited),
        (LoginError::WrongCredentials, ErrorCode::InvalidCredentials),
        (LoginError::AccountBlocked, ErrorCode::AccountBlocked),
    ]);
    check(vec![
        (RefreshError::Invalid, ErrorCode::InvalidRefreshToken),
        (RefreshError::Expired, ErrorCode::RefreshExpired),
        (RefreshError::Reused, ErrorCode::RefreshReused),
    ]);
    check(vec![
        (RegisterError::Invalid(bad_field()), ErrorCode::ValidationFailed),
        (RegisterError::EmailTaken, ErrorCode::EmailTaken),
    ]);
    check(vec![
        (AccountError::Invalid(bad_field()), ErrorCode::ValidationFailed),
        (AccountError::UserNotFound, ErrorCode::NotFound),
    ]);
    check(vec![
        (DeleteAccountError::Invalid(bad_field()), ErrorCode::ValidationFailed),
        (DeleteAccountError::UserNotFound, ErrorCode::NotFound),
        (DeleteAccountError::Busy, ErrorCode::AccountBusy),
        (DeleteAccountError::Bots(BotServiceError::Busy("d".into())), ErrorCode::BotBusy),
        (DeleteAccountError::Bots(BotServiceError::CredentialRejected), ErrorCode::CredentialRejected),
        (DeleteAccountError::Bots(BotServiceError::ExchangeUnavailable("d".into())), ErrorCode::ExchangeUnavailable),
        (DeleteAccountError::Orders(application::AppError::BotBusy("d".into())), ErrorCode::BotBusy),
        (
            DeleteAccountError::Subscription(SubscriptionError::ProviderUnavailable),
            ErrorCode::PaymentProviderUnavailable,
        ),
        (
            DeleteAccountError::Subscription(SubscriptionError::NotConfigured { provider: None }),
            ErrorCode::PaymentsNotConfigured,
        ),
    ]);
}

#[test]
fn consent_failures_map_to_listed_codes() {
    let outdated = |kind| ConsentError::VersionOutdated { kind, shown: "v1".into(), current: "v2".into() };
    let current = domain::legal::DocumentVersion::parse("v2").unwrap();
    check(vec![
        (ConsentError::Invalid(bad_field()), ErrorCode::ValidationFailed),
        (outdated(DocumentKind::Terms), ErrorCode::TermsVersionOutdated),
        (outdated(DocumentKind::Privacy), ErrorCode::PrivacyVersionOutdated),
        (ConsentError::NotAccepted { missing: ConsentsRequired::Terms { current } }, ErrorCode::TermsNotAccepted),
        (ConsentError::UserNotFound, ErrorCode::NotFound),
    ]);
}

#[test]
fn unexpected_failures_map_to_the_store_codes() {
    let store = |err| ApiError::from(Unexpected::Store(err)).code();
    assert_eq!(store(RepoError::Conflict), ErrorCode::VersionConflict);
    assert_eq!(store(RepoError::Duplicate { index: "email".into() }), ErrorCode::Duplicate);
    assert_eq!(store(RepoError::Unavailable(anyhow::anyhow!("down"))), ErrorCode::StoreUnavailable);
    assert_eq!(ApiError::from(Unexpected::Internal(anyhow::anyhow!("bug"))).code(), ErrorCode::InternalError);
    assert_eq!(ApiError::from(LoginError::Unexpected(RepoError::Conflict.into())).code(), ErrorCode::VersionConflict);
}

#[test]
fn access_refusals_map_to_listed_codes_and_name_the_upgrade() {
    let limit =
        |gate| AccessDenied::PlanLimit { gate, plan: Plan::Free, what: "w".into(), upgrade_to: Some(Plan::Pro) };
    check(vec![
        (limit(PlanGate::Contexts), ErrorCode::PlanLimitContexts),
        (limit(PlanGate::Bots), ErrorCode::PlanLimitBots),
        (limit(PlanGate::BotKind), ErrorCode::PlanBotKind),
        (limit(PlanGate::AdvancedIndicators), ErrorCode::PlanAdvancedIndicators),
        (limit(PlanGate::AdvancedMetrics), ErrorCode::PlanAdvancedMetrics),
        (limit(PlanGate::PdfReports), ErrorCode::PlanPdfReports),
        (AccessDenied::SubscriptionInactive { status: SubscriptionStatus::PastDue }, ErrorCode::SubscriptionInactive),
    ]);
    let problem = ApiError::from(limit(PlanGate::Bots)).problem();
    assert_eq!(
        (problem.upgrade_to.as_deref(), problem.detail.as_str()),
        (Some("PRO"), "the FREE plan w; the PRO plan allows it")
    );
}

#[test]
fn credential_failures_map_to_listed_codes() {
    let exchange = "binance".parse().unwrap();
    check(vec![
        (CredentialError::Invalid(bad_field()), ErrorCode::ValidationFailed),
        (CredentialError::Exists { exchange }, ErrorCode::CredentialExists),
        (CredentialError::NotFound, ErrorCode::NotFound),
        (CredentialError::ExchangeUnreachable { exchange }, ErrorCode::ExchangeUnavailable),
    ]);
}

#[test]
fn context_creation_failures_map_to_listed_codes() {
    let exchange = "binance".parse().unwrap();
    let denied =
        AccessDenied::PlanLimit { gate: PlanGate::Contexts, plan: Plan::Free, what: "w".into(), upgrade_to: None };
    check(vec![
        (CreateContextError::Invalid(bad_field()), ErrorCode::ValidationFailed),
        (CreateContextError::CredentialRequired { exchange }, ErrorCode::CredentialRequired),
        (CreateContextError::Access(denied), ErrorCode::PlanLimitContexts),
        (CreateContextError::Exists { exchange, symbol: "BTC-BRL".into() }, ErrorCode::ContextExists),
        (CreateContextError::CredentialRejected, ErrorCode::CredentialRejected),
        (CreateContextError::ExchangeUnavailable("down".into()), ErrorCode::ExchangeUnavailable),
    ]);
}

#[test]
fn order_failures_map_to_listed_codes() {
    use application::orders::OrderError;
    check(vec![
        (OrderError::Invalid(bad_field()), ErrorCode::ValidationFailed),
        (OrderError::InvalidIdempotencyKey, ErrorCode::InvalidIdempotencyKey),
        (OrderError::ContextNotFound, ErrorCode::NotFound),
        (OrderError::NotFound, ErrorCode::NotFound),
        (OrderError::ContextPaused { reason: "r".into() }, ErrorCode::ContextPaused),
        (OrderError::MarketClosed { symbol: "BTC-BRL".into() }, ErrorCode::MarketClosed),
        (OrderError::IdempotencyKeyReused, ErrorCode::IdempotencyKeyReused),
        (OrderError::Final { status: domain::orders::OrderStatus::Filled }, ErrorCode::OrderFinal),
        (OrderError::Pending, ErrorCode::OrderPending),
        (OrderError::CancelUnconfirmed, ErrorCode::CancelUnconfirmed),
        (OrderError::BotBusy("busy".into()), ErrorCode::BotBusy),
        (OrderError::CredentialRequired("none".into()), ErrorCode::CredentialRequired),
        (OrderError::CredentialRejected, ErrorCode::CredentialRejected),
        (OrderError::ExchangeUnavailable("down".into()), ErrorCode::ExchangeUnavailable),
    ]);
    let final_ = ApiError::from(OrderError::Final { status: domain::orders::OrderStatus::Canceled }).problem();
    assert_eq!(final_.detail, "the order is already canceled; only open orders can be cancelled");
}

#[test]
fn subscription_failures_map_to_listed_codes_and_record_the_same_code() {
    use application::subscriptions::SubscriptionError;
    use domain::subscriptions::{CouponRefusal, PaymentError, PaymentProvider, PlanChangeError, TransitionError};
    let cases = vec![
        (SubscriptionError::Invalid(bad_field()), ErrorCode::ValidationFailed),
        (
            SubscriptionError::NotConfigured { provider: Some(PaymentProvider::Stripe) },
            ErrorCode::PaymentsNotConfigured,
        ),
        (PaymentError::NotConfigured.into(), ErrorCode::PaymentsNotConfigured),
        (SubscriptionError::AlreadySubscribed { plan: Plan::Pro }, ErrorCode::AlreadySubscribed),
        (SubscriptionError::NothingToCancel, ErrorCode::NothingToCancel),
        (PlanChangeError::SamePlan(Plan::Max).into(), ErrorCode::PlanChangeRefused),
        (PlanChangeError::NothingScheduled.into(), ErrorCode::NothingScheduled),
        (SubscriptionError::TrialUnavailable, ErrorCode::TrialUnavailable),
        (domain::subscriptions::TrialError::AlreadyUsed(time::OffsetDateTime::UNIX_EPOCH).into(), ErrorCode::TrialUsed),
        (
            SubscriptionError::ChangeUnavailable { provider: PaymentProvider::Mercadopago },
            ErrorCode::PlanChangeUnavailable,
        ),
        (TransitionError::OtherSubscription("sub_1".into()).into(), ErrorCode::SubscriptionMismatch),
        (PaymentError::InvalidSignature("stale".into()).into(), ErrorCode::InvalidSignature),
        // A provider's unreadable answer is the provider's failure; only a webhook's own body is
        // the sender's (mapped where the webhook is verified).
        (PaymentError::Malformed("no id".into()).into(), ErrorCode::PaymentProviderUnavailable),
        (SubscriptionError::MalformedWebhook("no id".into()), ErrorCode::MalformedWebhook),
        (PaymentError::Unavailable(anyhow::anyhow!("down")).into(), ErrorCode::PaymentProviderUnavailable),
        (SubscriptionError::Coupon(CouponRefusal::Unknown), ErrorCode::CouponUnknown),
        (SubscriptionError::Coupon(CouponRefusal::Expired), ErrorCode::CouponExpired),
        (SubscriptionError::Coupon(CouponRefusal::NotApplicable(Some(Plan::Max))), ErrorCode::CouponNotApplicable),
        (SubscriptionError::Coupon(CouponRefusal::Exhausted), ErrorCode::CouponExhausted),
        (SubscriptionError::Coupon(CouponRefusal::AlreadyRedeemed), ErrorCode::CouponAlreadyRedeemed),
    ];
    for (err, expected) in &cases {
        assert_eq!(err.code(), expected.as_str(), "the audit code of {err:?}");
    }
    check(cases);
    let coupon: ApiError = SubscriptionError::Coupon(CouponRefusal::Exhausted).into();
    assert_eq!(coupon.field_errors()[0].field, "coupon");
    check(vec![
        (application::subscriptions::CouponError::Exists, ErrorCode::CouponExists),
        (application::subscriptions::CouponError::NotFound, ErrorCode::NotFound),
        (application::subscriptions::CouponError::Invalid(bad_field()), ErrorCode::ValidationFailed),
    ]);
    let stored = |err: RepoError| SubscriptionError::from(err).code();
    assert_eq!(stored(RepoError::Unavailable(anyhow::anyhow!("down"))), "store_unavailable");
    assert_eq!(stored(RepoError::Conflict), "version_conflict");
}

#[test]
fn bot_failures_map_to_listed_codes() {
    use application::bots::{manual_refused, BotServiceError as E};
    use domain::bots::{BotError, BotKind, ManualOrder, ManualRefused};
    let transition = domain::bots::TransitionRefused { command: "pause", status: "stopped" };
    let order = ManualOrder { side: domain::exchange::OrderSide::Buy, limit_price: None, size: None, position: None };
    let manual = |refusal| manual_refused(refusal, &order);
    let status = |status| ManualRefused::Status { command: "buy", status };
    let exchange = "binance".parse().unwrap();
    check(vec![
        (E::Invalid(bad_field()), ErrorCode::ValidationFailed),
        (E::NotFound, ErrorCode::NotFound),
        (E::PositionNotFound, ErrorCode::NotFound),
        (E::ContextNotFound, ErrorCode::NotFound),
        (E::from(BotError::Transition(transition)), ErrorCode::InvalidBotStatus),
        (E::from(BotError::Running("running")), ErrorCode::BotRunning),
        (E::from(BotError::KindChanged), ErrorCode::KindChanged),
        (E::from(BotError::NotForKind("smart")), ErrorCode::NotForKind),
        (E::from(BotError::UnknownOrder("o".into())), ErrorCode::UnknownOrder),
        (manual(ManualRefused::NotForKind(BotKind::Dca)), ErrorCode::NotForKind),
        (manual(status("tripped")), ErrorCode::BotTripped),
        (manual(status("paused")), ErrorCode::InvalidBotStatus),
        (manual(ManualRefused::BuyingHalted), ErrorCode::BuyingHalted),
        (manual(ManualRefused::EntriesHeld("spike".into())), ErrorCode::EntriesHeld),
        (manual(ManualRefused::MaxOpenPositions(3)), ErrorCode::MaxOpenPositions),
        (manual(ManualRefused::LimitSaleNeedsPosition), ErrorCode::ValidationFailed),
        (E::NeverStarted, ErrorCode::InvalidBotStatus),
        (E::Tripped, ErrorCode::BotTripped),
        (E::Running { status: "running" }, ErrorCode::BotRunning),
        (E::OrdersPending, ErrorCode::OrdersPending),
        (E::NotForKind { kind: BotKind::Candle }, ErrorCode::NotForKind),
        (E::ContextPaused { reason: "r".into() }, ErrorCode::ContextPaused),
        (E::CredentialRequired("none".into()), ErrorCode::CredentialRequired),
        (E::CredentialInvalid { exchange }, ErrorCode::CredentialInvalid),
        (E::CredentialRejected, ErrorCode::CredentialRejected),
        (E::InsufficientBalance("short".into()), ErrorCode::InsufficientBalance),
        (E::Busy("busy".into()), ErrorCode::BotBusy),
        (E::ExchangeUnavailable("down".into()), ErrorCode::ExchangeUnavailable),
        (application::orders::OrderError::MarketClosed { symbol: "BTC-BRL".into() }.into(), ErrorCode::MarketClosed),
        (application::orders::OrderError::IdempotencyKeyReused.into(), ErrorCode::IdempotencyKeyReused),
        (
            E::Access(AccessDenied::SubscriptionInactive { status: SubscriptionStatus::PastDue }),
            ErrorCode::SubscriptionInactive,
        ),
        (E::Consent(ConsentError::UserNotFound), ErrorCode::NotFound),
    ]);
    let missing = E::from(BotError::NoPosition(domain::shared::ids::PositionId::new()));
    assert!(matches!(missing, E::PositionNotFound));
    assert_eq!(ApiError::from(E::Tripped).problem().detail, E::Tripped.to_string());
}

#[test]
fn context_read_failures_map_to_listed_codes() {
    use application::contexts::ContextError;
    let exchange = "binance".parse().unwrap();
    check(vec![
        (ContextError::Invalid(bad_field()), ErrorCode::ValidationFailed),
        (ContextError::NotFound, ErrorCode::NotFound),
        (ContextError::InUse { running: 2 }, ErrorCode::ContextInUse),
        (ContextError::CredentialRequired { exchange }, ErrorCode::CredentialRequired),
        (ContextError::CredentialRejected, ErrorCode::CredentialRejected),
        (ContextError::ExchangeUnavailable("down".into()), ErrorCode::ExchangeUnavailable),
    ]);
    assert_eq!(ApiError::from(ContextError::NotFound).problem().detail, "context not found");
}

#[test]
fn exchange_failures_map_to_listed_codes() {
    use application::exchanges::{exchange_error, ExchangeFailure};
    use domain::exchange::ExchangeError;
    let not_set_up =
        ExchangeFailure::NotSetUp { exchange: "binance".parse().unwrap(), mode: domain::contexts::ContextMode::Live };
    check(vec![
        (exchange_error(ExchangeError::InsufficientBalance), ErrorCode::ValidationFailed),
        (exchange_error(ExchangeError::OrderNotFound), ErrorCode::NotFound),
        (exchange_error(ExchangeError::Unauthorized("key".into())), ErrorCode::CredentialRejected),
        (exchange_error(ExchangeError::OutcomeUnknown("timed out".into())), ErrorCode::ExchangeUnavailable),
        (not_set_up, ErrorCode::ExchangeUnavailable),
    ]);
    let problem = ApiError::from(exchange_error(ExchangeError::InsufficientBalance)).problem();
    assert_eq!(
        (problem.errors[0].field.as_str(), problem.errors[0].code.as_str()),
        ("quantity", "insufficient_balance")
    );
}

#[test]
fn market_data_failures_map_to_listed_codes() {
    use application::exchanges::ExchangeFailure;
    use application::market::MarketDataError;
    check(vec![
        (MarketDataError::UnknownExchange, ErrorCode::NotFound),
        (MarketDataError::Invalid(bad_field()), ErrorCode::ValidationFailed),
        (ExchangeFailure::Unreachable.into(), ErrorCode::ExchangeUnavailable),
        (ExchangeFailure::Invalid(bad_field()).into(), ErrorCode::ValidationFailed),
    ]);
    assert_eq!(ApiError::from(MarketDataError::UnknownExchange).problem().detail, "exchange not found");
}

#[test]
fn analysis_failures_map_to_listed_codes() {
    check(vec![(application::analysis::AnalysisError::ContextNotFound, ErrorCode::NotFound)]);
}
