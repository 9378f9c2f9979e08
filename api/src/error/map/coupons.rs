//! The coupon table's failures (backoffice) -> problem codes.

use application::subscriptions::CouponError;

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<CouponError> for ApiError {
    fn from(err: CouponError) -> Self {
        let code = match err {
            CouponError::Invalid(errors) => return ApiError::validation(errors),
            CouponError::Unexpected(err) => return err.into(),
            CouponError::Exists => ErrorCode::CouponExists,
            CouponError::NotFound => ErrorCode::NotFound,
        };
        ApiError::new(code, err.to_string())
    }
}

impl ErrorCodes for CouponError {
    const CODES: &'static [ErrorCode] = &[ErrorCode::ValidationFailed, ErrorCode::CouponExists, ErrorCode::NotFound];
}
