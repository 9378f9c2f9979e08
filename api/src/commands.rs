//! The operations subcommands of the `botfleet` binary, beside serving: `backup` copies the
//! embedded store while a server may be running, `migrate --to` moves it into MongoDB. Both read
//! the same settings as the server (so `BOTFLEET_DATA_DIR` names the store) and never write to it.
//! `operator create` adds a backoffice operator to the server's store.

use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use infrastructure::repositories::Repositories;
use infrastructure::store::migrate::embedded_to_mongo;
use infrastructure::store::mongo::MongoStore;
use infrastructure::store::sqlite::SqliteStore;
use infrastructure::store::DocumentStore as _;

use crate::settings::{Settings, StoreSettings};

fn embedded_dir(settings: &Settings) -> anyhow::Result<&Path> {
    match &settings.store {
        StoreSettings::Embedded { data_dir } => Ok(data_dir),
        StoreSettings::InMemory => bail!("BOTFLEET_DATA_DIR is `:memory:`: there is nothing on disk to copy"),
        StoreSettings::Mongo { .. } => {
            bail!("MONGODB_URI is set: this server's data is in MongoDB, not the embedded store")
        }
    }
}

/// `botfleet backup <file>`: a consistent copy of the embedded store's database in `target`
/// (which must not exist), taken with SQLite's `VACUUM INTO` while a server may keep serving.
pub async fn backup(settings: &Settings, target: &Path) -> anyhow::Result<()> {
    let dir = embedded_dir(settings)?;
    if target.exists() {
        bail!("{} exists already; a backup never overwrites a file", target.display());
    }
    let store = open_existing(dir).await?;
    store.backup(target).await.with_context(|| format!("writing the backup {}", target.display()))?;
    println!("botfleet: backup of {} written to {}", dir.display(), target.display());
    Ok(())
}

/// `botfleet migrate --to <uri> [--database <name>]`: copies every collection of the embedded
/// store into MongoDB, indexes first; prints each collection's counts and fails unless they match.
pub async fn migrate(settings: &Settings, uri: &str, database: &str) -> anyhow::Result<()> {
    let dir = embedded_dir(settings)?;
    let source = open_existing(dir).await?;
    let target = MongoStore::connect(uri, database).await.context("invalid MongoDB connection string")?;
    target.ping().await.with_context(|| format!("cannot reach MongoDB (database `{database}`)"))?;
    let target = Arc::new(target);
    Repositories::on(target.clone()).await.context("creating the collections and indexes in MongoDB")?;
    let report = embedded_to_mongo(&source, &target).await?;
    let mut mismatched = Vec::new();
    for copy in &report {
        println!("{:<24} embedded {:>10}  mongodb {:>10}", copy.name, copy.source, copy.target);
        if !copy.matches() {
            mismatched.push(copy.name.as_str());
        }
    }
    if !mismatched.is_empty() {
        bail!(
            "MongoDB holds another number of documents in {}: documents that were there before, or writes \
             to the embedded store during the copy (stop the server and run the command again)",
            mismatched.join(", ")
        );
    }
    println!("botfleet: {} collections copied to MongoDB database `{database}`", report.len());
    Ok(())
}

async fn open_existing(dir: &Path) -> anyhow::Result<SqliteStore> {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || SqliteStore::open_existing(&dir))
        .await
        .context("the store's opening task failed")?
}

/// `botfleet operator create --email <e-mail> --role <role> [--password-stdin]`: adds a
/// backoffice operator to the store the settings name (the first SUPER_ADMIN comes this way).
/// The password is the first line of stdin, or generated and printed once. The operator then
/// enrols a TOTP authenticator (`POST /backoffice/api/auth/totp/enroll`) before logging in.
pub async fn create_operator(settings: &Settings, email: &str, role: &str, password_stdin: bool) -> anyhow::Result<()> {
    let role = domain::backoffice::OperatorRole::parse(role)
        .ok_or_else(|| anyhow::anyhow!("--role: expected `super_admin`, `admin` or `support`, not `{role}`"))?;
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).context("reading the password from stdin")?;
        Some(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        None
    };
    let repositories = crate::bootstrap::open_store(settings).await?;
    let clock = Arc::new(infrastructure::clock::SystemClock);
    let backoffice = crate::bootstrap::backoffice(settings, &repositories, clock)?;
    let created = match backoffice.create_operator(email, password, role).await {
        Ok(created) => created,
        Err(application::backoffice::BackofficeError::Invalid(errors)) => {
            let reasons: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            bail!("{}", reasons.join("; "))
        }
        Err(err) => return Err(anyhow::Error::new(err).context("creating the operator")),
    };
    println!(
        "botfleet: operator {} created: {} ({})",
        created.operator.id,
        created.operator.email.as_str(),
        role.as_str()
    );
    if let Some(password) = created.generated_password {
        println!("password (shown once): {}", password.expose());
    }
    println!("next: enrol a TOTP authenticator with POST /backoffice/api/auth/totp/enroll, then log in");
    Ok(())
}
