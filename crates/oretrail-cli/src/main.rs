//! `oretrail`: read, check and manage RMI supplier templates from the command line.

mod backup;
mod campaigns;
mod check;
mod claims;
mod context;
mod export;
mod export_template;
mod facilities;
mod generate;
mod ingest;
mod parse;
mod programme;
mod report;
mod risk;
mod rollup;
mod serve;
mod status;
mod store;
mod submissions;
mod suppliers;
mod verify;
mod worker;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Responsible-minerals due diligence: RMI supplier templates in, evidence out.
#[derive(Parser)]
#[command(name = "oretrail", version, about)]
struct Cli {
    /// Folder of Oretrail's data (database, originals, facility registry).
    /// Default: the platform's data directory (e.g. ~/.local/share/oretrail).
    #[arg(long, global = true, env = "ORETRAIL_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL (sqlite://… or postgres://…); default: SQLite in the data directory.
    #[arg(long, global = true, env = "ORETRAIL_DATABASE_URL")]
    database_url: Option<String>,
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
    /// Validate filled RMI templates: every problem, with its sheet and cell.
    Check(check::CheckArgs),
    /// The registry of RMI smelters and refiners, and their audit status.
    Facilities {
        #[command(subcommand)]
        command: facilities::FacilitiesCommand,
    },
    /// Store received files (files, folders, zip archives) as submissions.
    Ingest(ingest::IngestArgs),
    /// Process queued files (`ingest --enqueue`); run several, on several machines, on PostgreSQL.
    Worker(worker::WorkerArgs),
    /// The ingest queue: jobs by state and worker, failed jobs, retries.
    Queue {
        #[command(subcommand)]
        command: worker::QueueCommand,
    },
    /// Suppliers, their tiers, contacts and spend.
    Suppliers {
        #[command(subcommand)]
        command: suppliers::SuppliersCommand,
    },
    /// Campaigns: period, accepted templates, deadline, scope frozen into requests.
    Campaigns {
        #[command(subcommand)]
        command: campaigns::CampaignsCommand,
    },
    /// Received files: list, confirm suppliers, download originals.
    Submissions {
        #[command(subcommand)]
        command: submissions::SubmissionsCommand,
    },
    /// A campaign's coverage of spend, response rate, missing suppliers, problems.
    Status(status::StatusArgs),
    /// Every facility named by a campaign's accepted submissions, with its status.
    Rollup(rollup::RollupArgs),
    /// Red flags and risk scores, the risk register (cases, escalation, sign-offs), the digest.
    Risk {
        #[command(subcommand)]
        command: risk::RiskCommand,
    },
    /// Refiner outreach: contacts, answers, RMAP commitments, status progress.
    Outreach {
        #[command(subcommand)]
        command: programme::OutreachCommand,
    },
    /// RBA audits of own and suppliers' sites: findings and corrective actions.
    Audits {
        #[command(subcommand)]
        command: programme::AuditsCommand,
    },
    /// Suppliers' code-of-conduct and contract-clause acknowledgements.
    Acknowledgements {
        #[command(subcommand)]
        command: programme::AcknowledgementsCommand,
    },
    /// Supplier training: sessions, participants, completion.
    Training {
        #[command(subcommand)]
        command: programme::TrainingCommand,
    },
    /// Grievances: intake, triage, investigation, response.
    Grievances {
        #[command(subcommand)]
        command: programme::GrievancesCommand,
    },
    /// The web application: analysts' pages, supplier upload links, REST API.
    Serve(serve::ServeArgs),
    /// The company's own declaration written into RMI's official blank template.
    ExportTemplate(export_template::ExportTemplateArgs),
    /// Re-hash every original and check it against the database (exit 1 when not clean).
    Verify(verify::VerifyArgs),
    /// Write the database and its originals into one archive (safe while the server runs).
    Backup(backup::BackupArgs),
    /// Restore an archive of `oretrail backup` into an empty data directory.
    Restore(backup::RestoreArgs),
    /// The annual due-diligence report, snapshot comparison, Form SD and EU battery drafts.
    Report {
        #[command(subcommand)]
        command: report::ReportCommand,
    },
    /// A campaign's tables as CSV or XLSX.
    Export(export::ExportArgs),
    /// Suppliers' claims against the registry; facilities whose audits expire soon.
    Claims {
        #[command(subcommand)]
        command: claims::ClaimsCommand,
    },
    /// Developer tools (benchmark data).
    Dev {
        #[command(subcommand)]
        command: generate::DevCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = context::Context::new(cli.data_dir, cli.database_url);
    let result = match cli.command {
        Command::Parse { paths, json } => parse::run(&ctx, &paths, json),
        Command::Check(args) => check::run(&ctx, &args),
        Command::Facilities { command } => facilities::run(&ctx, &command),
        Command::Ingest(args) => ingest::run(&ctx, &args),
        Command::Worker(args) => worker::run_worker_command(&ctx, &args),
        Command::Queue { command } => worker::run_queue(&ctx, &command),
        Command::Suppliers { command } => suppliers::run(&ctx, &command),
        Command::Campaigns { command } => campaigns::run(&ctx, &command),
        Command::Submissions { command } => submissions::run(&ctx, &command),
        Command::Status(args) => status::run(&ctx, &args),
        Command::Rollup(args) => rollup::run(&ctx, &args),
        Command::Risk { command } => risk::run(&ctx, &command),
        Command::Outreach { command } => programme::outreach(&ctx, &command),
        Command::Audits { command } => programme::audits(&ctx, &command),
        Command::Acknowledgements { command } => programme::acknowledgements(&ctx, &command),
        Command::Training { command } => programme::training(&ctx, &command),
        Command::Grievances { command } => programme::grievances(&ctx, &command),
        Command::Serve(args) => serve::run(&ctx, &args),
        Command::ExportTemplate(args) => export_template::run(&ctx, &args),
        Command::Verify(args) => verify::run(&ctx, &args),
        Command::Backup(args) => backup::run_backup(&ctx, &args),
        Command::Restore(args) => backup::run_restore(&ctx, &args),
        Command::Report { command } => report::run(&ctx, &command),
        Command::Export(args) => export::run(&ctx, &args),
        Command::Claims { command } => claims::run(&ctx, &command),
        Command::Dev { command } => generate::run(&command),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("oretrail: {e:#}");
            ExitCode::from(2)
        }
    }
}
