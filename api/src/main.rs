//! The `botfleet` server binary: parse the command line, load settings, run. All wiring lives in
//! `api::bootstrap`.

use std::process::ExitCode;

use api::bootstrap::{self, Cli};

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
    match bootstrap::run(settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("botfleet: {err:#}");
            ExitCode::FAILURE
        }
    }
}
