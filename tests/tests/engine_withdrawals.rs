//! `sync_withdrawals` in the engine on both stores, against a scripted exchange whose quote
//! balance the test sets: what the bots need counts each running bot's unspent allocation and
//! the open buys of a paused one; the newest running bots are paused until the rest fit (more
//! than one when needed), a bot leased by another instance is left alone, and an account whose
//! balance cannot be read is counted as failed with nothing changed. Once the balance covers
//! them again, the bots it paused resume, the oldest first, and only those.

use std::time::Duration;

use application::engine::{WithdrawalReport, Workload};
use botfleet_tests::app::Store;
use botfleet_tests::engine::checks::{assert_books, ALLOCATED, BLOCK};
use botfleet_tests::engine::EngineRig;
use domain::bots::{Bot, BotStatus, Command};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

botfleet_tests::on_both_stores!(
    the_newest_running_bots_are_paused_until_the_rest_fit,
    a_leased_bot_is_left_alone_and_an_unreadable_balance_fails_the_context,
);

/// Three DCA bots of 1000 BRL started a second apart, each with a resting purchase blocking
/// 101 BRL; the newest is then paused by its owner (its purchase still blocks its 101 BRL).
async fn three_bots(rig: &EngineRig) -> [Bot; 3] {
    let mut bots = Vec::new();
    for _ in 0..3 {
        bots.push(rig.dca_bot(dec!(100), ALLOCATED).await);
        rig.clock.advance(time::Duration::seconds(1));
    }
    assert_eq!(rig.engine.run(Workload::DcaExecution).await.unwrap().orders, 3);
    let mut newest = rig.bot(bots[2].id).await;
    newest.command(Command::Pause, "paused by its owner", domain::Clock::now(&*rig.clock)).unwrap();
    rig.repos.bots.update(&newest).await.unwrap();
    let mut out = Vec::new();
    for bot in &bots {
        out.push(rig.bot(bot.id).await);
    }
    out.try_into().unwrap()
}

fn counts(r: &WithdrawalReport) -> [u64; 4] {
    [r.contexts, r.shortfalls, r.paused, r.failed]
}

