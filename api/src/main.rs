//! The `botfleet` server binary: parse the command line, load settings, run. All wiring lives in
//! `api::bootstrap`.

use std::process::ExitCode;

use api::bootstrap::{self, Cli, Command};
use api::commands;
use mimalloc::MiMalloc;

/// mimalloc instead of the system allocator: requests make many small, short-lived allocations
/// on several threads, where glibc's malloc spent a third of `/api/orders` (docs/performance.md).
#[global_allocator]
static ALLOCATOR: MiMalloc = MiMalloc;

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = match Cli::parse(std::env::args().skip(1)) {
        Ok(cli) => cli,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    if cli.help {
        println!("{}", bootstrap::USAGE);
        return ExitCode::SUCCESS;
    }
    let settings = match bootstrap::load_settings(&cli) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("botfleet: {err}");
            return ExitCode::from(78); // EX_CONFIG
        }
    };
    let outcome = match &cli.command {
        Command::Serve => bootstrap::run(settings).await,
        Command::Backup(file) => commands::backup(&settings, file).await,
        Command::Migrate { uri, database } => commands::migrate(&settings, uri, database).await,
        Command::CreateOperator { email, role, password_stdin } => {
            commands::create_operator(&settings, email, role, *password_stdin).await
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("botfleet: {err:#}");
            ExitCode::FAILURE
        }
    }
}
