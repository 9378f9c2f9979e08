//! The operators' user list: the users' own filters (status, e-mail prefix, creation window) and
//! their facets (plan and subscription status, running bots, live or paper contexts). Without a
//! facet filter the `users` collection answers; with one, the user facets (kept beside each user
//! by the writes that move them) page through one index, and the page's users are read by id.

use domain::identity::{User, UserFilter};
use domain::{Page, PageRequest};

use super::{Backoffice, BackofficeError};

/// The filters of the operators' user list.
pub use domain::backoffice::UserFacetQuery as UserListQuery;

impl Backoffice {
    /// Users matching `query`, in its order, however many match.
    pub async fn list_users(&self, query: &UserListQuery, page: PageRequest) -> Result<Page<User>, BackofficeError> {
        if !query.has_facets() {
            return Ok(self.ports.users.list(&query.users, page).await?);
        }
        let ids = self.ports.facets.list(query, page).await?;
        if ids.items.is_empty() {
            return Ok(Page { items: Vec::new(), total: ids.total, offset: ids.offset, limit: ids.limit });
        }
        // The page's users, read by id in the same order (the facets hold the same sort keys).
        let filter = UserFilter { ids: Some(ids.items.clone()), sort: query.users.sort, ..UserFilter::default() };
        let found = self.ports.users.list(&filter, PageRequest::new(0, ids.items.len() as u64)).await?;
        let mut items = found.items;
        // Keep the facets' order exactly (a user's e-mail changing between the two reads).
        items.sort_by_key(|u| ids.items.iter().position(|id| *id == u.id));
        Ok(Page { items, total: ids.total, offset: ids.offset, limit: ids.limit })
    }
}
