//! The enums the API sends, owned by the API: each derives its schema (a string `enum` in the
//! spec, a union type in a generated client) and converts from its domain enum by an exhaustive
//! match, so a variant added to the domain does not compile until the API names it. The wire
//! names are the domain's serde names (a test checks every variant), so the JSON is unchanged.

/// Declares an API enum mirroring a domain enum: the same variants, the same serde names.
/// The case is taken as a token tree: utoipa's derive does not read a `rename_all` given as a
/// `literal` fragment (the spec would show the Rust names; `the_spec_lists_every_variant`).
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident from $domain:ty, case $case:tt { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
        #[serde(rename_all = $case)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }
        wire_enum!(@from $name, $domain, $($variant),+);
    };
    (@from $name:ident, $domain:ty, $($variant:ident),+) => {
        impl From<$domain> for $name {
            fn from(value: $domain) -> Self {
                type Domain = $domain;
                match value {
                    $(Domain::$variant => Self::$variant),+
                }
            }
        }

        #[cfg(test)]
        impl $name {
            /// Each variant's JSON as the API sends it and as the domain's serde writes it.
            fn wire_pairs() -> Vec<(serde_json::Value, serde_json::Value)> {
                type Domain = $domain;
                vec![$((
                    serde_json::to_value(Self::$variant).unwrap(),
                    serde_json::to_value(Domain::$variant).unwrap(),
                )),+]
            }
        }
    };
}

wire_enum! {
    /// An exchange botfleet trades on.
    Exchange from domain::exchange::ExchangeId, case "snake_case" { Binance, MercadoBitcoin }
}

wire_enum! {
    /// Where a context's orders go: the exchange (`live`) or the paper exchange (`paper`).
    TradingMode from domain::contexts::ContextMode, case "snake_case" { Live, Paper }
}

wire_enum! {
    /// Whether a trading context is active.
    ContextStatus from domain::contexts::ContextStatus, case "snake_case" { Active, Paused }
}

wire_enum! {
    /// A bot's strategy.
    BotKind from domain::bots::BotKind, case "snake_case" { Smart, Candle, Dca, Channel }
}

wire_enum! {
    /// Where a bot is in its life cycle.
    BotStatus from domain::bots::BotStatus, case "snake_case" { Created, Running, Paused, Stopped, Tripped }
}

wire_enum! {
    /// Which strategy placed an order (`manual`: a user, or an order adopted from the exchange).
    OrderSource from domain::orders::StrategySource, case "snake_case" { Manual, Smart, Candle, Dca, Channel }
}

wire_enum! {
    /// Buy or sell the base asset.
    OrderSide from domain::exchange::OrderSide, case "snake_case" { Buy, Sell }
}

wire_enum! {
    /// Where an order is in its life cycle.
    OrderStatus from domain::orders::OrderStatus, case "snake_case" {
        Pending, New, PartiallyFilled, Filled, Canceled, Rejected, Expired
    }
}

wire_enum! {
    /// Whether a stored credential was accepted by its exchange.
    CredentialStatus from domain::credentials::CredentialStatus, case "snake_case" { Unverified, Valid, Invalid }
}

wire_enum! {
    /// A user's role.
    UserRole from domain::identity::Role, case "snake_case" { User, Admin }
}

wire_enum! {
    /// Whether an account may sign in.
    UserStatus from domain::identity::UserStatus, case "snake_case" { Active, Blocked, Deleted }
}

wire_enum! {
    /// A subscription plan.
    Plan from domain::subscriptions::Plan, case "SCREAMING_SNAKE_CASE" { Free, Pro, Max }
}

wire_enum! {
    /// A subscription's state at its payment provider.
    SubscriptionStatus from domain::subscriptions::SubscriptionStatus, case "snake_case" {
        Active, Trialing, PastDue, Unpaid, Canceled, Incomplete, Paused
    }
}

