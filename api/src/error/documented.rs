//! The error responses of each operation, built from the codes its use case can return
//! ([`ErrorCodes`]) instead of written by hand: one response per status, its description listing
//! every code with its title. Every operation that takes a bearer token also gets the 401 of
//! [`AuthenticateError`], so no handler repeats it.

use std::collections::BTreeMap;

use actix_web::http::Method;

use application::analysis::AnalysisError;
use application::analytics::AnalyticsError;
use application::assistant::AssistantError;
use application::backoffice::BackofficeError;
use application::contexts::{ContextError, CreateContextError};
use application::credentials::CredentialError;
use application::dashboard::PdfReportError;
use application::identity::{
    AccountError, AuthenticateError, DeleteAccountError, ForgotPasswordError, LoginError, RefreshError, RegisterError,
    ResendVerificationError, ResetPasswordError, VerifyEmailError,
};
use application::legal::ConsentError;
use application::market::MarketDataError;
use application::notifications::{InboxError, StreamError};
use application::orders::OrderError;
use application::reports::ReportError;
use application::subscriptions::{CouponError, SubscriptionError};
use application::webhooks::WebhookError;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder};

use super::{ErrorCode, ErrorCodes};
use crate::openapi::BEARER;

/// The codes the use case behind `operation_id` can return, for operations whose use case has
/// its own error type: all of the type's, or, where one type serves a whole service, the ones
/// of this use case, which must be among the type's ([`pick`]).
fn codes_of(operation_id: &str) -> Vec<ErrorCode> {
    use ErrorCode as C;
    match operation_id {
        "register" => RegisterError::CODES.to_vec(),
        "login" => LoginError::CODES.to_vec(),
        "refresh" => RefreshError::CODES.to_vec(),
        "me" => pick::<AccountError>(&[C::NotFound]),
        "update_me" | "change_password" => AccountError::CODES.to_vec(),
        "forgot_password" => ForgotPasswordError::CODES.to_vec(),
        "reset_password" => ResetPasswordError::CODES.to_vec(),
        "verify_email" => VerifyEmailError::CODES.to_vec(),
        "resend_verification" => ResendVerificationError::CODES.to_vec(),
        "post_consents" => pick::<ConsentError>(&[
            C::ValidationFailed,
            C::TermsVersionOutdated,
            C::PrivacyVersionOutdated,
            C::NotFound,
        ]),
        "create_credential" => pick::<CredentialError>(&[C::ValidationFailed, C::CredentialExists]),
        "get_credential" | "delete_credential" => pick::<CredentialError>(&[C::NotFound]),
        "create_context" => CreateContextError::CODES.to_vec(),
        "validate_credential" => pick::<CredentialError>(&[C::NotFound, C::ExchangeUnavailable]),
        "checkout" => pick::<SubscriptionError>(&[
            C::ValidationFailed,
            C::PaymentsNotConfigured,
            C::AlreadySubscribed,
            C::CouponUnknown,
            C::CouponExpired,
            C::CouponNotApplicable,
            C::CouponExhausted,
            C::CouponAlreadyRedeemed,
            C::PaymentProviderUnavailable,
        ]),
        "cancel" => pick::<SubscriptionError>(&[
            C::PaymentsNotConfigured,
            C::NothingToCancel,
            C::SubscriptionMismatch,
            C::PaymentProviderUnavailable,
        ]),
        "preview_change" | "change_plan" => pick::<SubscriptionError>(&[
            C::ValidationFailed,
            C::PaymentsNotConfigured,
            C::PlanChangeRefused,
            C::PlanChangeUnavailable,
            C::PaymentProviderUnavailable,
        ]),
        "start_trial" => pick::<SubscriptionError>(&[C::AlreadySubscribed, C::TrialUsed, C::TrialUnavailable]),
        "undo_change" => {
            pick::<SubscriptionError>(&[C::PaymentsNotConfigured, C::NothingScheduled, C::PaymentProviderUnavailable])
        }
        "stripe_webhook" | "mercadopago_webhook" => pick::<SubscriptionError>(&[
            C::PaymentsNotConfigured,
            C::InvalidSignature,
            C::MalformedWebhook,
            C::PaymentProviderUnavailable,
        ]),
        "get_context" => pick::<ContextError>(&[C::NotFound]),
        "context_signals" => AnalysisError::CODES.to_vec(),
        "delete_context" => pick::<ContextError>(&[C::NotFound, C::ContextInUse]),
        "context_balance" => {
            pick::<ContextError>(&[C::NotFound, C::CredentialRequired, C::CredentialRejected, C::ExchangeUnavailable])
        }
        "list_symbols" => pick::<MarketDataError>(&[C::ValidationFailed, C::ExchangeUnavailable]),
        "list_pairs" | "ticker" | "candles" | "order_book" => MarketDataError::CODES.to_vec(),
        "list_orders" | "dashboard_orders" | "export_orders_csv" => pick::<OrderError>(&[C::ValidationFailed]),
        "report_profit" => ReportError::CODES.to_vec(),
        "report_positions" | "report_trades" | "export_trades_csv" => pick::<ReportError>(&[C::InvalidQuery]),
        "get_order" => pick::<OrderError>(&[C::NotFound]),
        "create_order" => pick::<OrderError>(&[
            C::ValidationFailed,
            C::InvalidIdempotencyKey,
            C::NotFound,
            C::ContextPaused,
            C::MarketClosed,
            C::IdempotencyKeyReused,
            C::CredentialRequired,
            C::CredentialRejected,
            C::ExchangeUnavailable,
        ]),
        "cancel_order" => pick::<OrderError>(&[
            C::NotFound,
            C::OrderFinal,
            C::OrderPending,
            C::CancelUnconfirmed,
            C::BotBusy,
            C::CredentialRequired,
            C::CredentialRejected,
            C::ExchangeUnavailable,
        ]),
        "get_performance" => pick::<AnalyticsError>(&[C::InvalidQuery]),
        "get_metrics" => AnalyticsError::CODES.to_vec(),
        "get_report_pdf" => PdfReportError::CODES.to_vec(),
        "mark_notification_read" => InboxError::CODES.to_vec(),
        "list_notifications" => vec![C::InvalidQuery],
        "put_notification_preferences" => vec![C::ValidationFailed],
        "event_stream" => [&[C::BadRequest][..], StreamError::CODES].concat(),
        "create_webhook_endpoint" => pick::<WebhookError>(&[C::ValidationFailed, C::WebhookEndpointLimit]),
        "get_webhook_endpoint" | "delete_webhook_endpoint" | "rotate_webhook_secret" | "list_webhook_deliveries" => {
            pick::<WebhookError>(&[C::NotFound])
        }
        "update_webhook_endpoint" => pick::<WebhookError>(&[C::ValidationFailed, C::NotFound]),
        "redeliver_webhook" => pick::<WebhookError>(&[C::NotFound, C::WebhookEndpointDisabled]),
        "create_conversation" => pick::<AssistantError>(&[C::ValidationFailed]),
        "list_conversations" => vec![C::InvalidQuery],
        "get_conversation" => [&[C::InvalidQuery][..], &pick::<AssistantError>(&[C::NotFound])].concat(),
        "delete_conversation" | "get_proposal" => pick::<AssistantError>(&[C::NotFound]),
        "send_message" => {
            pick::<AssistantError>(&[C::ValidationFailed, C::NotFound, C::ChatQuotaExhausted, C::AssistantUnavailable])
        }
        "confirm_proposal" => {
            let mut codes = pick::<AssistantError>(&[C::NotFound, C::ProposalDecided, C::ProposalExpired]);
            for action in ["create_bot", "pause_bot", "resume_bot", "reset_circuit_breaker", "emergency_sell"] {
                codes.extend(super::documented_bots::codes_of(action).unwrap_or_default());
            }
            codes.sort_by_key(|c| c.as_str());
            codes.dedup();
            codes
        }
        "delete_me" => DeleteAccountError::CODES.to_vec(),
        other if other.starts_with("bo_") => backoffice_codes(other),
        other => super::documented_bots::codes_of(other).unwrap_or_default(),
    }
}

