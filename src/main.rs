use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use ioscope::app::Look;
use ioscope::cli::{Cli, Command, ReplayArgs, ServeArgs};
use ioscope::client::{interactive, swarm};
use ioscope::record;
use ioscope::replay::cast::Cast;
use ioscope::replay::notes;
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

/// `replay FILE` on screen, `--summary`, `--cast`; `replay -` follows
/// stdin. Bad input is a usage problem (exit code 2); a recording cut
/// short is replayed as far as it is whole, then said.
fn replay(args: &ReplayArgs) -> ExitCode {
    let bad = |e: String| report(Err(e), ExitCode::from(2));
    let file = args.file.display();
    let stdin = args.file.as_os_str() == "-";
    let notes = match &args.notes {
        Some(path) => Some(path.clone()),
        None if stdin => None,
        None => notes::beside(&args.file),
    };
    let marks = match notes.map(|path| notes::load(&path)).transpose() {
        Ok(marks) => marks.unwrap_or_default(),
        Err(e) => return bad(e.to_string()),
    };
    let look = args.screen.look();
    if !args.summary && args.cast.is_none() {
        let shown = if stdin {
            serve::follow(marks, look).map(|()| None)
        } else {
            serve::replay(&args.file, marks, look)
        };
        return match shown {
            Ok(None) => ExitCode::SUCCESS,
            Ok(Some(cut)) => bad(format!("{file}: {cut}")),
            Err(e @ (ServeError::ReplayNoTerminal(_) | ServeError::Replay(..))) => {
                bad(e.to_string())
            }
            Err(e) => report(Err(e.to_string()), ExitCode::FAILURE),
        };
    }
    let read = if stdin {
        record::read(std::io::stdin().lock())
    } else {
        record::open(&args.file)
    };
    let recording = match read {
        Ok(recording) => recording,
        Err(e) => return bad(format!("{file}: {e}")),
    };
    let cut = recording.cut.clone();
    let done = match &args.cast {
        Some(out) => cast(recording, marks, (args.size, look), out, &file.to_string()),
        None => {
            let summary = record::summarize(&recording).text(look.lang);
            match writeln!(std::io::stdout(), "{summary}") {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(format!("cannot print the summary: {e}"))
                }
                _ => Ok(()),
            }
        }
    };
    if let Err(e) = done {
        return report(Err(e), ExitCode::FAILURE);
    }
    match cut {
        Some(cut) => bad(format!("{file}: {cut}")),
        None => ExitCode::SUCCESS,
    }
}

/// `--cast OUT`: the replay's frames into an asciicast file.
fn cast(
    recording: record::Recording,
    marks: Vec<notes::Mark>,
    ((width, height), look): ((u16, u16), Look),
    out: &std::path::Path,
    title: &str,
) -> Result<(), String> {
    let failed = |e: std::io::Error| format!("cannot write the cast to {}: {e}", out.display());
    let file = std::fs::File::create(out).map_err(failed)?;
    let cast = Cast::new(recording, marks, width, height)
        .map_err(failed)?
        .looking(look);
    let frames = cast
        .write(
            &format!("ioscope replay {title}"),
            std::io::BufWriter::new(file),
        )
        .map_err(failed)?;
    let _ = writeln!(
        std::io::stderr(),
        "ioscope: {frames} frames written to {} ({width}x{height}): asciinema play {}",
        out.display(),
        out.display()
    );
    Ok(())
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
