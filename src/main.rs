use annals::config::{Cli, Command};
use annals::startup::Application;
use annals::{commands, dataset, telemetry};
use clap::Parser;

// glibc's allocator spent an eighth of the server's CPU under load (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = cli.settings;
    telemetry::init(&settings.log_filter, settings.log_format);

    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => Application::build(&settings).await?.run_until_stopped().await?,
        Command::Migrate => commands::migrate(&settings).await?,
        Command::Import { files, format, skip_invalid, archive_missing, chunk_rows } => {
            let chunk_rows = chunk_rows as usize;
            let options = dataset::external::Options { skip_invalid, archive_missing, chunk_rows };
            commands::import(&settings, &files, format, options).await?
        }
        Command::Export { file, format, flavor, filter } => {
            commands::export(&settings, file.as_deref(), format, flavor, filter.as_deref()).await?
        }
        Command::Schema { out } => commands::schema(out.as_deref())?,
        #[cfg(feature = "tools")]
        Command::Generate { events, seed } => commands::generate(&settings, events, seed).await?,
        #[cfg(feature = "tools")]
        Command::Bench(args) => annals::bench::run(&settings, &args).await?,
        Command::Keys { action } => commands::keys(&settings, action).await?,
    }
    Ok(())
}
