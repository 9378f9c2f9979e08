//! `POST /api/subscriptions/checkout`: a card subscription through the provider's hosted checkout
//! (Stripe or Mercado Pago), or one period paid by PIX or boleto through Mercado Pago's Payments
//! API (QR code and copy-and-paste code, or the boleto's URL, barcode and due date).

use actix_web::{post, web, HttpRequest, HttpResponse};
use application::subscriptions::{CheckoutInput, PrepaidInput};
use application::{FieldCode, FieldError};
use domain::subscriptions::{BillingPeriod, Charge, PaymentMethod, PaymentProvider, Plan};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::TAG;
use crate::auth::Authenticated;
use crate::error::{ApiError, TrackedJson};
use crate::routes::common::validated;
use crate::routes::wire;
use crate::state::AppState;

mod payer;

use payer::PayerBody;

/// Start a paid plan.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutBody {
    /// `PRO` or `MAX`.
    #[schema(value_type = wire::PaidPlan, example = "PRO")]
    pub plan: String,
    /// `card` (default): a recurring subscription at `provider`; `pix` or `boleto`: one period
    /// paid through Mercado Pago.
    #[schema(value_type = Option<wire::CheckoutMethod>, example = "pix")]
    pub method: Option<String>,
    /// `monthly` (default) or `annual`.
    #[schema(value_type = Option<wire::BillingPeriod>, example = "monthly")]
    pub period: Option<String>,
    /// `stripe` or `mercadopago`; required for `card`; PIX and boleto are Mercado Pago's.
    #[schema(value_type = Option<wire::PaymentProvider>, example = "stripe")]
    pub provider: Option<String>,
    /// Card: where the payer returns after paying (absolute http(s) URL).
    #[validate(length(max = 2048))]
    #[schema(
        max_length = 2048,
        format = "uri",
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://",
        example = "https://app.botfleet.dev/billing/done"
    )]
    pub success_url: Option<String>,
    /// Card: where the payer returns after giving up (absolute http(s) URL).
    #[validate(length(max = 2048))]
    #[schema(
        max_length = 2048,
        format = "uri",
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://",
        example = "https://app.botfleet.dev/billing"
    )]
    pub cancel_url: Option<String>,
    /// PIX (optional) and boleto (required): who pays.
    #[validate(nested)]
    pub payer: Option<PayerBody>,
    /// A coupon code. Stripe: one of its promotion codes (without one, the payer may enter a
    /// code on Stripe's page). Mercado Pago: an operator-defined coupon, taken off the amount
    /// charged (PIX, boleto, and every charge of a card preapproval); each user redeems a coupon
    /// once. Refused with `coupon_unknown`, `coupon_expired`, `coupon_not_applicable`,
    /// `coupon_exhausted` or `coupon_already_redeemed`, naming `coupon`.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64, example = "BEMVINDO20")]
    pub coupon: Option<String>,
}

/// PIX: how to pay.
#[derive(Debug, Serialize, ToSchema)]
pub struct PixResponse {
    /// The copy-and-paste (EMV) code.
    pub qr_code: Option<String>,
    /// The QR code image (PNG), base64.
    pub qr_code_base64: Option<String>,
}

/// Boleto: how to pay.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoletoResponse {
    /// The boleto slip to print or pay online.
    pub url: Option<String>,
    /// The barcode number.
    pub barcode: Option<String>,
    /// The digitable line (linha digitável).
    pub digitable_line: Option<String>,
}

/// A started checkout.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckoutResponse {
    /// Send the payer here (Stripe Checkout, Mercado Pago `init_point`, PIX ticket page, boleto slip).
    pub url: String,
    /// The provider's reference (`cs_…`, preapproval id, payment id).
    pub reference: String,
    /// `stripe` or `mercadopago`.
    pub provider: wire::PaymentProvider,
    /// `card`, `pix` or `boleto`.
    pub method: wire::PaymentMethod,
    /// `monthly` or `annual`.
    pub period: wire::BillingPeriod,
    /// PIX and boleto: the charge (listed by the invoices).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge_id: Option<String>,
    /// PIX and boleto: the amount, a decimal string.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "19.9")]
    pub amount: Option<Decimal>,
    /// PIX and boleto: `BRL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// PIX: the code expires then; boleto: its due date.
    #[serde(skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<OffsetDateTime>,
    /// PIX codes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pix: Option<PixResponse>,
    /// Boleto slip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boleto: Option<BoletoResponse>,
}

impl CheckoutResponse {
    fn of_charge(c: Charge) -> Self {
        let i = c.instructions;
        // Reais have centavos: `19.90` whether the amount was just made or read back from the store.
        let mut amount = c.amount;
        amount.rescale(2);
        let (pix, boleto) = match c.method {
            PaymentMethod::Pix => (Some(PixResponse { qr_code: i.qr_code, qr_code_base64: i.qr_code_base64 }), None),
            _ => (
                None,
                Some(BoletoResponse { url: i.url.clone(), barcode: i.barcode, digitable_line: i.digitable_line }),
            ),
        };
        Self {
            url: i.url.unwrap_or_default(),
            reference: c.provider_payment_id.unwrap_or_default(),
            // A PIX or boleto charge is always Mercado Pago's.
            provider: c.provider.unwrap_or(PaymentProvider::Mercadopago).into(),
            method: c.method.into(),
            period: c.period.into(),
            charge_id: Some(c.id.to_string()),
            amount: Some(amount),
            currency: Some(c.currency),
            expires_at: Some(c.expires_at),
            pix,
            boleto,
        }
    }
}

