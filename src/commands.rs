//! The one-shot commands of the `annals` binary: migrate, import, export, schema.

use crate::config::{ExportFormat, KeysCommand, Settings};
use crate::dataset::{self, CsvFlavor, EventExport, EventsFormat};
use crate::db::Database;
use crate::error::AppError;
use crate::service::keys;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `annals migrate`: applies pending migrations.
pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    Database::connect(&settings.database_url).await?.migrate().await?;
    tracing::info!("migrations applied");
    Ok(())
}

/// `annals keys …`: creates, lists and revokes API keys.
pub async fn keys(settings: &Settings, action: KeysCommand) -> anyhow::Result<()> {
    let database = Database::connect(&settings.database_url).await?;
    database.migrate().await?;
    match action {
        KeysCommand::Create { name, role } => {
            let (key, _) =
                keys::create(&database.conn, &name, role.into()).await.map_err(report)?;
            eprintln!("created the key {name:?}; it is shown this once:");
            println!("{key}");
        }
        KeysCommand::List => {
            for key in keys::list(&database.conn).await? {
                let state = match key.revoked_at {
                    Some(at) => format!("revoked {}", at.to_rfc3339()),
                    None => "active".to_owned(),
                };
                println!(
                    "{}\t{}\tcreated {}\t{state}",
                    key.name,
                    key.role.as_str(),
                    key.created_at.to_rfc3339()
                );
            }
        }
        KeysCommand::Revoke { name } => {
            keys::revoke(&database.conn, &name).await.map_err(report)?;
            println!("revoked {name:?}");
        }
    }
    Ok(())
}

/// `annals import FILE…`: reads each file whole, then writes it in one transaction.
pub async fn import(
    settings: &Settings,
    files: &[PathBuf],
    format: Option<dataset::Format>,
    options: dataset::external::Options,
) -> anyhow::Result<()> {
    let database = Database::connect(&settings.database_url).await?;
    database.migrate().await?;
    for file in files {
        let bytes = std::fs::read(file)
            .map_err(|err| anyhow::anyhow!("cannot read {}: {err}", file.display()))?;
        let name = file.display().to_string();
        match dataset::read(&name, &bytes, format).map_err(report)? {
            dataset::Loaded::Dataset(records) => {
                let summary = dataset::import(&database.conn, &records).await.map_err(report)?;
                println!("imported {name}: {summary:?}");
            }
            dataset::Loaded::External(batch) => {
                let summary = dataset::external::import(&database.conn, &batch, options)
                    .await
                    .map_err(report)?;
                println!("imported {name}: {summary}");
                if let Some(rejects) = batch.write_rejects(file)? {
                    eprintln!(
                        "{} invalid row(s) left out, written with their problems to {}",
                        batch.rejected.len(),
                        rejects.display()
                    );
                }
            }
        }
    }
    Ok(())
}

/// `annals export [FILE]`: writes the database as a dataset file, or the events matching
/// `filter` in a flat format, to `file` or standard output.
pub async fn export(
    settings: &Settings,
    file: Option<&Path>,
    format: ExportFormat,
    flavor: Option<CsvFlavor>,
    filter: Option<&str>,
) -> anyhow::Result<()> {
    let format = match format {
        ExportFormat::Dataset if flavor.is_some() || filter.is_some() => {
            anyhow::bail!("--flavor and --filter apply to --format csv, geojson and ndjson")
        }
        ExportFormat::Dataset => return export_dataset(settings, file).await,
        ExportFormat::Csv => EventsFormat::Csv(flavor.unwrap_or_default()),
        _ if flavor.is_some() => anyhow::bail!("--flavor applies to --format csv only"),
        ExportFormat::Geojson => EventsFormat::GeoJson,
        ExportFormat::Ndjson => EventsFormat::NdJson,
    };
    let filter = match filter {
        Some(json) => crate::graphql::event_filter(json).map_err(refused_filter)?,
        None => Default::default(),
    };
    let database = Database::connect(&settings.database_url).await?;
    database.migrate().await?;
    let out: Box<dyn Write> = match file {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|err| anyhow::anyhow!("cannot write {}: {err}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut export = EventExport::new(database.conn.clone(), filter, format);
    while let Some(chunk) = export.next_chunk().await? {
        out.write_all(&chunk)?;
    }
    out.flush()?;
    eprintln!("exported {} event(s)", export.events_written());
    Ok(())
}

/// The whole database as a dataset file.
async fn export_dataset(settings: &Settings, file: Option<&Path>) -> anyhow::Result<()> {
    let database = Database::connect(&settings.database_url).await?;
    database.migrate().await?;
    let dataset = dataset::export(&database.conn).await?;
    let mut text = serde_json::to_string_pretty(&dataset)?;
    text.push('\n');
    match file {
        Some(path) => std::fs::write(path, text)?,
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(())
}

/// A refused `--filter`, with the code and path the API would give.
fn refused_filter(err: AppError) -> anyhow::Error {
    anyhow::anyhow!("the filter is refused: {err} [{}]", err.code().as_str())
}

/// `annals generate --events N`: fills an empty database with a synthetic dataset.
#[cfg(feature = "tools")]
pub async fn generate(settings: &Settings, events: u64, seed: u64) -> anyhow::Result<()> {
    let database = Database::connect(&settings.database_url).await?;
    database.migrate().await?;
    let summary =
        crate::generate::generate(&database.conn, &crate::generate::Options { events, seed })
            .await?;
    println!("{summary}");
    Ok(())
}

/// `annals schema`: prints the SDL that the server serves.
pub fn schema() {
    print!("{}", crate::graphql::sdl());
}

/// Lists every violation of a rejected dataset, one per line, before failing.
fn report(err: AppError) -> anyhow::Error {
    if let AppError::Validation(violations) = &err {
        // A file with a bad column can have a problem on every row: the first ones say it.
        const SHOWN: usize = 100;
        for violation in violations.iter().take(SHOWN) {
            eprintln!("  {violation} [{}]", violation.code.as_str());
        }
        if violations.len() > SHOWN {
            eprintln!("  … and {} more", violations.len() - SHOWN);
        }
        return anyhow::anyhow!(
            "the dataset was rejected with {} problem(s); nothing was written",
            violations.len()
        );
    }
    err.into()
}
