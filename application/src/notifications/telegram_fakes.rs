//! In-memory fakes of the Telegram ports, for the channel's unit tests (the real adapter is
//! tested against the fake Bot API of `botfleet-tests`).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use async_trait::async_trait;
use domain::notifications::{LinkCode, TelegramBot, TelegramError, TelegramLink, TelegramRepository, TelegramUpdate};
use domain::shared::ids::UserId;
use domain::RepoError;
use time::OffsetDateTime;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Links, codes and the offset.
#[derive(Default)]
pub(crate) struct FakeLinks {
    pub codes: Mutex<Vec<LinkCode>>,
    pub links: Mutex<HashMap<UserId, TelegramLink>>,
    pub offset: Mutex<i64>,
}

#[async_trait]
impl TelegramRepository for FakeLinks {
    async fn put_code(&self, code: &LinkCode) -> Result<(), RepoError> {
        let mut codes = lock(&self.codes);
        codes.retain(|c| c.user_id != code.user_id);
        codes.push(code.clone());
        Ok(())
    }
    async fn take_code(&self, code_hash: &str, now: OffsetDateTime) -> Result<Option<UserId>, RepoError> {
        let mut codes = lock(&self.codes);
        let Some(i) = codes.iter().position(|c| c.code_hash == code_hash) else { return Ok(None) };
        let code = codes.remove(i);
        Ok((code.expires_at > now).then_some(code.user_id))
    }
    async fn link(&self, link: &TelegramLink) -> Result<(), RepoError> {
        let mut links = lock(&self.links);
        links.retain(|_, l| l.chat_id != link.chat_id);
        links.insert(link.user_id, link.clone());
        Ok(())
    }
    async fn get(&self, user: UserId) -> Result<Option<TelegramLink>, RepoError> {
        Ok(lock(&self.links).get(&user).cloned())
    }
    async fn unlink(&self, user: UserId) -> Result<bool, RepoError> {
        lock(&self.codes).retain(|c| c.user_id != user);
        Ok(lock(&self.links).remove(&user).is_some())
    }
    async fn unlink_chat(&self, chat_id: i64) -> Result<bool, RepoError> {
        let mut links = lock(&self.links);
        let before = links.len();
        links.retain(|_, l| l.chat_id != chat_id);
        Ok(links.len() < before)
    }
    async fn offset(&self) -> Result<i64, RepoError> {
        Ok(*lock(&self.offset))
    }
    async fn set_offset(&self, offset: i64) -> Result<(), RepoError> {
        *lock(&self.offset) = offset;
        Ok(())
    }
}

/// A bot whose updates are queued by the test, recording messages; the next sends answer the
/// queued errors first.
#[derive(Default)]
pub(crate) struct FakeBot {
    pub updates: Mutex<Vec<TelegramUpdate>>,
    pub asked_offsets: Mutex<Vec<i64>>,
    pub sent: Mutex<Vec<(i64, String)>>,
    pub errors: Mutex<VecDeque<TelegramError>>,
}

impl FakeBot {
    pub(crate) fn message(&self, update_id: i64, chat_id: i64, text: &str) {
        let update = TelegramUpdate { update_id, chat_id: Some(chat_id), text: Some(text.to_owned()) };
        lock(&self.updates).push(update);
    }

    pub(crate) fn fail_next(&self, error: TelegramError) {
        lock(&self.errors).push_back(error);
    }

    pub(crate) fn sent(&self) -> Vec<(i64, String)> {
        lock(&self.sent).clone()
    }
}

#[async_trait]
impl TelegramBot for FakeBot {
    async fn username(&self) -> Result<String, TelegramError> {
        Ok("botfleet_test_bot".into())
    }
    async fn updates(&self, offset: i64, _timeout_secs: u64) -> Result<Vec<TelegramUpdate>, TelegramError> {
        lock(&self.asked_offsets).push(offset);
        Ok(lock(&self.updates).iter().filter(|u| u.update_id >= offset).cloned().collect())
    }
    async fn send(&self, chat_id: i64, html: &str) -> Result<(), TelegramError> {
        if let Some(err) = lock(&self.errors).pop_front() {
            return Err(err);
        }
        lock(&self.sent).push((chat_id, html.to_owned()));
        Ok(())
    }
}
