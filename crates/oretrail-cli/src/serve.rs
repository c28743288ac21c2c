//! `oretrail serve`: the web application (analysts' pages, supplier upload links, REST API) on
//! the store; `--demo` starts it on a fresh SQLite store with a demo programme loaded.

use crate::context::Context;
use anyhow::{Context as _, Result, bail};
use oretrail_pipeline::Pipeline;
use oretrail_store::{Store, StoreConfig};
use oretrail_web::{AppState, WebConfig};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Options of `oretrail serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Start on a fresh SQLite store (in a temporary folder) with a demo programme loaded.
    #[arg(long)]
    demo: bool,
    /// Files the demo generates from the samples, besides the samples themselves.
    #[arg(long, default_value_t = 25)]
    demo_generated: usize,
    /// URL people reach the server at (links in e-mails); default: http://LISTEN.
    #[arg(long, env = "ORETRAIL_PUBLIC_URL")]
    public_url: Option<String>,
    /// The server is behind TLS: cookies are marked Secure.
    #[arg(long)]
    behind_tls: bool,
    /// Name of the company running the programme (pages and e-mails).
    #[arg(long, default_value = "Example Devices Inc.")]
    company: String,
    /// Create this admin (NAME:PASSWORD) when the store has no user yet.
    #[arg(long, env = "ORETRAIL_ADMIN")]
    admin: Option<String>,
}

/// Runs the server until interrupted.
pub fn run(ctx: &Context, args: &ServeArgs) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(ctx, args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(ctx: &Context, args: &ServeArgs) -> Result<()> {
    let config = if args.demo {
        let dir = std::env::temp_dir().join(format!("oretrail-demo-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
        }
        StoreConfig::sqlite(dir)
    } else {
        StoreConfig {
            data_dir: ctx.data_dir.clone(),
            database_url: ctx.database_url.clone(),
        }
    };
    let store = Store::open(&config).await.context("opening the store")?;
    let pipeline = pipeline(&store).await?;
    let listener = oretrail_web::bind(&args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let local = listener.local_addr()?;
    let web = WebConfig {
        public_url: args
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{local}"))
            .trim_end_matches('/')
            .to_string(),
        secure_cookies: args.behind_tls,
        company_name: args.company.clone(),
        ..WebConfig::default()
    };
    let state = AppState::new(store, pipeline, web).await?;
    if args.demo {
        eprintln!(
            "loading the demo programme into {} …",
            config.data_dir.display()
        );
        let demo = oretrail_web::demo::load(&state, args.demo_generated).await?;
        eprintln!(
            "demo: {} suppliers, {} files received in campaign #{}",
            demo.suppliers, demo.files, demo.campaign_id
        );
        println!("Oretrail is running at {}", state.config.public_url);
        for (user, password, role) in oretrail_web::demo::DEMO_USERS {
            println!("  sign in as {user} / {password} ({})", role.code());
        }
        if let Some(link) = demo.supplier_link {
            println!(
                "  a supplier's upload link: {}{link}",
                state.config.public_url
            );
        }
    } else {
        if let Some(admin) = &args.admin {
            let Some((name, password)) = admin.split_once(':') else {
                bail!("--admin takes NAME:PASSWORD");
            };
            oretrail_web::create_first_admin(&state, name, password).await?;
        }
        println!("Oretrail is running at {}", state.config.public_url);
    }
    println!(
        "  API: {}/api/v1 · OpenAPI: {}/api/openapi.json",
        state.config.public_url, state.config.public_url
    );
    oretrail_web::serve(state, listener).await?;
    Ok(())
}

/// The pipeline over the stored registry; when it is empty, RMI's blank templates
/// (`templates/rmi`, when at hand) are learned and saved first.
async fn pipeline(store: &Store) -> Result<Pipeline> {
    let registry = oretrail_store::facilities::load_registry(store).await?;
    let empty = registry.sources().is_empty();
    let mut pipeline = Pipeline::new(registry);
    let bundled: PathBuf = Path::new("templates/rmi").to_path_buf();
    if empty && bundled.is_dir() {
        let n = pipeline.learn_folder(&bundled);
        eprintln!(
            "learned the smelter look-ups of {n} RMI template version(s) from {}",
            bundled.display()
        );
        oretrail_store::facilities::save_registry(store, pipeline.registry()).await?;
    }
    Ok(pipeline)
}