/// A backoffice operation's own codes (its guard's come from the route table in [`add`]).
fn backoffice_codes(operation_id: &str) -> Vec<ErrorCode> {
    use ErrorCode as C;
    match operation_id {
        "bo_enroll" => pick::<BackofficeError>(&[C::ValidationFailed, C::InvalidCredentials, C::TotpAlreadyEnrolled]),
        "bo_confirm_enrollment" => {
            pick::<BackofficeError>(&[C::ValidationFailed, C::InvalidCredentials, C::TotpAlreadyEnrolled])
        }
        "bo_login" => pick::<BackofficeError>(&[C::ValidationFailed, C::InvalidCredentials, C::TotpEnrolmentRequired]),
        "bo_get_user" | "bo_block_user" | "bo_unblock_user" => pick::<BackofficeError>(&[C::NotFound]),
        "bo_grant_comp" => {
            [pick::<BackofficeError>(&[C::NotFound]), pick::<SubscriptionError>(&[C::ValidationFailed, C::CompRefused])]
                .concat()
        }
        "bo_revoke_comp" => [pick::<BackofficeError>(&[C::NotFound]), pick::<SubscriptionError>(&[C::NoComp])].concat(),
        "bo_refund_invoice" => [
            pick::<BackofficeError>(&[C::NotFound]),
            pick::<SubscriptionError>(&[
                C::PaymentsNotConfigured,
                C::NotRefundable,
                C::AlreadyRefunded,
                C::PaymentProviderUnavailable,
            ]),
        ]
        .concat(),
        "bo_pause_bot" => pick::<BackofficeError>(&[C::NotFound, C::InvalidBotStatus]),
        "bo_send_password_reset" => {
            let mut codes = pick::<BackofficeError>(&[C::NotFound, C::AccountBlocked]);
            codes.extend(pick::<application::identity::ForgotPasswordError>(&[C::RateLimited, C::EmailUnavailable]));
            codes
        }
        "bo_list_users" | "bo_export_users" => {
            // 422 when a joined filter matches too many records to list.
            let mut codes = vec![C::InvalidQuery];
            codes.extend(pick::<BackofficeError>(&[C::ValidationFailed]));
            codes
        }
        "bo_list_audit" | "bo_export_audit" | "bo_list_operators" => vec![C::InvalidQuery],
        "bo_list_coupons" => vec![C::InvalidQuery],
        "bo_create_coupon" => pick::<CouponError>(&[C::ValidationFailed, C::CouponExists]),
        "bo_get_coupon" | "bo_disable_coupon" => pick::<CouponError>(&[C::NotFound]),
        "bo_create_operator" => pick::<BackofficeError>(&[C::ValidationFailed, C::OperatorExists]),
        "bo_change_operator_role" => pick::<BackofficeError>(&[C::ValidationFailed, C::NotFound, C::Forbidden]),
        "bo_disable_operator" | "bo_reset_operator_totp" => pick::<BackofficeError>(&[C::NotFound, C::Forbidden]),
        _ => Vec::new(),
    }
}

