//! `oretrail`: read, check and manage RMI supplier templates from the command line.

mod parse;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Responsible-minerals due diligence: RMI supplier templates in, evidence out.
#[derive(Parser)]
#[command(name = "oretrail", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read filled RMI templates and print what they declare.
    Parse {
        /// Template files or folders (searched recursively for .xlsx/.xls).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Print one JSON object per file per line (JSON Lines).
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse { paths, json } => parse::run(&paths, json),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("oretrail: {e:#}");
            ExitCode::from(2)
        }
    }
}
