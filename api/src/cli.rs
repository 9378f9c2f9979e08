//! The `botfleet` command line: serve (the default), `backup <file>`, `migrate --to <uri>`,
//! `operator create --email <e-mail> --role <role> [--password-stdin]`.

/// What the command line asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cli {
    /// `--dev`: same as `BOTFLEET_DEV_MODE=true`.
    pub dev: bool,
    /// `--help`.
    pub help: bool,
    /// What to do.
    pub command: Command,
}

/// The subcommand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Command {
    /// Run the server (no subcommand).
    #[default]
    Serve,
    /// `backup <file>`.
    Backup(std::path::PathBuf),
    /// `migrate --to <uri> [--database <name>]`.
    Migrate {
        /// The MongoDB connection string.
        uri: String,
        /// The database (default `botfleet`).
        database: String,
    },
    /// `operator create --email <e-mail> --role <role> [--password-stdin]`.
    CreateOperator {
        /// The operator's e-mail.
        email: String,
        /// `super_admin`, `admin` or `support`.
        role: String,
        /// Read the password from the first line of stdin instead of generating one.
        password_stdin: bool,
    },
}

/// The usage text for `--help`.
pub const USAGE: &str = "\
usage: botfleet [--dev]                 run the server
       botfleet backup <file>           copy the embedded store to <file> (the server may run)
       botfleet migrate --to <uri> [--database <name>]
                                        copy the embedded store into MongoDB (idempotent)
       botfleet operator create --email <e-mail> --role super_admin|admin|support [--password-stdin]
                                        create a backoffice operator; the password is read from
                                        stdin or generated and printed once

  --dev    development mode: generate a missing BOTFLEET_JWT_SECRET / BOTFLEET_ENCRYPTION_KEY
           and keep them in <BOTFLEET_DATA_DIR>/dev-secrets.env (never do this in production)

Configuration comes from BOTFLEET_* environment variables; see the README.";

impl Cli {
    /// Parses the arguments after the program name.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut cli = Cli::default();
        let mut args = args.into_iter();
        let usage = |message: String| format!("{message}\n\n{USAGE}");
        while let Some(arg) = args.next() {
            match (arg.as_str(), &mut cli.command) {
                ("--dev", _) => cli.dev = true,
                ("-h" | "--help", _) => cli.help = true,
                ("backup", Command::Serve) => {
                    let file = args.next().ok_or_else(|| usage("`backup` needs the file to write".into()))?;
                    cli.command = Command::Backup(file.into());
                }
                ("migrate", Command::Serve) => {
                    cli.command = Command::Migrate { uri: String::new(), database: "botfleet".into() };
                }
                ("--to", Command::Migrate { uri, .. }) => {
                    *uri = args.next().ok_or_else(|| usage("`--to` needs a MongoDB URI".into()))?;
                }
                ("--database", Command::Migrate { database, .. }) => {
                    *database = args.next().ok_or_else(|| usage("`--database` needs a name".into()))?;
                }
                ("operator", Command::Serve) => {
                    let sub = args.next().unwrap_or_default();
                    if sub != "create" {
                        return Err(usage("`operator` takes `create`".into()));
                    }
                    cli.command =
                        Command::CreateOperator { email: String::new(), role: String::new(), password_stdin: false };
                }
                ("--email", Command::CreateOperator { email, .. }) => {
                    *email = args.next().ok_or_else(|| usage("`--email` needs an e-mail address".into()))?;
                }
                ("--role", Command::CreateOperator { role, .. }) => {
                    *role = args.next().ok_or_else(|| usage("`--role` needs a role".into()))?;
                }
                ("--password-stdin", Command::CreateOperator { password_stdin, .. }) => *password_stdin = true,
                (other, _) => return Err(usage(format!("unknown argument `{other}`"))),
            }
        }
        if matches!(&cli.command, Command::CreateOperator { email, role, .. } if email.is_empty() || role.is_empty()) {
            return Err(usage("`operator create` needs `--email <e-mail>` and `--role <role>`".into()));
        }
        if matches!(&cli.command, Command::Migrate { uri, .. } if uri.is_empty()) {
            return Err(usage("`migrate` needs `--to <MongoDB URI>`".into()));
        }
        Ok(cli)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn dev_flag_is_parsed_and_unknown_arguments_are_refused() {
        assert_eq!(Cli::parse(args(&["--dev"])), Ok(Cli { dev: true, ..Cli::default() }));
        assert_eq!(Cli::parse(args(&[])), Ok(Cli::default()));
        assert!(Cli::parse(args(&["--prod"])).unwrap_err().contains("unknown argument `--prod`"));
    }

    #[test]
    fn backup_and_migrate_take_their_arguments() {
        assert_eq!(Cli::parse(args(&["backup", "/tmp/b.db"])).unwrap().command, Command::Backup("/tmp/b.db".into()));
        let migrate = Cli::parse(args(&["migrate", "--to", "mongodb://h", "--database", "prod"])).unwrap();
        assert_eq!(migrate.command, Command::Migrate { uri: "mongodb://h".into(), database: "prod".into() });
        let default_db = Cli::parse(args(&["--dev", "migrate", "--to", "mongodb://h"])).unwrap();
        assert_eq!(default_db.command, Command::Migrate { uri: "mongodb://h".into(), database: "botfleet".into() });
        assert!(Cli::parse(args(&["migrate"])).unwrap_err().contains("needs `--to"));
        assert!(Cli::parse(args(&["backup"])).unwrap_err().contains("needs the file"));
        assert!(Cli::parse(args(&["--to", "x"])).unwrap_err().contains("unknown argument `--to`"));
    }

    #[test]
    fn operator_create_takes_its_email_role_and_password_source() {
        let create =
            Cli::parse(args(&["operator", "create", "--email", "a@staff.example", "--role", "admin"])).unwrap();
        let expected =
            Command::CreateOperator { email: "a@staff.example".into(), role: "admin".into(), password_stdin: false };
        assert_eq!(create.command, expected);
        let stdin = Cli::parse(args(&[
            "operator",
            "create",
            "--role",
            "support",
            "--email",
            "b@s.example",
            "--password-stdin",
        ]));
        assert!(matches!(stdin.unwrap().command, Command::CreateOperator { password_stdin: true, .. }));
        assert!(Cli::parse(args(&["operator", "create", "--email", "a@s.example"]))
            .unwrap_err()
            .contains("needs `--email"));
        assert!(Cli::parse(args(&["operator", "delete"])).unwrap_err().contains("takes `create`"));
        assert!(Cli::parse(args(&["--email", "a"])).unwrap_err().contains("unknown argument `--email`"));
    }
}
