use std::process::ExitCode;

use clap::Parser;
use ioscope::cli::{Cli, Command};
use ioscope::serve::{self, ServeError};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Serve(args)) => args,
        None => cli.serve,
    };
    let result = if args.headless {
        serve::headless(&args, &mut std::io::stdout().lock())
    } else {
        serve::dashboard(&args)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ioscope: {e}");
            match e {
                ServeError::Bind(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}