/// The parsed choice of plan, method, period and provider; every bad field named at once.
fn parse_choice(body: &CheckoutBody) -> Result<(Plan, PaymentMethod, BillingPeriod, PaymentProvider), ApiError> {
    let mut errors = Vec::new();
    let plan =
        body.plan.parse::<Plan>().map_err(|e| errors.push(FieldError::new("plan", FieldCode::Invalid, e.to_string())));
    let method = match body.method.as_deref().unwrap_or("card") {
        "card" => Some(PaymentMethod::Card),
        "pix" => Some(PaymentMethod::Pix),
        "boleto" => Some(PaymentMethod::Boleto),
        _ => {
            errors.push(FieldError::new("method", FieldCode::Invalid, "expected one of: pix, boleto, card"));
            None
        }
    };
    let period = BillingPeriod::parse(body.period.as_deref().unwrap_or("monthly"));
    if period.is_none() {
        errors.push(FieldError::new("period", FieldCode::Invalid, "expected one of: monthly, annual"));
    }
    let provider = match body.provider.as_deref() {
        Some("stripe") => Some(PaymentProvider::Stripe),
        Some("mercadopago") => Some(PaymentProvider::Mercadopago),
        None if method != Some(PaymentMethod::Card) => Some(PaymentProvider::Mercadopago),
        None => {
            errors.push(FieldError::new("provider", FieldCode::Required, "required for card: stripe or mercadopago"));
            None
        }
        Some(_) => {
            errors.push(FieldError::new("provider", FieldCode::Invalid, "expected one of: stripe, mercadopago"));
            None
        }
    };
    if method.is_some_and(|m| m != PaymentMethod::Card) && provider == Some(PaymentProvider::Stripe) {
        errors.push(FieldError::new("method", FieldCode::Invalid, "PIX and boleto are collected through mercadopago"));
    }
    match (plan, method, period, provider) {
        (Ok(plan), Some(method), Some(period), Some(provider)) if errors.is_empty() => {
            Ok((plan, method, period, provider))
        }
        _ => Err(ApiError::validation(errors)),
    }
}

/// Start paying for PRO or MAX. `card` (default) sends the payer to the provider's hosted checkout
/// for a monthly subscription; `pix` and `boleto` create one Mercado Pago payment for the period,
/// answered with its QR code or boleto slip. The plan changes only when the provider confirms the
/// payment. A card checkout takes an `Idempotency-Key` header (without it, the same request the
/// same day reuses the same checkout); a PIX or boleto checkout hands out the same pending charge
/// again while it can still be paid.
#[utoipa::path(
    tag = TAG,
    request_body = CheckoutBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries return the same checkout")),
    responses(
        (status = 201, description = "Send the payer to `url`, or show the PIX code / boleto", body = CheckoutResponse),
    )
)]
#[post("/api/subscriptions/checkout")]
pub async fn checkout(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: TrackedJson<CheckoutBody>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let (plan, method, period, provider) = parse_choice(&body)?;
    let email = state.identity.profile(auth.0.user_id).await?.email;
    if method != PaymentMethod::Card {
        let payer = payer::parse(body.payer, email)?;
        let input = PrepaidInput { user_id: auth.0.user_id, plan, period, method, payer, coupon: body.coupon };
        let charge = state.subscriptions.checkout_prepaid(input).await?;
        return Ok(HttpResponse::Created().json(CheckoutResponse::of_charge(charge)));
    }
    let mut missing = Vec::new();
    for (field, value) in [("success_url", &body.success_url), ("cancel_url", &body.cancel_url)] {
        if value.is_none() {
            missing.push(FieldError::new(field, FieldCode::Required, "required for card"));
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::validation(missing));
    }
    let idempotency_key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .map(str::to_owned);
    let input = CheckoutInput {
        user_id: auth.0.user_id,
        email,
        plan,
        period,
        provider,
        success_url: body.success_url.unwrap_or_default(),
        cancel_url: body.cancel_url.unwrap_or_default(),
        idempotency_key,
        coupon: body.coupon,
    };
    let started = state.subscriptions.checkout(input).await?;
    Ok(HttpResponse::Created().json(CheckoutResponse {
        url: started.url,
        reference: started.reference,
        provider: started.provider.into(),
        method: wire::PaymentMethod::Card,
        period: started.period.into(),
        charge_id: None,
        amount: None,
        currency: None,
        expires_at: None,
        pix: None,
        boleto: None,
    }))
}

crate::opaque_debug!(CheckoutBody);