wire_enum! {
    /// A payment provider.
    PaymentProvider from domain::subscriptions::PaymentProvider, case "snake_case" { Stripe, Mercadopago }
}

wire_enum! {
    /// How a charge was paid: `pix`, `boleto` (Mercado Pago, one period at a time), `card`, or
    /// `comp` (nothing paid: a plan granted by an operator).
    PaymentMethod from domain::subscriptions::PaymentMethod, case "snake_case" { Pix, Boleto, Card, Comp }
}

/// How a payer pays at checkout: `pix`, `boleto` (Mercado Pago, one period at a time) or `card`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutMethod {
    /// PIX.
    Pix,
    /// Boleto.
    Boleto,
    /// Card (a recurring subscription).
    Card,
}

wire_enum! {
    /// How long a payment buys: `monthly` (30 days) or `annual` (365 days).
    BillingPeriod from domain::subscriptions::BillingPeriod, case "snake_case" { Monthly, Annual }
}

wire_enum! {
    /// A charge's state: `pending`, `approved` (period granted), `expired` (nothing granted),
    /// `refunded` (a refund or chargeback entry, amount negative) or `granted` (a comp, amount 0).
    ChargeStatus from domain::subscriptions::ChargeStatus, case "snake_case" { Pending, Approved, Expired, Refunded, Granted }
}

wire_enum! {
    /// The language of the messages botfleet sends a user (e-mails).
    Language from domain::identity::Language, case "snake_case" {
        #[serde(rename = "pt-BR")]
        PtBr,
        #[serde(rename = "en")]
        En
    }
}

wire_enum! {
    /// A legal text.
    DocumentKind from domain::legal::DocumentKind, case "snake_case" { Terms, Privacy }
}

wire_enum! {
    /// Where a consent was given.
    ConsentSource from domain::legal::ConsentSource, case "snake_case" { Registration, Update, Profile, AccountDeleted }
}

wire_enum! {
    /// What a dashboard alert is about: `breaker_tripped` (the bot opens nothing until reset),
    /// `soft_stop_hit` (the soft stop halted buying), `take_profit_near` (an open position's price
    /// is within 1% of its take-profit price), `plan_limit_reached` (bots or contexts at the
    /// plan's limit, or over it after a downgrade), `funds_withdrawn` (paused: the exchange holds
    /// less than the bots need), `entries_held` (a market anomaly holds its entries),
    /// `credential_invalid` (the exchange refused a stored key), `exchange_unreachable` (an
    /// account could not be read now).
    AlertKind from application::dashboard::AlertKind, case "snake_case" {
        BreakerTripped, SoftStopHit, TakeProfitNear, PlanLimitReached, FundsWithdrawn, EntriesHeld,
        CredentialInvalid, ExchangeUnreachable
    }
}

wire_enum! {
    /// How urgent a dashboard alert is: `info` (worth knowing), `warning` (something stopped or
    /// is at risk), `critical` (trading stopped until the user acts).
    AlertSeverity from application::dashboard::Severity, case "snake_case" { Info, Warning, Critical }
}

wire_enum! {
    /// A backoffice operator's role: `super_admin` (everything, and operators), `admin` (views
    /// and actions on users), `support` (read-only, plus password-reset e-mails).
    OperatorRole from domain::backoffice::OperatorRole, case "snake_case" { SuperAdmin, Admin, Support }
}

wire_enum! {
    /// How an audited backoffice request ended: `ok`, `denied` (by the guard: session, CSRF,
    /// permission, rate limit) or `failed` (refused or failed by the action).
    AuditOutcome from domain::backoffice::Outcome, case "snake_case" { Ok, Denied, Failed }
}

/// The pattern of an id: a ULID, 26 characters of Crockford's base32 (either case) whose first
/// is at most `7`, as `Ulid::from_string` reads it.
pub const ID_PATTERN: &str = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$";

