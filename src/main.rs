use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use ioscope::cli::{Cli, Command, ReplayArgs, ServeArgs};
use ioscope::client::{interactive, swarm};
use ioscope::record;
use ioscope::serve::{self, ServeError};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => serve(&cli.serve),
        Some(Command::Serve(args)) => serve(&args),
        Some(Command::Client(args)) => {
            let stdin = std::io::stdin();
            let prompt = stdin.is_terminal();
            let result = interactive::run(args.addr, stdin.lock(), &mut std::io::stdout(), prompt);
            report(result.map_err(|e| e.to_string()), ExitCode::FAILURE)
        }
        Some(Command::Swarm(args)) => match swarm::run(&args.config()) {
            Ok(summary) => {
                let text = if args.json {
                    serde_json::to_string_pretty(&summary).expect("summary to JSON")
                } else {
                    summary.to_string()
                };
                let printed = match writeln!(std::io::stdout(), "{text}") {
                    // A reader that went away (`| head -1`) is not an error.
                    Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                        eprintln!("ioscope: swarm: cannot print the summary: {e}");
                        false
                    }
                    _ => true,
                };
                for problem in summary.problems() {
                    eprintln!("ioscope: swarm: {problem}");
                }
                if summary.failed() || !printed {
                    ExitCode::FAILURE
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e) => report(Err(format!("swarm: {e}")), ExitCode::FAILURE),
        },
        Some(Command::Replay(args)) => replay(&args),
    }
}

/// `replay FILE --summary`. Bad input is a usage problem (exit code 2); a
/// recording cut short is summed up as far as it is whole, then said.
fn replay(args: &ReplayArgs) -> ExitCode {
    let bad = |e: String| report(Err(e), ExitCode::from(2));
    let file = args.file.display();
    if !args.summary {
        return match serve::replay(&args.file) {
            Ok(None) => ExitCode::SUCCESS,
            Ok(Some(cut)) => bad(format!("{file}: {cut}")),
            Err(e @ (ServeError::ReplayNoTerminal(_) | ServeError::Replay(..))) => {
                bad(e.to_string())
            }
            Err(e) => report(Err(e.to_string()), ExitCode::FAILURE),
        };
    }
    let recording = match record::open(&args.file) {
        Ok(recording) => recording,
        Err(e) => return bad(format!("{file}: {e}")),
    };
    let summary = record::summarize(&recording);
    if let Err(e) = writeln!(std::io::stdout(), "{summary}")
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return report(
            Err(format!("cannot print the summary: {e}")),
            ExitCode::FAILURE,
        );
    }
    match recording.cut {
        Some(cut) => bad(format!("{file}: {cut}")),
        None => ExitCode::SUCCESS,
    }
}

fn serve(args: &ServeArgs) -> ExitCode {
    let result = if args.headless {
        serve::headless(args, std::io::stdout())
    } else {
        serve::dashboard(args)
    };
    let code = match &result {
        Err(ServeError::Bind(_) | ServeError::NoTerminal(_) | ServeError::RecordCreate(_)) => {
            ExitCode::from(2)
        }
        _ => ExitCode::FAILURE,
    };
    report(result.map_err(|e| e.to_string()), code)
}

fn report(result: Result<(), String>, code: ExitCode) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Not eprintln!: it panics when stderr is gone with the terminal.
            let _ = writeln!(std::io::stderr(), "ioscope: {e}");
            code
        }
    }
}
