//! Contract of `UserRepository`.

use domain::identity::{Email, Role, User, UserFilter, UserSort, UserStatus};
use domain::shared::ids::UserId;
use domain::PageRequest;
use infrastructure::repositories::Repositories;

use super::fixtures::{at, user};
use super::{assert_conflict, assert_duplicate, assert_not_found};

/// `create` stores version 1 and returns it; `get` reads back an equal user.
pub async fn create_stores_version_1_and_get_reads_it_back(repos: &Repositories) {
    let mut ana = user("ana@example.com", 0);
    ana.tokens_valid_after = Some(at(5));
    ana.session_generation = 3;
    ana.consent.user_agent = Some("Mozilla/5.0 (X11; Linux) — ünïcödé".into());

    let created = repos.users.create(&ana).await.unwrap();

    assert_eq!(created, User { version: 1, ..ana.clone() });
    assert_eq!(repos.users.get(ana.id).await.unwrap(), created);
}

/// An unknown id is `NotFound`.
pub async fn get_unknown_is_not_found(repos: &Repositories) {
    repos.users.create(&user("ana@example.com", 0)).await.unwrap();
    assert_not_found(repos.users.get(UserId::new()).await);
}

/// A second user with the same e-mail is `Duplicate { users_email }`.
pub async fn duplicate_email_is_refused(repos: &Repositories) {
    repos.users.create(&user("ana@example.com", 0)).await.unwrap();

    assert_duplicate(repos.users.create(&user("ana@example.com", 1)).await, "users_email");

    let page = repos.users.list(&UserFilter::default(), PageRequest::first()).await.unwrap();
    assert_eq!(page.total, 1);
}

/// `find_by_email` finds by the normalised address, `None` when absent.
pub async fn find_by_email(repos: &Repositories) {
    let ana = repos.users.create(&user("ana@example.com", 0)).await.unwrap();
    repos.users.create(&user("bia@example.com", 1)).await.unwrap();

    let found = repos.users.find_by_email(&Email::parse("ANA@example.com").unwrap()).await.unwrap();
    assert_eq!(found, Some(ana));
    assert_eq!(repos.users.find_by_email(&Email::parse("cid@example.com").unwrap()).await.unwrap(), None);
}

/// `update` replaces and bumps the version; a stale version is `Conflict`; an unknown id `NotFound`.
pub async fn update_bumps_version_and_refuses_stale(repos: &Repositories) {
    let created = repos.users.create(&user("ana@example.com", 0)).await.unwrap();
    let mut changed = created.clone();
    changed.status = UserStatus::Blocked;
    changed.consent.marketing = true;
    changed.updated_at = at(60);

    let updated = repos.users.update(&changed).await.unwrap();

    assert_eq!(updated, User { version: 2, ..changed.clone() });
    assert_eq!(repos.users.get(created.id).await.unwrap(), updated);
    assert_conflict(repos.users.update(&created).await);
    assert_eq!(repos.users.get(created.id).await.unwrap().status, UserStatus::Blocked);
    assert_not_found(repos.users.update(&user("new@example.com", 0)).await);
}

/// Changing the e-mail to a taken one is `Duplicate { users_email }` and changes nothing.
pub async fn update_to_a_taken_email_is_duplicate(repos: &Repositories) {
    repos.users.create(&user("ana@example.com", 0)).await.unwrap();
    let bia = repos.users.create(&user("bia@example.com", 1)).await.unwrap();

    let mut taken = bia.clone();
    taken.email = Email::parse("ana@example.com").unwrap();
    assert_duplicate(repos.users.update(&taken).await, "users_email");

    assert_eq!(repos.users.get(bia.id).await.unwrap(), bia);
}

/// `list` filters by status and role, pages, counts all matches, oldest first (ties by id).
pub async fn list_filters_and_pages_oldest_first(repos: &Repositories) {
    let mut expected = Vec::new();
    for (i, created) in [30, 10, 20, 20, 40].into_iter().enumerate() {
        let mut u = user(&format!("user{i}@example.com"), created);
        if i == 4 {
            u.status = UserStatus::Blocked;
        }
        if i == 1 {
            u.role = Role::Admin;
        }
        expected.push(repos.users.create(&u).await.unwrap());
    }
    let mut active: Vec<User> = expected.iter().filter(|u| u.status == UserStatus::Active).cloned().collect();
    active.sort_by_key(|u| (u.created_at, u.id.to_string()));

    let filter = UserFilter { status: Some(UserStatus::Active), ..UserFilter::default() };
    let first = repos.users.list(&filter, PageRequest::new(0, 3)).await.unwrap();
    let second = repos.users.list(&filter, PageRequest::new(3, 3)).await.unwrap();

    assert_eq!((first.total, first.offset, first.limit), (4, 0, 3));
    assert_eq!(first.items, active[..3]);
    assert_eq!((second.total, second.items.as_slice()), (4, &active[3..]));
    let admins =
        repos.users.list(&UserFilter { role: Some(Role::Admin), ..UserFilter::default() }, PageRequest::first()).await;
    assert_eq!(admins.unwrap().items, vec![expected[1].clone()]);
    let blocked_admins =
        UserFilter { status: Some(UserStatus::Blocked), role: Some(Role::Admin), ..UserFilter::default() };
    assert_eq!(repos.users.list(&blocked_admins, PageRequest::first()).await.unwrap().total, 0);
}

/// `list` narrows by e-mail prefix (not a substring) and a half-open creation window, and sorts
/// newest first or by e-mail (the backoffice's user list).
pub async fn list_by_email_prefix_window_and_sort(repos: &Repositories) {
    let people =
        [("carla@example.com", 30), ("ana@example.com", 10), ("anabel@example.com", 20), ("bruno@example.com", 40)];
    for (email, created) in people {
        repos.users.create(&user(email, created)).await.unwrap();
    }
    repos.users.create(&user("joana@example.com", 50)).await.unwrap();
    let emails = |filter: UserFilter| async move {
        let page = repos.users.list(&filter, PageRequest::first()).await.unwrap();
        page.items.iter().map(|u| u.email.as_str().to_owned()).collect::<Vec<_>>()
    };

    let prefix = UserFilter { email_prefix: Some("ana".into()), sort: UserSort::EmailAsc, ..UserFilter::default() };
    assert_eq!(emails(prefix).await, ["ana@example.com", "anabel@example.com"]);
    let window = UserFilter {
        created_from: Some(at(20)),
        created_to: Some(at(40)),
        sort: UserSort::CreatedDesc,
        ..UserFilter::default()
    };
    assert_eq!(emails(window).await, ["carla@example.com", "anabel@example.com"]);
    let newest = emails(UserFilter { sort: UserSort::CreatedDesc, ..UserFilter::default() }).await;
    assert_eq!(
        newest,
        ["joana@example.com", "bruno@example.com", "carla@example.com", "anabel@example.com", "ana@example.com"]
    );
}
