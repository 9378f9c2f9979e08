//! `/backoffice/api/coupons` (SUPER_ADMIN, ADMIN: `manage_coupons`): the operator-defined coupons
//! users pass at a Mercado Pago checkout. Create, list (newest first), disable. Audited by the
//! guard like every backoffice route.

use actix_web::{get, post, web, HttpResponse};
use application::subscriptions::NewCouponInput;
use application::{FieldCode, FieldError};
use domain::subscriptions::{Coupon, CouponDiscount, CouponId, Plan};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::{BackofficeStaff, TAG};
use crate::error::{ApiError, TrackedJson};
use crate::path_id::PathId;
use crate::query::Query;
use crate::routes::common::{page_of, validated};
use crate::routes::page::Page;
use crate::routes::wire::{self, Id};
use crate::state::AppState;

mod amounts;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(bo_list_coupons).service(bo_create_coupon).service(bo_get_coupon).service(bo_disable_coupon);
}

/// A coupon.
#[derive(Debug, Serialize, ToSchema)]
pub struct CouponResponse {
    /// Id.
    #[schema(value_type = String)]
    pub id: String,
    /// The code users type (upper case).
    pub code: String,
    /// The percentage off, when it takes a percentage.
    #[schema(value_type = Option<String>, example = "20")]
    pub percent_off: Option<Decimal>,
    /// The amount off, when it takes an amount.
    #[schema(value_type = Option<String>, example = "5.00")]
    pub amount_off: Option<Decimal>,
    /// The amount's currency (`BRL`).
    pub currency: Option<String>,
    /// Unusable from then on.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<OffsetDateTime>,
    /// Redemptions allowed in all (`null`: unlimited).
    pub max_redemptions: Option<u32>,
    /// Redemptions so far.
    pub redemptions: u32,
    /// The only plan it applies to (`null`: any).
    pub plan: Option<wire::Plan>,
    /// False once disabled.
    pub active: bool,
    /// The operator who created it.
    pub created_by: String,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<Coupon> for CouponResponse {
    fn from(c: Coupon) -> Self {
        let (percent_off, amount_off, currency) = match c.discount {
            CouponDiscount::PercentOff { percent } => (Some(percent.normalize()), None, None),
            CouponDiscount::AmountOff { mut amount, currency } => {
                amount.rescale(2);
                (None, Some(amount), Some(currency))
            }
        };
        Self {
            id: c.id.to_string(),
            code: c.code,
            percent_off,
            amount_off,
            currency,
            expires_at: c.expires_at,
            max_redemptions: c.max_redemptions,
            redemptions: c.redemptions,
            plan: c.plan.map(Into::into),
            active: c.active,
            created_by: c.created_by,
            created_at: c.created_at,
        }
    }
}

/// A new coupon: exactly one of `percent_off` and `amount_off` (with `currency`).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCouponRequest {
    /// The code users type: 3 to 32 letters, digits, `-` or `_` (stored upper case; unique
    /// ignoring case, disabled coupons included).
    #[validate(length(min = 3, max = 32))]
    #[schema(min_length = 3, max_length = 32, pattern = "^[A-Za-z0-9_-]{3,32}$", example = "BEMVINDO20")]
    pub code: String,
    /// A percentage off: more than 0, less than 100, at most 2 decimals.
    #[schema(value_type = Option<String>, pattern = r"^(?:[1-9][0-9]?(?:\.[0-9]{1,2})?|0\.(?:0[1-9]|[1-9][0-9]?))$", example = "20")]
    pub percent_off: Option<String>,
    /// An amount off in `currency`: more than 0, at most 999999.99, centavos at most.
    #[schema(value_type = Option<String>, pattern = r"^(?:[1-9][0-9]{0,5}(?:\.[0-9]{1,2})?|0\.(?:0[1-9]|[1-9][0-9]?))$", example = "5.00")]
    pub amount_off: Option<String>,
    /// The amount's currency, with `amount_off` only: `BRL` (Mercado Pago's prices).
    #[schema(value_type = Option<String>, pattern = "^BRL$", example = "BRL")]
    pub currency: Option<String>,
    /// Unusable from then on; must be in the future.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<OffsetDateTime>,
    /// Redemptions allowed in all, at least 1 (unlimited when absent).
    #[validate(range(min = 1, max = 1_000_000_000))]
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub max_redemptions: Option<u32>,
    /// The only plan it applies to (any paid plan when absent).
    #[schema(value_type = Option<wire::PaidPlan>, example = "PRO")]
    pub plan: Option<String>,
}

