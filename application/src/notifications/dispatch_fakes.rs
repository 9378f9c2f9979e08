//! In-memory fakes of the channels' ports, for the channels' unit tests (the store adapters pass
//! the same behaviour in the contract suite of `botfleet-tests`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use domain::identity::{Email, Language, MailError, Mailer, OutgoingMail};
use domain::notifications::{
    Channel, CursorRepository, Delivery, DeliveryRepository, DeliveryStatus, Event, EventFilter, EventRepository,
    EventType, NotificationPreferences, PreferenceRepository, StoredEvent,
};
use domain::shared::clock::FixedClock;
use domain::shared::ids::{EventId, UserId};
use domain::shared::page::{Page, PageRequest};
use domain::RepoError;
use time::macros::datetime;
use time::OffsetDateTime;

use super::dispatch::DispatchPorts;
use super::email::{Recipient, Recipients};

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What the fake answers to the calls dispatchers never make.
fn unused() -> RepoError {
    RepoError::unavailable(anyhow::anyhow!("not used by dispatchers"))
}

/// The event log: only what dispatchers read.
#[derive(Default)]
pub(crate) struct FakeEvents(pub Mutex<Vec<StoredEvent>>);

impl FakeEvents {
    pub(crate) fn push(&self, event: Event) {
        let mut log = lock(&self.0);
        let seq = log.len() as u64 + 1;
        log.push(StoredEvent { event, seq, read_at: None });
    }
}

#[async_trait]
impl EventRepository for FakeEvents {
    async fn enqueue(&self, _: &[Event]) -> Result<(), RepoError> {
        Err(unused())
    }
    async fn record(&self, _: &[Event], _: OffsetDateTime) -> Result<Vec<StoredEvent>, RepoError> {
        Err(unused())
    }
    async fn list(&self, _: UserId, _: &EventFilter, _: PageRequest) -> Result<Page<StoredEvent>, RepoError> {
        Err(unused())
    }
    async fn get(&self, _: UserId, _: EventId) -> Result<Option<StoredEvent>, RepoError> {
        Err(unused())
    }
    async fn unread_count(&self, _: UserId, _: &[EventType]) -> Result<u64, RepoError> {
        Err(unused())
    }
    async fn mark_read(&self, _: UserId, _: EventId, _: OffsetDateTime) -> Result<bool, RepoError> {
        Err(unused())
    }
    async fn mark_all_read(&self, _: UserId, _: OffsetDateTime) -> Result<u64, RepoError> {
        Err(unused())
    }
    async fn after(&self, user: Option<UserId>, after: u64, limit: u64) -> Result<Vec<StoredEvent>, RepoError> {
        let log = lock(&self.0);
        let wanted = |e: &&StoredEvent| e.seq > after && user.is_none_or(|u| e.event.user_id == u);
        Ok(log.iter().filter(wanted).take(limit as usize).cloned().collect())
    }
    async fn delete_of(&self, _: UserId) -> Result<u64, RepoError> {
        Err(unused())
    }
}

/// Preferences: the defaults unless put.
#[derive(Default)]
pub(crate) struct FakePreferences(pub Mutex<HashMap<UserId, NotificationPreferences>>);

#[async_trait]
impl PreferenceRepository for FakePreferences {
    async fn get(&self, user: UserId) -> Result<NotificationPreferences, RepoError> {
        Ok(lock(&self.0).get(&user).cloned().unwrap_or_else(|| NotificationPreferences::defaults(user)))
    }
    async fn put(&self, preferences: &NotificationPreferences) -> Result<(), RepoError> {
        lock(&self.0).insert(preferences.user_id, preferences.clone());
        Ok(())
    }
    async fn delete_of(&self, user: UserId) -> Result<(), RepoError> {
        lock(&self.0).remove(&user);
        Ok(())
    }
}

/// Deliveries by id.
#[derive(Default)]
pub(crate) struct FakeDeliveries(pub Mutex<BTreeMap<String, Delivery>>);

impl FakeDeliveries {
    pub(crate) fn all(&self) -> Vec<Delivery> {
        lock(&self.0).values().cloned().collect()
    }
}

