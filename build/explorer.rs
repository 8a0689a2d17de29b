//! Builds the explorer (`web/`, served at `/`) with npm: `npm ci` from the committed lockfile,
//! then `node build.mjs`, which bundles the page and checks its GraphQL operations against
//! `schema.graphql`. The files it writes are embedded in the binary, each with a gzip copy,
//! under a version made from their contents, so browsers may cache them forever.
//!
//! No npm, or no registry to install from: the build goes on without the page (with a warning)
//! and `/` says how to get it. A page that fails to build or whose queries no longer match the
//! schema fails the build: that is a bug in this repository, not in the machine.

use flate2::{write::GzEncoder, Compression};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Writes `OUT_DIR/explorer.rs`, which `src/routes/explorer.rs` includes.
pub fn build() {
    for watched in ["package.json", "package-lock.json", "build.mjs", "index.html", "src", "static"]
    {
        println!("cargo:rerun-if-changed=web/{watched}");
    }
    // The page's queries are checked against the schema: a schema change checks them again.
    println!("cargo:rerun-if-changed=schema.graphql");
    println!("cargo:rerun-if-env-changed=ANNALS_SKIP_EXPLORER");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let web =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("web");
    let assets = out_dir.join("explorer");
    let _ = std::fs::remove_dir_all(&assets);

    let built = if std::env::var_os("ANNALS_SKIP_EXPLORER").is_some() {
        Err("ANNALS_SKIP_EXPLORER is set".to_owned())
    } else {
        install(&web).and_then(|()| bundle(&web, &assets))
    };
    let code = match built {
        Ok(()) => embed(&assets),
        Err(why) => {
            println!("cargo:warning=the explorer page is not built into this binary: {why}");
            format!(
                "/// Why this build has no explorer.\npub const MISSING: Option<&str> = Some({why:?});\n\
                 /// The assets' version.\npub const VERSION: &str = \"\";\n\
                 /// The assets.\npub static FILES: &[Asset] = &[];\n"
            )
        }
    };
    std::fs::write(out_dir.join("explorer.rs"), code).expect("OUT_DIR is writable");
}

/// `npm ci`, skipped when `node_modules` was installed from this very lockfile.
fn install(web: &Path) -> Result<(), String> {
    let lock = std::fs::read(web.join("package-lock.json"))
        .map_err(|e| format!("web/package-lock.json: {e}"))?;
    let stamp_path = web.join("node_modules/.annals-lockfile-sha256");
    let stamp = hex(&Sha256::digest(&lock));
    if std::fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp) {
        return Ok(());
    }
    let output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(web)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!("npm is not available ({e}); install Node.js and npm, then rebuild")
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("`npm ci` in web/ failed: {}", stderr.trim()));
    }
    std::fs::write(stamp_path, stamp).map_err(|e| e.to_string())
}

/// `node build.mjs OUT`. No node (a `node_modules` installed earlier, on a machine that no
/// longer has it) is the machine's matter, like no npm; a failing build is the page's own
/// fault, so it stops the build.
fn bundle(web: &Path, assets: &Path) -> Result<(), String> {
    let output = Command::new("node")
        .arg("build.mjs")
        .arg(assets)
        .current_dir(web)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!("node is not available ({e}); install Node.js and npm, then rebuild")
        })?;
    assert!(
        output.status.success(),
        "building the explorer (web/build.mjs) failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

/// The Rust that embeds every file of `assets`, gzipped beside, and their version.
fn embed(assets: &Path) -> String {
    let mut files: Vec<PathBuf> = Vec::new();
    collect(assets, &mut files);
    files.sort();
    let mut version = Sha256::new();
    let mut entries = String::new();
    for file in &files {
        let bytes = std::fs::read(file).expect("the build wrote it");
        let name = file.strip_prefix(assets).expect("inside").to_string_lossy().replace('\\', "/");
        version.update(name.as_bytes());
        version.update(&bytes);
        let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
        gzip.write_all(&bytes).expect("in memory");
        let gz_path = PathBuf::from(format!("{}.gz", file.display()));
        std::fs::write(&gz_path, gzip.finish().expect("in memory")).expect("OUT_DIR is writable");
        writeln!(
            entries,
            "    Asset {{ name: {name:?}, bytes: include_bytes!({:?}), gzip: include_bytes!({:?}) }},",
            file.display().to_string(),
            gz_path.display().to_string()
        )
        .expect("writing to a String");
    }
    let version = &hex(&version.finalize())[..12];
    format!(
        "/// Why this build has no explorer.\npub const MISSING: Option<&str> = None;\n\
         /// The assets' version: part of their path, so that a new build gets new paths.\n\
         pub const VERSION: &str = {version:?};\n\
         /// The assets.\npub static FILES: &[Asset] = &[\n{entries}];\n"
    )
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the build wrote it").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
