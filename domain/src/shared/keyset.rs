//! Keyset paging of a newest-first read (orders by `created_at`, bot records by `at`): each page
//! asks for the items before the last one read instead of skipping every item read so far, so a
//! page costs the same however deep the read goes and a 100,000-item export stays linear.
//!
//! The stores keep instants to the whole millisecond and sort ties by id, newest first: the next
//! page ends with the last item's millisecond and skips the items of that millisecond already
//! read (several pages of them, if need be).

use time::OffsetDateTime;

use super::page::PageRequest;

/// Where the next page of a newest-first read starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Keyset {
    /// Only items before this instant (`None`: the first page).
    pub before: Option<OffsetDateTime>,
    /// Items of the last millisecond already read, to skip.
    pub skip: u64,
}

/// `at` in whole unix milliseconds.
fn millis(at: OffsetDateTime) -> i128 {
    at.unix_timestamp_nanos().div_euclid(1_000_000)
}

impl Keyset {
    /// The page to ask for, of `limit` items.
    pub fn page(self, limit: u64) -> PageRequest {
        PageRequest::new(self.skip, limit)
    }

    /// Where the page after one whose items had the instants `keys` (newest first, as read)
    /// starts. A page of `limit` with no key to go by (its items were left out on the way)
    /// moves on by `limit`.
    pub fn after(self, keys: &[OffsetDateTime], limit: u64) -> Self {
        let Some(last) = keys.last().map(|k| millis(*k)) else {
            return Self { skip: self.skip + limit, ..self };
        };
        let same = keys.iter().filter(|k| millis(**k) == last).count() as u64;
        let skip = if self.before.map(|b| millis(b) - 1) == Some(last) { self.skip + same } else { same };
        Self { before: OffsetDateTime::from_unix_timestamp_nanos((last + 1) * 1_000_000).ok(), skip }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use time::Duration;

    use super::*;

    /// Pages through `items` (instants, newest first) as a store answers a keyset query:
    /// those before `before` (compared in whole milliseconds), skipped and limited.
    fn read_all(items: &[OffsetDateTime], limit: u64) -> Vec<OffsetDateTime> {
        let (mut out, mut keyset) = (Vec::new(), Keyset::default());
        loop {
            let page: Vec<OffsetDateTime> = items
                .iter()
                .filter(|at| keyset.before.is_none_or(|b| millis(**at) < millis(b)))
                .skip(keyset.skip as usize)
                .take(limit as usize)
                .copied()
                .collect();
            out.extend(&page);
            if (page.len() as u64) < limit {
                return out;
            }
            keyset = keyset.after(&page, limit);
        }
    }

    #[test]
    fn every_item_is_read_once_through_runs_of_one_millisecond_longer_than_a_page() {
        let t = datetime!(2026-03-01 12:00 UTC);
        let mut items = Vec::new();
        for run in 0..40 {
            // Runs of 1 to 12 items at one instant (sub-millisecond digits apart for some).
            for i in 0..(run % 12 + 1) {
                items.push(t - Duration::milliseconds(run * 3) - Duration::microseconds(i % 2 * 300));
            }
        }
        items.sort_by_key(|at| std::cmp::Reverse(millis(*at)));
        for limit in [1, 3, 5, 7, 200] {
            assert_eq!(read_all(&items, limit), items, "pages of {limit}");
        }
    }

    #[test]
    fn the_next_page_ends_with_the_last_millisecond_and_skips_what_was_read_of_it() {
        let t = datetime!(2026-03-01 12:00:00.250 UTC);
        let first = Keyset::default().after(&[t + Duration::SECOND, t, t], 3);
        assert_eq!(first, Keyset { before: Some(t + Duration::MILLISECOND), skip: 2 });
        assert_eq!(first.after(&[t, t, t], 3), Keyset { before: Some(t + Duration::MILLISECOND), skip: 5 });
        assert_eq!(first.after(&[], 3), Keyset { skip: 5, ..first });
        assert_eq!(first.page(3), PageRequest::new(2, 3));
    }
}