async fn the_newest_running_bots_are_paused_until_the_rest_fit(store: Store) {
    let rig = EngineRig::new(store).await;
    let [oldest, middle, paused] = three_bots(&rig).await;
    // Needed: 1000 + 1000 for the running bots, 101 for the paused one's open buy: 2101.
    rig.exchange.set_quote_balance(Some((dec!(1798), BLOCK * dec!(3))));
    let report = rig.engine.sync_withdrawals().await.unwrap();
    assert_eq!(counts(&report), [1, 0, 0, 0], "2101 held covers 2101: {report:?}");

    rig.exchange.set_quote_balance(Some((dec!(1197), BLOCK * dec!(3))));
    let report = rig.engine.sync_withdrawals().await.unwrap();
    assert_eq!(counts(&report), [1, 1, 1, 0], "{report:?}");
    let reason = "funds withdrawn outside botfleet: the exchange holds 1500 BRL, the bots need 2101 BRL";
    assert_eq!(report.details, [reason]);
    let newer = rig.bot(middle.id).await;
    assert_eq!((newer.status, newer.status_reason.as_deref()), (BotStatus::Paused, Some(reason)));
    assert_eq!((newer.funds.clone(), newer.pending.len()), (middle.funds.clone(), 1), "its open buy stays");
    assert_eq!(rig.bot(oldest.id).await, oldest, "the oldest fits in 1500 - 101 - 101 and is not written");
    assert_eq!(rig.bot(paused.id).await, paused);

    // Less again: even the oldest no longer fits beside the open buys (1000 + 101 + 101 > 1200).
    rig.exchange.set_quote_balance(Some((dec!(897), BLOCK * dec!(3))));
    let report = rig.engine.sync_withdrawals().await.unwrap();
    assert_eq!(counts(&report), [1, 1, 1, 0], "{report:?}");
    let last = rig.bot(oldest.id).await;
    assert_eq!(last.status, BotStatus::Paused);
    assert!(last.status_reason.as_deref().unwrap().contains("holds 1200 BRL, the bots need 1202 BRL"), "{last:?}");
    for bot in [&last, &rig.bot(middle.id).await, &rig.bot(paused.id).await] {
        assert_books(bot);
    }
    // No bot runs, but two wait on this workflow: the account is still read. 1200 held does not
    // cover the oldest again (3 x 101 blocked + its 899 unspent = 1202): nothing resumes.
    let idle = rig.engine.sync_withdrawals().await.unwrap();
    assert_eq!((counts(&idle), idle.resumed), ([1, 0, 0, 0], 0), "{idle:?}");

    // 1202 held covers the oldest, not the middle one too (1202 + 899): only the oldest resumes.
    rig.exchange.set_quote_balance(Some((dec!(1202) - BLOCK * dec!(3), BLOCK * dec!(3))));
    let report = rig.engine.sync_withdrawals().await.unwrap();
    assert_eq!((counts(&report), report.resumed), ([1, 0, 0, 0], 1), "{report:?}");
    let back = rig.bot(oldest.id).await;
    let reason = "funds back on the exchange: it holds 1202 BRL, the bots need 1202 BRL";
    assert_eq!((back.status, back.status_reason.as_deref()), (BotStatus::Running, Some(reason)));
    assert_eq!(back.funds, last.funds, "resuming moves no funds");
    assert_eq!(rig.bot(middle.id).await.status, BotStatus::Paused);

    // Plenty: the middle one resumes too; the bot its owner paused never does.
    rig.exchange.set_quote_balance(Some((dec!(10000), BLOCK * dec!(3))));
    let report = rig.engine.sync_withdrawals().await.unwrap();
    assert_eq!(report.resumed, 1, "{report:?}");
    assert_eq!(rig.bot(middle.id).await.status, BotStatus::Running);
    assert_eq!(rig.bot(paused.id).await, paused, "a bot its owner paused is not touched");
    let again = rig.engine.sync_withdrawals().await.unwrap();
    assert_eq!((counts(&again), again.resumed), ([1, 0, 0, 0], 0), "{again:?}");
    rig.finish().await;
}

async fn a_leased_bot_is_left_alone_and_an_unreadable_balance_fails_the_context(store: Store) {
    let rig = EngineRig::new(store).await;
    let [oldest, middle, paused] = three_bots(&rig).await;
    let now = domain::Clock::now(&*rig.clock);
    let lease = format!("bot:{}", middle.id);
    assert!(rig.repos.leases.try_acquire(&lease, "other-instance", Duration::from_secs(30), now).await.unwrap());

    rig.exchange.set_quote_balance(None);
    let report = rig.engine.sync_withdrawals().await.unwrap();
    assert_eq!(counts(&report), [0, 0, 0, 1], "{report:?}");
    assert_eq!([rig.bot(oldest.id).await, rig.bot(middle.id).await], [oldest.clone(), middle.clone()]);

    // 1500 held: the newest running bot is busy on another instance, so the next one is paused.
    rig.exchange.set_quote_balance(Some((dec!(1197), BLOCK * dec!(3))));
    let report = rig.engine.sync_withdrawals().await.unwrap();
    assert_eq!(counts(&report), [1, 1, 1, 0], "{report:?}");
    assert_eq!(rig.bot(middle.id).await, middle, "a leased bot is not written");
    assert_eq!(rig.bot(oldest.id).await.status, BotStatus::Paused);
    assert_eq!(rig.bot(paused.id).await, paused);
    assert_eq!(rig.bot(oldest.id).await.funds.available, ALLOCATED - BLOCK);
    assert!(rig.bot(oldest.id).await.funds.blocked > Decimal::ZERO);
    rig.finish().await;
}
