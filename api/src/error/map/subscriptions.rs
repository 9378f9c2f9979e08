//! Subscription failures -> problem codes.

use application::subscriptions::{AccessDenied, PlanGate};

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<AccessDenied> for ApiError {
    /// A plan limit is a 402 naming the plan that lifts it (`upgrade_to`).
    fn from(err: AccessDenied) -> Self {
        let detail = err.to_string();
        match err {
            AccessDenied::PlanLimit { gate, upgrade_to, .. } => {
                let code = match gate {
                    PlanGate::Contexts => ErrorCode::PlanLimitContexts,
                    PlanGate::Bots => ErrorCode::PlanLimitBots,
                    PlanGate::BotKind => ErrorCode::PlanBotKind,
                    PlanGate::AdvancedIndicators => ErrorCode::PlanAdvancedIndicators,
                    PlanGate::AdvancedMetrics => ErrorCode::PlanAdvancedMetrics,
                    PlanGate::PdfReports => ErrorCode::PlanPdfReports,
                };
                ApiError::new(code, detail).with_upgrade_to(upgrade_to)
            }
            AccessDenied::SubscriptionInactive { .. } => ApiError::new(ErrorCode::SubscriptionInactive, detail),
        }
    }
}

impl ErrorCodes for AccessDenied {
    const CODES: &'static [ErrorCode] = &[
        ErrorCode::PlanLimitContexts,
        ErrorCode::PlanLimitBots,
        ErrorCode::PlanBotKind,
        ErrorCode::PlanAdvancedIndicators,
        ErrorCode::PlanAdvancedMetrics,
        ErrorCode::PlanPdfReports,
        ErrorCode::SubscriptionInactive,
    ];
}