#[async_trait]
impl DeliveryRepository for FakeDeliveries {
    async fn add(&self, deliveries: &[Delivery]) -> Result<u64, RepoError> {
        let mut all = lock(&self.0);
        let mut new = 0;
        for d in deliveries {
            if !all.contains_key(&d.id) {
                all.insert(d.id.clone(), d.clone());
                new += 1;
            }
        }
        Ok(new)
    }
    async fn due(&self, channel: Channel, now: OffsetDateTime, limit: u64) -> Result<Vec<Delivery>, RepoError> {
        let mut due: Vec<Delivery> = lock(&self.0)
            .values()
            .filter(|d| d.channel == channel && d.status == DeliveryStatus::Pending && d.due_at <= now)
            .cloned()
            .collect();
        due.sort_by_key(|d| (d.due_at, d.id.clone()));
        due.truncate(limit as usize);
        Ok(due)
    }
    async fn pending_of(&self, channel: Channel, user: UserId, limit: u64) -> Result<Vec<Delivery>, RepoError> {
        let mut pending: Vec<Delivery> = lock(&self.0)
            .values()
            .filter(|d| d.channel == channel && d.status == DeliveryStatus::Pending && d.user_id == user)
            .cloned()
            .collect();
        pending.sort_by_key(|d| d.seq);
        pending.truncate(limit as usize);
        Ok(pending)
    }
    async fn save(&self, delivery: &Delivery) -> Result<(), RepoError> {
        match lock(&self.0).get_mut(&delivery.id) {
            Some(d) => {
                *d = delivery.clone();
                Ok(())
            }
            None => Err(RepoError::NotFound),
        }
    }
    async fn pending_count(&self, channel: Channel) -> Result<u64, RepoError> {
        Ok(lock(&self.0).values().filter(|d| d.channel == channel && d.status == DeliveryStatus::Pending).count()
            as u64)
    }
    async fn delete_of(&self, user: UserId) -> Result<u64, RepoError> {
        let mut all = lock(&self.0);
        let before = all.len();
        all.retain(|_, d| d.user_id != user);
        Ok((before - all.len()) as u64)
    }
}

/// Cursors by name.
#[derive(Default)]
pub(crate) struct FakeCursors(pub Mutex<HashMap<String, u64>>);

#[async_trait]
impl CursorRepository for FakeCursors {
    async fn get(&self, name: &str) -> Result<u64, RepoError> {
        Ok(lock(&self.0).get(name).copied().unwrap_or(0))
    }
    async fn set(&self, name: &str, seq: u64) -> Result<(), RepoError> {
        lock(&self.0).insert(name.to_owned(), seq);
        Ok(())
    }
}

/// A mailer that records, and fails while `failing` is set.
#[derive(Default)]
pub(crate) struct FakeMailer {
    pub sent: Mutex<Vec<OutgoingMail>>,
    pub failing: Mutex<bool>,
}

#[async_trait]
impl Mailer for FakeMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        if *lock(&self.failing) {
            return Err(MailError::Delivery(anyhow::anyhow!("421 try later")));
        }
        lock(&self.sent).push(mail.clone());
        Ok(())
    }
}

/// Recipients by user: everyone known is active.
#[derive(Default)]
pub(crate) struct FakeRecipients(pub Mutex<HashMap<UserId, Recipient>>);

impl FakeRecipients {
    pub(crate) fn add(&self, user: UserId, email: &str, language: Language) {
        let recipient = Recipient { email: Email::parse(email).unwrap(), name: "Ana".into(), language };
        lock(&self.0).insert(user, recipient);
    }
}

#[async_trait]
impl Recipients for FakeRecipients {
    async fn recipient(&self, user: UserId) -> Result<Option<Recipient>, RepoError> {
        Ok(lock(&self.0).get(&user).cloned())
    }
}

/// Every fake a dispatcher needs, with a clock standing at 2026-12-04 10:00 UTC.
pub(crate) struct Fakes {
    pub events: Arc<FakeEvents>,
    pub preferences: Arc<FakePreferences>,
    pub deliveries: Arc<FakeDeliveries>,
    pub cursors: Arc<FakeCursors>,
    pub clock: Arc<FixedClock>,
}

impl Fakes {
    pub(crate) fn new() -> Self {
        Self {
            events: Arc::default(),
            preferences: Arc::default(),
            deliveries: Arc::default(),
            cursors: Arc::default(),
            clock: Arc::new(FixedClock::new(datetime!(2026-12-04 10:00 UTC))),
        }
    }

    pub(crate) fn ports(&self) -> DispatchPorts {
        DispatchPorts {
            events: self.events.clone(),
            preferences: self.preferences.clone(),
            deliveries: self.deliveries.clone(),
            cursors: self.cursors.clone(),
            clock: self.clock.clone(),
        }
    }
}