/// `codes`, each of which `E` must be able to map to (a use case cannot document a code its
/// error type does not produce).
pub(super) fn pick<E: ErrorCodes>(codes: &[ErrorCode]) -> Vec<ErrorCode> {
    for code in codes {
        assert!(E::CODES.contains(code), "{code} is not among {}'s codes", std::any::type_name::<E>());
    }
    codes.to_vec()
}

/// Documents the error responses of every operation of `document` from its codes.
pub fn add(document: &mut Document) {
    for (path, item) in document.paths.paths.iter_mut() {
        let operations = [
            (Method::GET, &mut item.get),
            (Method::PUT, &mut item.put),
            (Method::POST, &mut item.post),
            (Method::DELETE, &mut item.delete),
            (Method::PATCH, &mut item.patch),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else { continue };
            let mut codes: Vec<ErrorCode> = Vec::new();
            if takes_bearer(operation) {
                codes.extend(AuthenticateError::CODES);
            }
            if takes_path_id(operation) {
                // The 400 now lists codes: keep the extractors' 400s among them.
                codes.push(ErrorCode::InvalidPath);
                if operation.request_body.is_some() {
                    codes.push(ErrorCode::MalformedJson);
                }
                if takes(operation, ParameterIn::Query) {
                    codes.push(ErrorCode::InvalidQuery);
                }
            }
            if let Some(route) = crate::routes::backoffice::find(&method, path) {
                codes.extend(crate::routes::backoffice::guard_codes(route.access, route.method, route.limited));
            }
            codes.extend(codes_of(operation.operation_id.as_deref().unwrap_or_default()));
            for (status, codes) in by_status(&codes) {
                operation.responses.responses.insert(status, problem_response(&codes));
            }
        }
    }
}