/// The schema of an id in a request (a path, a query filter, a body field): `#[schema(value_type
/// = Id)]` on a `String` field keeps the handler's own parsing and puts the pattern in the spec.
#[derive(Debug)]
pub struct Id;

impl utoipa::PartialSchema for Id {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(ID_PATTERN))
            .description(Some("A ULID (26 characters, sortable by creation time)."))
            .into()
    }
}

impl utoipa::ToSchema for Id {}

/// The schema of a webhook delivery's id in a path: `<event id>:<endpoint id>`, two ids.
#[derive(Debug)]
pub struct DeliveryKey;

impl utoipa::PartialSchema for DeliveryKey {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let id = ID_PATTERN.trim_start_matches('^').trim_end_matches('$');
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(format!("^{id}:{id}$")))
            .description(Some("A delivery id: `<event id>:<endpoint id>`, two ULIDs."))
            .into()
    }
}

impl utoipa::ToSchema for DeliveryKey {}

/// The schema of a time zone: the IANA names of the tz database compiled into the server,
/// spelt exactly (`America/Sao_Paulo`); the list is the server's own, so it is the rule it applies.
#[derive(Debug)]
pub struct TimeZone;

impl utoipa::PartialSchema for TimeZone {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(domain::identity::TimeZoneName::all()))
            .description(Some(
                "An IANA time zone name, spelt exactly as the tz database does (default `America/Sao_Paulo`). \
                 The user's day (the assistant's daily quota) is its local day.",
            ))
            .examples([domain::identity::DEFAULT_TIME_ZONE])
            .into()
    }
}

impl utoipa::ToSchema for TimeZone {}

/// The schema of a consent that must be given: `true` is the only value accepted.
#[derive(Debug)]
pub struct Accepted;

impl utoipa::PartialSchema for Accepted {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Boolean)
            .enum_values(Some([true]))
            .into()
    }
}

impl utoipa::ToSchema for Accepted {}

/// How an order is priced: at the best available prices (`market`) or at a limit (`limit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderType {
    /// Fill now at the best available prices.
    Market,
    /// Rest on the book at `price` or better.
    Limit,
}

/// A paid plan: what a checkout buys (`FREE` needs none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaidPlan {
    /// PRO.
    Pro,
    /// MAX.
    Max,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_keeps_the_domains_wire_name() {
        let pairs = [
            Exchange::wire_pairs(),
            TradingMode::wire_pairs(),
            ContextStatus::wire_pairs(),
            BotKind::wire_pairs(),
            BotStatus::wire_pairs(),
            OrderSource::wire_pairs(),
            OrderSide::wire_pairs(),
            OrderStatus::wire_pairs(),
            CredentialStatus::wire_pairs(),
            UserRole::wire_pairs(),
            Language::wire_pairs(),
            UserStatus::wire_pairs(),
            Plan::wire_pairs(),
            SubscriptionStatus::wire_pairs(),
            PaymentProvider::wire_pairs(),
            PaymentMethod::wire_pairs(),
            BillingPeriod::wire_pairs(),
            ChargeStatus::wire_pairs(),
            DocumentKind::wire_pairs(),
            ConsentSource::wire_pairs(),
            AlertKind::wire_pairs(),
            AlertSeverity::wire_pairs(),
            OperatorRole::wire_pairs(),
            AuditOutcome::wire_pairs(),
        ];
        for (api, domain) in pairs.into_iter().flatten() {
            assert_eq!(api, domain);
        }
    }

    #[test]
    fn the_spec_lists_every_variant() {
        let json = serde_json::to_value(crate::openapi::document()).unwrap();
        let schema = &json["components"]["schemas"]["OrderStatus"];

        assert_eq!(
            schema["enum"],
            serde_json::json!(["pending", "new", "partially_filled", "filled", "canceled", "rejected", "expired"])
        );
        assert_eq!(json["components"]["schemas"]["Plan"]["enum"], serde_json::json!(["FREE", "PRO", "MAX"]));
    }
}
