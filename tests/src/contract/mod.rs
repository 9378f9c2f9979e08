//! The contract every store adapter must pass: generic async test functions over [`Repositories`],
//! run against the embedded store and MongoDB by [`contract_suite!`](crate::contract_suite), plus
//! the fixtures and the [`Harness`] they share.

pub mod audit;
pub mod backoffice;
pub mod bots;
pub mod charges;
pub mod consents;
pub mod context_signals;
pub mod conversations;
pub mod coupons;
pub mod credentials;
pub mod deliveries;
pub mod events;
pub mod events_relay;
pub mod events_store;
pub mod fixtures;
pub mod leases;
pub mod orders;
pub mod payment_events;
pub mod platform_counts;
pub mod sessions;
pub mod store;
pub mod stream_tickets;
pub mod subscriptions;
pub mod telegram;
pub mod user_facets;
pub mod users;
pub mod webhook_deliveries;

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use domain::RepoError;
use infrastructure::repositories::Repositories;

/// Generates one `#[tokio::test]` per contract function, in one module per port. `$harness` is the
/// path, from where the macro is invoked, of an `async fn() -> Harness` giving each test a fresh
/// store.
/// Adding a contract function means adding its name to the list below.
#[macro_export]
macro_rules! contract_suite {
    ($harness:path) => {
        $crate::contract_suite!(@tests $harness;
            users: [
                create_stores_version_1_and_get_reads_it_back, get_unknown_is_not_found,
                duplicate_email_is_refused, find_by_email, update_bumps_version_and_refuses_stale,
                update_to_a_taken_email_is_duplicate, list_filters_and_pages_oldest_first,
                list_by_email_prefix_window_and_sort,
            ],
            backoffice: [
                operators_round_trip_and_are_unique_by_email, operator_sessions_are_found_revoked_and_expired,
                operator_audit_filters_newest_first_and_expires_in_batches, hits_count_in_a_sliding_window_per_key,
            ],
            user_facets: [
                subscribed_by_plan_and_status, owners_of_running_bots_and_of_contexts_by_mode,
                list_is_restricted_to_and_from_ids, backfill_builds_missing_facets_once,
                facet_filters_combine_with_the_users_own_and_every_order,
            ],
            platform_counts: [counts_by_status_kind_and_day, pages_paid_subscriptions_with_their_charges],
            webhook_deliveries: [due_leaves_out_the_skipped_endpoints],
            sessions: [
                create_then_find_by_token_hash, duplicate_token_hash_is_refused, update_checks_version,
                revoke_family_revokes_only_unrevoked_members, revoke_all_for_user_keeps_one_family,
                list_for_user_is_newest_first_and_scoped,
            ],
            bots: [
                bot_round_trips_whole, bot_update_checks_version_and_delete_is_scoped,
                bot_list_filters_and_engine_query, engine_query_reads_every_page,
                records_are_listed_newest_first_by_kind, records_of_bots_are_filtered_by_kind_and_time,
            ],
            context_signals: [
                record_round_trips_and_is_idempotent_per_candle, decimals_are_stored_as_canonical_strings,
                list_is_newest_first_scoped_and_paged, list_from_a_window_start_leaves_older_candles_out,
                latest_is_the_newest_or_none,
                active_contexts_span_owners_and_skip_paused,
            ],
            audit: [append_then_list_newest_first_with_paging, list_filters_by_action, list_is_scoped_to_the_user],
            consents: [
                append_then_history_newest_first_with_paging, history_is_scoped_to_the_user,
                the_same_entry_is_appended_once,
            ],
            credentials: [
                create_then_get_by_owner, another_owner_sees_not_found, one_credential_per_user_and_exchange,
                find_for_exchange, update_checks_version, delete_removes, list_is_oldest_first_filtered_and_paged,
                list_all_spans_owners,
            ],
            subscriptions: [
                create_then_get_for_user, one_subscription_per_user, update_checks_version,
                list_by_plan_oldest_first_with_paging, find_by_provider_subscription, list_paid_skips_free,
            ],
            payment_events: [
                create_then_get, one_record_per_provider_event, update_checks_version, list_newest_first_by_user,
            ],
            charges: [
                create_then_get_round_trips, update_checks_version_and_pending_lists_oldest_first,
                list_for_user_newest_first, a_payment_is_recorded_once, an_upgrade_difference_round_trips,
            ],
            coupons: [
                round_trips_and_codes_are_unique, update_checks_version_and_lists_newest_first,
                one_redemption_per_coupon_and_user,
            ],
            orders: [
                create_then_get_round_trips_every_field, decimals_are_stored_as_canonical_strings,
                get_is_scoped_to_the_owner, duplicate_client_order_id_is_refused, get_by_client_id,
                update_bumps_version_and_refuses_stale, list_filters_newest_first_and_pages,
                list_filters_by_time_range, open_lists_unfinished_orders_oldest_first,
                by_bot_lists_the_bots_open_orders, open_of_lists_the_owners_open_orders,
                list_shows_each_order_as_stored_now,
            ],
            leases: [
                a_free_lease_is_taken_then_taken_over_at_expiry, the_holder_renews_and_extends_its_lease,
                release_frees_only_the_holders_lease, leases_are_independent_by_name,
                exactly_one_of_twenty_concurrent_holders_wins,
            ],
            deliveries: [
                a_repeated_delivery_is_stored_once_and_round_trips,
                due_lists_pending_deliveries_of_the_channel_soonest_first,
                pending_of_is_the_users_batch_in_log_order, save_stores_the_senders_outcome,
                delete_of_erases_only_the_users_deliveries, cursors_start_at_zero_and_move,
            ],
            telegram: [
                a_code_is_taken_once_before_it_expires, exactly_one_of_twenty_racing_takes_wins,
                a_chat_belongs_to_one_account, unlinking_and_the_offset,
            ],
            events: [
                record_is_idempotent_by_id, seq_increases_and_after_misses_nothing,
                list_unread_and_mark_read_per_user, another_users_event_is_invisible,
                delete_of_erases_and_never_reuses_a_seq, enqueue_is_idempotent,
                preferences_default_then_put_replace_and_delete,
            ],
            events_relay: [
                outboxes_reach_the_log_once_and_keep_the_version, a_write_after_the_read_keeps_its_events,
                the_queue_is_drained, two_relays_at_once_log_each_event_once,
                events_of_one_millisecond_keep_their_queue_order,
            ],
            stream_tickets: [a_ticket_is_spent_once_across_instances, expired_tickets_are_pruned],
            events_store: [
                replace_same_version_keeps_the_version, replace_same_version_refuses_another_version,
                insert_many_stops_at_the_first_refusal, delete_ids_deletes_those_ids,
            ],
            conversations: [
                conversations_and_messages_round_trip_in_order, everything_is_scoped_to_its_owner,
                user_messages_are_counted_since_an_instant, a_proposal_is_confirmed_by_one_writer,
                deletes_erase_messages_and_proposals,
            ],
            store: [
                insert_get_delete, duplicate_id_and_unique_index, ensure_collection_refuses_existing_duplicates,
                replace_checks_version, comparisons_follow_type, null_and_missing_fields, in_and_dot_paths,
                sort_skip_limit_and_count, pages_by_id, update_many_set_sets_and_bumps_versions,
                values_round_trip, declared_indexes_exist,
            ],
        );
    };
    (@tests $harness:path; $($module:ident: [$($test:ident),* $(,)?]),* $(,)?) => {
        // The harness, named where the macro is invoked: its path resolves there, not in the
        // generated modules below.
        async fn contract_harness() -> $crate::contract::Harness {
            $harness().await
        }
        $(mod $module {
            $(
                // Several worker threads, so the race tests interleave for real on every store.
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    let harness = super::contract_harness().await;
                    $crate::contract::$module::$test(&harness.repos).await;
                    harness.finish().await;
                }
            )*
        })*
    };
}

