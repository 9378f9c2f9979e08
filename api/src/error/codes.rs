//! [`ErrorCode`]: every problem `code` the server can send, with its HTTP status and title, declared
//! once in one table. The codes are a public contract: clients branch on them, so a row is never
//! renamed or given another status. `docs/api.md` carries the same table, checked by a test.

use actix_web::http::StatusCode;

/// Declares [`ErrorCode`] from rows of `Variant = STATUS, "code", "title";` and derives its
/// `as_str`, `status`, `title`, `from_code` and `ALL` from the same rows, so no code can have a
/// status or title declared anywhere else.
macro_rules! error_codes {
    ($( $variant:ident = $status:ident, $code:literal, $title:literal; )+) => {
        /// A stable machine code of a problem (`problem.code`), each with one status and title.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $(
                #[doc = concat!("`", $code, "`: ", $title, ".")]
                $variant,
            )+
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The code as sent in `problem.code` and in the problem `type` URI.
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)+ }
            }

            /// The HTTP status every problem with this code is answered with.
            pub const fn status(self) -> StatusCode {
                match self { $(ErrorCode::$variant => StatusCode::$status,)+ }
            }

            /// A short human summary of the problem type (`problem.title`).
            pub const fn title(self) -> &'static str {
                match self { $(ErrorCode::$variant => $title,)+ }
            }

            /// The variant whose code is `code`, if the table has one.
            pub fn from_code(code: &str) -> Option<Self> {
                match code {
                    $($code => Some(ErrorCode::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    // Requests the server cannot read.
    BadRequest = BAD_REQUEST, "bad_request", "The request cannot be processed as sent";
    MalformedJson = BAD_REQUEST, "malformed_json", "The body is not JSON (line and column in `detail`)";
    InvalidPath = BAD_REQUEST, "invalid_path", "A path parameter has the wrong form";
    InvalidQuery = BAD_REQUEST, "invalid_query", "A query parameter has the wrong form";
    UnreadableBody = BAD_REQUEST, "unreadable_body", "The body could not be read";
    InvalidIdempotencyKey = BAD_REQUEST, "invalid_idempotency_key", "The `Idempotency-Key` header has the wrong form";
    InvalidSignature = BAD_REQUEST, "invalid_signature", "The webhook signature does not verify";
    MalformedWebhook = BAD_REQUEST, "malformed_webhook", "The webhook body cannot be read";
    ResetTokenInvalid = BAD_REQUEST, "reset_token_invalid", "The password-reset token is unknown, used or superseded";
    ResetTokenExpired = BAD_REQUEST, "reset_token_expired", "The password-reset token has expired; ask for a new one";
    VerificationTokenInvalid = BAD_REQUEST, "verification_token_invalid", "The e-mail verification token is unknown, used or superseded";
    VerificationTokenExpired = BAD_REQUEST, "verification_token_expired", "The e-mail verification token has expired; ask for a new one";
    HttpError = BAD_REQUEST, "http_error", "Another client error (the status is the one answered)";
    ValidationFailed = UNPROCESSABLE_ENTITY, "validation_failed", "Fields are invalid; `errors` names each with its reason";
    CouponUnknown = UNPROCESSABLE_ENTITY, "coupon_unknown", "No coupon (or Stripe promotion code) has this code";
    CouponExpired = UNPROCESSABLE_ENTITY, "coupon_expired", "The coupon has expired or was withdrawn";
    CouponNotApplicable = UNPROCESSABLE_ENTITY, "coupon_not_applicable", "The coupon does not apply to this plan or price";
    // Authentication.
    Unauthorized = UNAUTHORIZED, "unauthorized", "Authentication is required";
    MissingToken = UNAUTHORIZED, "missing_token", "No access token was sent";
    InvalidToken = UNAUTHORIZED, "invalid_token", "The access token is not valid";
    TokenExpired = UNAUTHORIZED, "token_expired", "The access token has expired";
    InvalidCredentials = UNAUTHORIZED, "invalid_credentials", "Wrong e-mail or password (the same answer for both)";
    InvalidRefreshToken = UNAUTHORIZED, "invalid_refresh_token", "The refresh token is not valid";
    RefreshExpired = UNAUTHORIZED, "refresh_expired", "The refresh token has expired";
    RefreshReused = UNAUTHORIZED, "refresh_reused", "The refresh token was already used; the session family is revoked";
    BackofficeSessionRequired = UNAUTHORIZED, "backoffice_session_required", "Log in to the backoffice: no session cookie, or it expired or was revoked";
    InvalidStreamTicket = UNAUTHORIZED, "invalid_stream_ticket", "The stream ticket is malformed, expired or used; ask for a new one";
    // Plan limits: `upgrade_to` names the cheapest plan that lifts them.
    PlanLimitContexts = PAYMENT_REQUIRED, "plan_limit_contexts", "The plan allows no more trading contexts";
    PlanLimitBots = PAYMENT_REQUIRED, "plan_limit_bots", "The plan allows no more bots";
    PlanBotKind = PAYMENT_REQUIRED, "plan_bot_kind", "The plan does not include this kind of bot";
    PlanAdvancedIndicators = PAYMENT_REQUIRED, "plan_advanced_indicators", "The plan does not include advanced indicators";
    PlanAdvancedMetrics = PAYMENT_REQUIRED, "plan_advanced_metrics", "The plan does not include advanced metrics";
    PlanPdfReports = PAYMENT_REQUIRED, "plan_pdf_reports", "The plan does not include the PDF report";
    // Not allowed.
    Forbidden = FORBIDDEN, "forbidden", "The action is not allowed";
    AdminRequired = FORBIDDEN, "admin_required", "Only an administrator may do this";
    PermissionDenied = FORBIDDEN, "permission_denied", "The operator's role does not hold the route's permission";
    CsrfTokenInvalid = FORBIDDEN, "csrf_token_invalid", "The `X-CSRF-Token` header is missing or is not this session's";
    TotpEnrolmentRequired = FORBIDDEN, "totp_enrolment_required", "The operator must enrol a TOTP authenticator first";
    AccountBlocked = FORBIDDEN, "account_blocked", "The account is blocked";
    TermsNotAccepted = FORBIDDEN, "terms_not_accepted", "The terms in force must be accepted first";
    PrivacyNotAccepted = FORBIDDEN, "privacy_not_accepted", "The privacy notice in force must be accepted first";
    EmailUnverified = FORBIDDEN, "email_unverified", "Live trading needs a verified e-mail address";
    SubscriptionInactive = FORBIDDEN, "subscription_inactive", "The subscription is not in good standing";
    // Not found.
    NotFound = NOT_FOUND, "not_found", "No such resource for this user (also another user's id)";
    RouteNotFound = NOT_FOUND, "route_not_found", "No route has this path";
    MethodNotAllowed = METHOD_NOT_ALLOWED, "method_not_allowed", "The route exists with other methods (see `Allow`)";
    NotAcceptable = NOT_ACCEPTABLE, "not_acceptable", "No acceptable representation";
    RequestTimeout = REQUEST_TIMEOUT, "request_timeout", "The request took too long to arrive";
    // Conflicts with the current state.
    VersionConflict = CONFLICT, "version_conflict", "The resource changed meanwhile; read it again and retry";
    Duplicate = CONFLICT, "duplicate", "A resource with the same unique value exists";
    EmailTaken = CONFLICT, "email_taken", "The e-mail is already registered";
    EmailAlreadyVerified = CONFLICT, "email_already_verified", "The e-mail address is verified already";
    AccountBusy = CONFLICT, "account_busy", "The account is being changed by another request";
    TermsVersionOutdated = CONFLICT, "terms_version_outdated", "The terms version accepted is no longer in force";
    PrivacyVersionOutdated = CONFLICT, "privacy_version_outdated", "The privacy version accepted is no longer in force";
    CredentialExists = CONFLICT, "credential_exists", "A credential for this exchange and mode exists";
    WebhookEndpointLimit = CONFLICT, "webhook_endpoint_limit", "The account has as many webhook endpoints as it may";
    WebhookEndpointDisabled = CONFLICT, "webhook_endpoint_disabled", "The webhook endpoint is disabled";
    CredentialRequired = CONFLICT, "credential_required", "A validated exchange credential is required";
    CredentialInvalid = CONFLICT, "credential_invalid", "The exchange credential failed validation";
    CredentialRejected = CONFLICT, "credential_rejected", "The exchange refused the stored credential";
    ContextExists = CONFLICT, "context_exists", "A trading context for this market exists";
    ContextInUse = CONFLICT, "context_in_use", "The trading context still has bots or orders";
    ContextPaused = CONFLICT, "context_paused", "The trading context is paused";
    MarketClosed = CONFLICT, "market_closed", "The market is not trading";
    InsufficientBalance = CONFLICT, "insufficient_balance", "Not enough free balance";
    InvalidBotStatus = CONFLICT, "invalid_bot_status", "The bot's status does not allow this";
    BotRunning = CONFLICT, "bot_running", "The bot must be stopped first";
    BotTripped = CONFLICT, "bot_tripped", "The bot's circuit breaker tripped; reset it first";
    BotBusy = CONFLICT, "bot_busy", "The bot is being changed by another request";
    KindChanged = CONFLICT, "kind_changed", "A bot's kind cannot change";
    NotForKind = CONFLICT, "not_for_kind", "This action does not apply to this kind of bot";
    InsufficientBotFunds = CONFLICT, "insufficient_bot_funds", "The bot's funds do not cover this";
    BuyingHalted = CONFLICT, "buying_halted", "The bot's soft stop loss halted buying";
    EntriesHeld = CONFLICT, "entries_held", "A market anomaly holds the bot's entries";
    PriceNotSane = CONFLICT, "price_not_sane", "The price moved more than the bot's sanity check allows";
    MaxOpenPositions = CONFLICT, "max_open_positions", "The bot holds its max_open_positions";
    AboveMaxEntryPrice = CONFLICT, "above_max_entry_price", "The price is above the bot's max_entry_price";
    PositionSelling = CONFLICT, "position_selling", "The position's sale is already open";
    PositionDust = CONFLICT, "position_dust", "What is left is below the market's minimum order";
    UnknownOrder = CONFLICT, "unknown_order", "The bot does not know this order";
    OrdersPending = CONFLICT, "orders_pending", "Orders are still pending";
    OrderPending = CONFLICT, "order_pending", "The order has not reached the exchange yet";
    OrderFinal = CONFLICT, "order_final", "The order is already final";
    CancelUnconfirmed = CONFLICT, "cancel_unconfirmed", "The exchange did not confirm the cancellation";
    IdempotencyKeyReused = CONFLICT, "idempotency_key_reused", "The idempotency key was used for another request";
    AlreadySubscribed = CONFLICT, "already_subscribed", "The plan is already active";
    NothingToCancel = CONFLICT, "nothing_to_cancel", "There is no paid plan to cancel";
    PlanChangeRefused = CONFLICT, "plan_change_refused", "The subscription's plan cannot be changed so";
    NothingScheduled = CONFLICT, "nothing_scheduled", "No plan change is scheduled";
    TrialUsed = CONFLICT, "trial_used", "The free trial was already used";
    TrialUnavailable = CONFLICT, "trial_unavailable", "This server offers no free trial";
    CompRefused = CONFLICT, "comp_refused", "A plan cannot be granted over one the user pays for";
    NoComp = CONFLICT, "no_comp", "The user has no complimentary plan";
    NotRefundable = CONFLICT, "not_refundable", "This payment cannot be refunded";
    AlreadyRefunded = CONFLICT, "already_refunded", "This payment was refunded already";
    CouponExhausted = CONFLICT, "coupon_exhausted", "The coupon has been used as many times as it allows";
    CouponAlreadyRedeemed = CONFLICT, "coupon_already_redeemed", "The coupon was already used on this account";
    CouponExists = CONFLICT, "coupon_exists", "A coupon with this code exists";
    PlanChangeUnavailable = CONFLICT, "plan_change_unavailable", "The provider cannot change the plan at once";
    SubscriptionMismatch = CONFLICT, "subscription_mismatch", "The provider's subscription does not match ours";
    TotpAlreadyEnrolled = CONFLICT, "totp_already_enrolled", "A TOTP authenticator is enrolled already";
    OperatorExists = CONFLICT, "operator_exists", "An operator with this e-mail exists";
    WorkflowNotRegistered = CONFLICT, "workflow_not_registered", "No such workflow is registered here";
    WorkflowDisabled = CONFLICT, "workflow_disabled", "The workflow is disabled";
    WorkersDisabled = CONFLICT, "workers_disabled", "This instance runs no workers";
    WorkflowRunning = CONFLICT, "workflow_running", "The workflow is running";
    WorkflowLeaseHeld = CONFLICT, "workflow_lease_held", "Another instance holds the workflow's lease";
    ProposalDecided = CONFLICT, "proposal_decided", "The assistant's proposal was already confirmed";
    ProposalExpired = CONFLICT, "proposal_expired", "The assistant's proposal expired; ask again";
    // Limits of the transport.
    PayloadTooLarge = PAYLOAD_TOO_LARGE, "payload_too_large", "The body exceeds the limit";
    UriTooLong = URI_TOO_LONG, "uri_too_long", "The URI is too long";
    UnsupportedMediaType = UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "The body must be JSON";
    RateLimited = TOO_MANY_REQUESTS, "rate_limited", "Too many requests; wait for `Retry-After` seconds";
    TooManyStreams = TOO_MANY_REQUESTS, "too_many_streams", "The user holds the most live streams allowed; close one first";
    ChatQuotaExhausted = TOO_MANY_REQUESTS, "chat_quota_exhausted", "The plan's assistant messages of the day are used up";
    HeadersTooLarge = REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large", "The request headers are too large";
    // Failures of the server or of a dependency.
    InternalError = INTERNAL_SERVER_ERROR, "internal_error", "A bug or an outage; nothing internal is disclosed";
    Unavailable = SERVICE_UNAVAILABLE, "unavailable", "The service is unavailable; retry later";
    StoreUnavailable = SERVICE_UNAVAILABLE, "store_unavailable", "The data store cannot be reached; retry later";
    NotReady = SERVICE_UNAVAILABLE, "not_ready", "A dependency is not ready; retry shortly";
    EmailUnavailable = SERVICE_UNAVAILABLE, "email_unavailable", "This server sends no e-mail (no SMTP server, or verification is off)";
    TelegramUnavailable = SERVICE_UNAVAILABLE, "telegram_unavailable", "Telegram is off on this server (no bot token) or its Bot API cannot be reached";
    PaymentsNotConfigured = SERVICE_UNAVAILABLE, "payments_not_configured", "Payments are not configured for this provider";
    PaymentProviderUnavailable = SERVICE_UNAVAILABLE, "payment_provider_unavailable", "The payment provider could not complete the request";
    ExchangeUnavailable = SERVICE_UNAVAILABLE, "exchange_unavailable", "The exchange is not available or cannot be reached";
    AssistantUnavailable = SERVICE_UNAVAILABLE, "assistant_unavailable", "The assistant's language model did not answer; retry later";
    Timeout = GATEWAY_TIMEOUT, "timeout", "A dependency did not answer in time";
}

impl ErrorCode {
    /// The code of a bare HTTP error that no `ApiError` produced (a middleware's 400, actix's
    /// 431): the generic code of its status, `internal_error` for any other 5xx, else `http_error`.
    pub fn for_status(status: StatusCode) -> Self {
        match status.as_u16() {
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            406 => Self::NotAcceptable,
            408 => Self::RequestTimeout,
            413 => Self::PayloadTooLarge,
            414 => Self::UriTooLong,
            415 => Self::UnsupportedMediaType,
            429 => Self::RateLimited,
            431 => Self::HeadersTooLarge,
            503 => Self::Unavailable,
            504 => Self::Timeout,
            s if s >= 500 => Self::InternalError,
            _ => Self::HttpError,
        }
    }

    /// The table as the Markdown rows of `docs/api.md` (`| code | status | title |`).
    pub fn markdown_table() -> String {
        let mut out = String::from("| code | status | meaning |\n|---|---|---|\n");
        for code in Self::ALL {
            out.push_str(&format!("| `{}` | {} | {} |\n", code.as_str(), code.status().as_u16(), code.title()));
        }
        out
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
#[path = "codes_tests.rs"]
mod tests;
