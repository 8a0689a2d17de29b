//! Fetches the browser bundles of the GraphiQL IDE with npm's own client (`npm pack NAME@VERSION`,
//! from whatever registry npm is configured for), pinned by version and checked against their
//! published sha512 integrity, so that the binary serves the IDE itself and a browser needs no
//! internet access to use it.
//!
//! Offline builds: point `ANNALS_GRAPHIQL_TARBALLS` at a folder holding the three `.tgz` files
//! (`npm pack graphiql@4.1.2 react@18.3.1 react-dom@18.3.1`). When neither works (no npm, no
//! network), the build still succeeds and `/graphql` explains in the browser that the IDE was
//! not bundled.

use base64::Engine;
use sha2::{Digest, Sha512};
use std::io::Read;
use std::path::{Path, PathBuf};

struct Package {
    name: &'static str,
    version: &'static str,
    /// npm's `dist.integrity`.
    sha512: &'static str,
    /// (path in the tarball, file name in OUT_DIR)
    files: &'static [(&'static str, &'static str)],
}

/// GraphiQL 4.1.2 is the last release with a plain-script (UMD) bundle; React 18.3.1 likewise.
const PACKAGES: &[Package] = &[
    Package {
        name: "graphiql",
        version: "4.1.2",
        sha512: "rNlzQIAzm6i2KBXmVQWBgLvt0TloxFVB2d18bukvdsvjEuFDHsKx5IVOomL1W1o5WW+tE54+ioHb2AEKzO2cUg==",
        files: &[
            ("package/graphiql.min.js", "graphiql.min.js"),
            ("package/graphiql.min.css", "graphiql.min.css"),
        ],
    },
    Package {
        name: "react",
        version: "18.3.1",
        sha512: "wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==",
        files: &[("package/umd/react.production.min.js", "react.production.min.js")],
    },
    Package {
        name: "react-dom",
        version: "18.3.1",
        sha512: "5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==",
        files: &[("package/umd/react-dom.production.min.js", "react-dom.production.min.js")],
    },
];

/// Unpacks the IDE into `OUT_DIR/graphiql`, or leaves empty files there when it cannot.
pub fn bundle_all() {
    println!("cargo:rerun-if-env-changed=ANNALS_GRAPHIQL_TARBALLS");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("graphiql");
    std::fs::create_dir_all(&out).expect("OUT_DIR is writable");

    let mut bundled = true;
    for package in PACKAGES {
        if let Err(err) = bundle(package, &out) {
            println!(
                "cargo:warning=GraphiQL is not bundled: {}@{}: {err}",
                package.name, package.version
            );
            bundled = false;
            break;
        }
    }
    if !bundled {
        // Empty files tell the server the IDE is missing; everything else works.
        for package in PACKAGES {
            for (_, file) in package.files {
                std::fs::write(out.join(file), b"").expect("OUT_DIR is writable");
            }
        }
    }
}

fn bundle(package: &Package, out: &Path) -> Result<(), String> {
    if package.files.iter().all(|(_, file)| out.join(file).metadata().is_ok_and(|m| m.len() > 0)) {
        return Ok(());
    }
    let tarball = read_tarball(package)?;
    let digest = base64::engine::general_purpose::STANDARD.encode(Sha512::digest(&tarball));
    if digest != package.sha512 {
        return Err(format!(
            "checksum mismatch: expected sha512-{}, got sha512-{digest}",
            package.sha512
        ));
    }
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tarball.as_slice()));
    let mut found = 0;
    for entry in archive.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path().map_err(|e| e.to_string())?.to_string_lossy().into_owned();
        if let Some((_, file)) = package.files.iter().find(|(inner, _)| *inner == path) {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
            std::fs::write(out.join(file), bytes).map_err(|e| e.to_string())?;
            found += 1;
        }
    }
    if found == package.files.len() {
        Ok(())
    } else {
        Err("the tarball lacks the expected files".to_owned())
    }
}

fn read_tarball(package: &Package) -> Result<Vec<u8>, String> {
    let file_name = format!("{}-{}.tgz", package.name, package.version);
    if let Some(dir) = std::env::var_os("ANNALS_GRAPHIQL_TARBALLS") {
        let path = Path::new(&dir).join(&file_name);
        println!("cargo:rerun-if-changed={}", path.display());
        return std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()));
    }
    // npm writes the tarball into a folder of the build's own, then the build reads it.
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?).join("npm-pack");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let spec = format!("{}@{}", package.name, package.version);
    let packed = std::process::Command::new("npm")
        .args(["pack", &spec, "--silent", "--pack-destination"])
        .arg(&out)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("npm is not available ({e})"))?;
    if !packed.status.success() {
        let stderr = String::from_utf8_lossy(&packed.stderr);
        return Err(format!("npm pack {spec} failed: {}", stderr.trim()));
    }
    let path = out.join(&file_name);
    std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
}