/// The coupon list's paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CouponListParams {
    /// Items to skip, 0 to 100,000,000 (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<u64>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

fn input_of(body: CreateCouponRequest, created_by: String) -> Result<NewCouponInput, ApiError> {
    let mut errors = Vec::new();
    let code_ok = body.code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !code_ok {
        errors.push(FieldError::new("code", FieldCode::Regex, "letters, digits, '-' or '_'"));
    }
    let percent_off = amounts::parse("percent_off", body.percent_off.as_deref(), 2, &mut errors);
    let amount_off = amounts::parse("amount_off", body.amount_off.as_deref(), 6, &mut errors);
    if body.currency.as_deref().is_some_and(|c| c != "BRL") {
        errors.push(FieldError::new("currency", FieldCode::Invalid, "coupons are in BRL"));
    }
    let plan = match body.plan.as_deref() {
        None => None,
        Some("PRO") => Some(Plan::Pro),
        Some("MAX") => Some(Plan::Max),
        Some(_) => {
            errors.push(FieldError::new("plan", FieldCode::Invalid, "expected one of: PRO, MAX"));
            None
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(NewCouponInput {
        code: body.code,
        percent_off,
        amount_off,
        currency: body.currency,
        expires_at: body.expires_at,
        max_redemptions: body.max_redemptions,
        plan,
        created_by,
    })
}

/// Every coupon, newest first, with its redemptions so far.
#[utoipa::path(
    tag = TAG,
    params(CouponListParams),
    responses((status = 200, description = "A page of coupons", body = Page<CouponResponse>))
)]
#[get("/backoffice/api/coupons")]
pub async fn bo_list_coupons(
    state: web::Data<AppState>,
    params: Query<CouponListParams>,
) -> Result<HttpResponse, ApiError> {
    let page = page_of(params.offset, params.limit)?;
    let coupons = state.subscriptions.list_coupons(page).await?;
    Ok(HttpResponse::Ok().json(Page::<CouponResponse>::from(coupons)))
}

/// Create a coupon. Across fields: exactly one of `percent_off` and `amount_off`, `currency`
/// with `amount_off` only, `expires_at` in the future (422 naming the field). A code taken
/// (ignoring case) is 409 `coupon_exists`.
#[utoipa::path(
    tag = TAG,
    request_body = CreateCouponRequest,
    responses((status = 201, description = "Created", body = CouponResponse))
)]
#[post("/backoffice/api/coupons")]
pub async fn bo_create_coupon(
    state: web::Data<AppState>,
    staff: BackofficeStaff,
    body: TrackedJson<CreateCouponRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let input = input_of(body, staff.0.operator.id.to_string())?;
    let coupon = state.subscriptions.create_coupon(input).await?;
    Ok(HttpResponse::Created().json(CouponResponse::from(coupon)))
}

/// One coupon, with its redemptions so far.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "The coupon")),
    responses((status = 200, description = "The coupon", body = CouponResponse))
)]
#[get("/backoffice/api/coupons/{id}")]
pub async fn bo_get_coupon(state: web::Data<AppState>, id: PathId<CouponId>) -> Result<HttpResponse, ApiError> {
    let coupon = state.subscriptions.get_coupon(*id).await?;
    Ok(HttpResponse::Ok().json(CouponResponse::from(coupon)))
}

/// Disable a coupon for good: every later checkout with it is refused (`coupon_expired`);
/// redemptions already made stay. Disabling twice answers the coupon again.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "The coupon")),
    responses((status = 200, description = "Disabled", body = CouponResponse))
)]
#[post("/backoffice/api/coupons/{id}/disable")]
pub async fn bo_disable_coupon(state: web::Data<AppState>, id: PathId<CouponId>) -> Result<HttpResponse, ApiError> {
    let coupon = state.subscriptions.disable_coupon(*id).await?;
    Ok(HttpResponse::Ok().json(CouponResponse::from(coupon)))
}
