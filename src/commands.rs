//! The one-shot commands of the `annals` binary: migrate, import, export, schema.

use crate::config::{ExportFormat, KeysCommand, Settings};
use crate::dataset::{self, CsvFlavor, EventExport, EventsFormat};
use crate::db::Database;
use crate::error::{AppError, Rule};
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

/// `annals import FILE…`: writes each file in one transaction; a dataset file is read whole,
/// another dataset's file a chunk of rows at a time, with a progress bar on a terminal.
pub async fn import(
    settings: &Settings,
    files: &[PathBuf],
    format: Option<dataset::Format>,
    options: dataset::external::Options,
) -> anyhow::Result<()> {
    let database = Database::connect(&settings.database_url).await?;
    database.migrate().await?;
    for file in files {
        let name = file.display().to_string();
        let size = std::fs::metadata(file)
            .map_err(|err| anyhow::anyhow!("cannot read {name}: {err}"))?
            .len();
        match dataset::open(file, format).map_err(report)? {
            dataset::Opened::Dataset(records) => {
                let summary = dataset::import(&database.conn, &records).await.map_err(report)?;
                println!("imported {name}: {summary:?}");
            }
            dataset::Opened::External(reader, batch) => {
                let bar = progress_bar(size);
                let started = std::time::Instant::now();
                let mut progress = |done: dataset::external::Progress| {
                    let rate = done.rows as f64 / started.elapsed().as_secs_f64().max(1e-3);
                    bar.set_position(done.bytes);
                    bar.set_message(format!("{} rows, {rate:.0} rows/s", done.rows));
                };
                let result = dataset::external::import(
                    &database.conn,
                    reader,
                    *batch,
                    file,
                    options,
                    &mut progress,
                )
                .await;
                bar.finish_and_clear();
                let (summary, rejects) = result.map_err(report)?;
                println!("imported {name}: {summary}");
                if let Some(rejects) = rejects {
                    eprintln!(
                        "{} invalid row(s) left out, written with their problems to {}",
                        summary.rejected,
                        rejects.display()
                    );
                }
            }
        }
    }
    Ok(())
}

/// A bar over a file's bytes, with the rows read and the rate; drawn only on a terminal.
fn progress_bar(bytes: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(bytes);
    let style = indicatif::ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30}] {bytes}/{total_bytes} {msg}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar
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
/// Prints the schema, or writes it to `out`.
///
/// # Errors
/// When `out` cannot be written.
pub fn schema(out: Option<&std::path::Path>) -> anyhow::Result<()> {
    let sdl = crate::graphql::sdl();
    match out {
        Some(path) => std::fs::write(path, sdl)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display())),
        None => {
            print!("{sdl}");
            Ok(())
        }
    }
}

/// Lists the violations of a rejected file, one per line, before failing.
fn report(err: AppError) -> anyhow::Error {
    if let AppError::Validation(violations) = &err {
        // A long report ends with a count of the problems it does not list.
        let (listed, rest) = match violations.split_last() {
            Some((last, listed)) if last.code == Rule::TooManyProblems => (listed, Some(last)),
            _ => (violations.as_slice(), None),
        };
        // A file with a bad column can have a problem on every row: the first ones say it.
        const SHOWN: usize = 100;
        for violation in listed.iter().take(SHOWN) {
            eprintln!("  {violation} [{}]", violation.code.as_str());
        }
        if listed.len() > SHOWN {
            eprintln!("  … and {} more", listed.len() - SHOWN);
        }
        if let Some(rest) = rest {
            eprintln!("  {rest} [{}]", rest.code.as_str());
        }
        return anyhow::anyhow!(
            "the file was rejected with {}{} problem(s); nothing was written",
            listed.len(),
            if rest.is_some() { "+" } else { "" }
        );
    }
    err.into()
}