fn takes_bearer(operation: &Operation) -> bool {
    let json = serde_json::to_value(&operation.security).unwrap_or_default();
    json.as_array().is_some_and(|all| all.iter().any(|requirement| requirement.get(BEARER).is_some()))
}

/// Whether a path parameter of `operation` is a typed id ([`crate::path_id::PathId`] refuses a
/// malformed one with 400 `invalid_path`).
fn takes_path_id(operation: &Operation) -> bool {
    let ids = [Ref::from_schema_name("Id"), Ref::from_schema_name("DeliveryKey")];
    operation.parameters.iter().flatten().any(|parameter| match parameter {
        RefOr::T(parameter) => {
            parameter.parameter_in == ParameterIn::Path
                && matches!(&parameter.schema, Some(RefOr::Ref(reference)) if ids.contains(reference))
        }
        RefOr::Ref(_) => false,
    })
}

/// Whether `operation` has a parameter `in`.
fn takes(operation: &Operation, location: ParameterIn) -> bool {
    operation
        .parameters
        .iter()
        .flatten()
        .any(|parameter| matches!(parameter, RefOr::T(p) if p.parameter_in == location))
}

/// `codes` grouped by status, each group in table order without repeats.
fn by_status(codes: &[ErrorCode]) -> BTreeMap<String, Vec<ErrorCode>> {
    let mut groups: BTreeMap<String, Vec<ErrorCode>> = BTreeMap::new();
    for &code in ErrorCode::ALL.iter().filter(|code| codes.contains(code)) {
        groups.entry(code.status().as_u16().to_string()).or_default().push(code);
    }
    groups
}

fn problem_response(codes: &[ErrorCode]) -> RefOr<utoipa::openapi::Response> {
    let description = codes.iter().map(|code| format!("`{code}`: {}", code.title())).collect::<Vec<_>>().join("; ");
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
    RefOr::T(ResponseBuilder::new().description(description).content("application/problem+json", content).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn responses(method: &str, path: &str) -> serde_json::Value {
        let json = serde_json::to_value(crate::openapi::document()).unwrap();
        json["paths"][path][method]["responses"].clone()
    }

    #[test]
    fn each_code_of_a_use_case_is_documented_under_its_status() {
        let login = responses("post", "/api/auth/login");
        for code in LoginError::CODES {
            let status = code.status().as_u16().to_string();
            let description = login[&status]["description"].as_str().unwrap_or_default();
            assert!(description.contains(&format!("`{code}`")), "login's {status} lacks {code}: {description}");
        }
    }

    #[test]
    fn every_bearer_operation_documents_the_authentication_codes() {
        let json = serde_json::to_value(crate::openapi::document()).unwrap();
        let mut secured = 0;
        for (path, item) in json["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                if !operation["security"].as_array().is_some_and(|s| s.iter().any(|r| r.get(BEARER).is_some())) {
                    continue;
                }
                secured += 1;
                let description = operation["responses"]["401"]["description"].as_str().unwrap_or_default();
                for code in AuthenticateError::CODES {
                    assert!(description.contains(&format!("`{code}`")), "{method} {path}'s 401 lacks {code}");
                }
            }
        }
        assert!(secured > 20, "the walk saw the secured operations ({secured})");
    }
}