/// What runs after a passing test, given the repositories (e.g. drop the database).
pub type Teardown = Box<dyn FnOnce(Repositories) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// A fresh store for one contract test.
pub struct Harness {
    /// The repositories under test.
    pub repos: Repositories,
    teardown: Option<Teardown>,
}

impl Harness {
    /// A harness with nothing to clean up.
    pub fn new(repos: Repositories) -> Self {
        Self { repos, teardown: None }
    }

    /// A harness that runs `teardown` after a passing test. A failing test skips it, leaving the
    /// data for inspection.
    pub fn with_teardown(repos: Repositories, teardown: Teardown) -> Self {
        Self { repos, teardown: Some(teardown) }
    }

    /// Ends the test.
    pub async fn finish(self) {
        if let Some(teardown) = self.teardown {
            teardown(self.repos).await;
        }
    }
}

impl fmt::Debug for Harness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Harness").field("repos", &self.repos).finish_non_exhaustive()
    }
}

/// Every collection the suite writes, for checks over a whole store.
pub const COLLECTIONS: &[&str] = &[
    "users",
    "sessions",
    "audit",
    "consents",
    "credentials",
    "subscriptions",
    "payment_events",
    "charges",
    "coupons",
    "coupon_redemptions",
    "contexts",
    "context_signals",
    "bots",
    "bot_records",
    "orders",
    "leases",
    "notification_deliveries",
    "dispatch_cursors",
    "telegram_links",
    "telegram_codes",
    "events",
    "event_queue",
    "event_log",
    "notification_preferences",
    "assistant_conversations",
    "assistant_messages",
    "assistant_proposals",
    "stream_tickets_spent",
    "operators",
    "operator_sessions",
    "operator_audit",
    "rate_hits",
    "user_facets",
    store::ITEMS,
    store::KEYED,
    store::PAIRS,
];

/// Asserts `result` is `Duplicate` on `index`.
#[track_caller]
pub fn assert_duplicate<T: fmt::Debug>(result: Result<T, RepoError>, index: &str) {
    match result {
        Err(RepoError::Duplicate { index: got }) => assert_eq!(got, index, "wrong index in Duplicate"),
        other => panic!("expected Duplicate {{ index: {index} }}, got {other:?}"),
    }
}

/// Asserts `result` is `Conflict`.
#[track_caller]
pub fn assert_conflict<T: fmt::Debug>(result: Result<T, RepoError>) {
    assert!(matches!(result, Err(RepoError::Conflict)), "expected Conflict, got {result:?}");
}

/// Asserts `result` is `NotFound`.
#[track_caller]
pub fn assert_not_found<T: fmt::Debug>(result: Result<T, RepoError>) {
    assert!(matches!(result, Err(RepoError::NotFound)), "expected NotFound, got {result:?}");
}
