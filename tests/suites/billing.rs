//! Test binary `billing`: Plans, subscriptions, payments, refunds, invoices and coupons (Stripe and Mercado Pago fakes).
//!
//! One binary per area (see `tests/Cargo.toml`): each scenario file of `tests/tests/` is a module
//! of exactly one suite, which the `architecture` test checks.

#[path = "../tests/api_account_deletion.rs"]
mod api_account_deletion;
#[path = "../tests/api_annual.rs"]
mod api_annual;
#[path = "../tests/api_card_refunds.rs"]
mod api_card_refunds;
#[path = "../tests/api_coupons.rs"]
mod api_coupons;
#[path = "../tests/api_downgrade.rs"]
mod api_downgrade;
#[path = "../tests/api_invoices.rs"]
mod api_invoices;
#[path = "../tests/api_partial_refunds.rs"]
mod api_partial_refunds;
#[path = "../tests/api_payments.rs"]
mod api_payments;
#[path = "../tests/api_period_change.rs"]
mod api_period_change;
#[path = "../tests/api_plan_change.rs"]
mod api_plan_change;
#[path = "../tests/api_plan_change_mp.rs"]
mod api_plan_change_mp;
#[path = "../tests/api_prepaid.rs"]
mod api_prepaid;
#[path = "../tests/api_proration_entries.rs"]
mod api_proration_entries;
#[path = "../tests/api_refunds.rs"]
mod api_refunds;
#[path = "../tests/api_second_subscription.rs"]
mod api_second_subscription;
#[path = "../tests/api_subscriptions.rs"]
mod api_subscriptions;
#[path = "../tests/api_trial.rs"]
mod api_trial;
