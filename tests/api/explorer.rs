//! The explorer, the web page at `/`: how it is served (on every machine), and the page itself
//! driven in headless Chromium by its own Playwright tests (`web/tests/`) against the real
//! binary on both backends when `ANNALS_TEST_BROWSER=1`. CI sets that and installs Debian's
//! chromium; the page is built by npm during `cargo build` (see `build/explorer.rs`).

use crate::helpers::{spawn_app_with, Backend, Binary, DatabaseGuard, Template};
use crate::on_both_backends;
use annals::config::Profile;
use reqwest::header;
use std::path::Path;
use std::time::Duration;

fn browser_tests_required() -> bool {
    std::env::var("ANNALS_TEST_BROWSER").is_ok_and(|v| v == "1")
}

/// The versioned base path the page's HTML loads its assets from.
fn asset_base(html: &str) -> Option<String> {
    let start = html.find("/explorer/")?;
    let rest = &html[start..];
    let end = rest["/explorer/".len()..].find('/')? + "/explorer/".len();
    Some(rest[..end].to_owned())
}

#[tokio::test]
async fn the_page_is_served_with_a_strict_policy_and_assets_cached_under_their_version() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.profile = Profile::Production).await;
    let response = app.client.get(format!("{}/", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let policy = response.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
    let html = response.text().await.unwrap();
    let Some(base) = asset_base(&html) else {
        assert!(html.contains("explorer page is not available"), "neither page nor note: {html}");
        assert!(
            !browser_tests_required(),
            "ANNALS_TEST_BROWSER=1 but the page was not built: {html}"
        );
        eprintln!("this build has no explorer (no npm when it was compiled): asset checks skipped");
        return;
    };
    let port = app.address.rsplit(':').next().unwrap();
    for directive in [
        "default-src 'self'",
        "script-src 'self';",
        "style-src 'self';",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} missing from {policy}");
    }
    assert!(policy.contains(&format!("connect-src 'self' ws://127.0.0.1:{port}")), "{policy}");
    assert!(!html.contains("%BASE%"), "every placeholder is filled");
    assert!(!html.contains("<script>") && !html.contains("style=\""), "nothing inline: {html}");

    // The script, gzipped as the build stored it, cached for good under its version.
    let script = format!("{}{base}/app.js", app.address);
    let gzipped =
        app.client.get(&script).header(header::ACCEPT_ENCODING, "gzip").send().await.unwrap();
    assert_eq!(gzipped.status(), 200);
    assert_eq!(gzipped.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(gzipped.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert!(gzipped.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let compressed = gzipped.bytes().await.unwrap();
    let plain = app.client.get(&script).send().await.unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    let plain = plain.bytes().await.unwrap();
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&compressed[..]), &mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain, "the gzip copy is the same file");

    // Another version, an unknown file, or a way out of the folder: not found.
    for path in [
        "/explorer/0123456789ab/app.js",
        &format!("{base}/nope.js"),
        &format!("{base}/../Cargo.toml"),
    ] {
        let response = app.client.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn the_page_can_be_turned_off_or_read_from_a_folder() {
    let off = spawn_app_with(Backend::Sqlite, |s| s.explorer = false).await;
    let response = off.client.get(format!("{}/", off.address)).send().await.unwrap();
    assert_eq!(response.status(), 404);

    let dir = std::env::temp_dir().join(format!("annals-explorer-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("maps")).unwrap();
    std::fs::write(dir.join("index.html"), "<script src=\"%BASE%/app.js\"></script>").unwrap();
    std::fs::write(dir.join("app.js"), "console.log(1)").unwrap();
    std::fs::write(dir.join("maps/world.json"), "{}").unwrap();
    let folder = spawn_app_with(Backend::Sqlite, |s| s.explorer_dir = Some(dir.clone())).await;
    let get = |path: &str| folder.client.get(format!("{}{path}", folder.address)).send();
    let page = get("/").await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.text().await.unwrap(), "<script src=\"/explorer/dev/app.js\"></script>");
    let script = get("/explorer/dev/app.js").await.unwrap();
    assert_eq!(script.headers()[header::CACHE_CONTROL], "no-cache");
    assert_eq!(script.text().await.unwrap(), "console.log(1)");
    assert_eq!(get("/explorer/dev/maps/world.json").await.unwrap().status(), 200);
    for path in
        ["/explorer/dev/../Cargo.toml", "/explorer/dev/%2e%2e/Cargo.toml", "/explorer/v1/app.js"]
    {
        assert_eq!(get(path).await.unwrap().status(), 404, "{path}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

on_both_backends!(the_page_in_headless_chromium);

/// Two browsers at once on two cores would only make each slower.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `web/tests/` (Playwright, Debian's chromium) against the real binary in the production
/// profile (no introspection), on the bundled dataset; screenshots go to
/// `target/explorer-screenshots/<backend>/`.
async fn the_page_in_headless_chromium(backend: Backend) {
    if !browser_tests_required() {
        eprintln!("ANNALS_TEST_BROWSER is not 1: the browser tests are skipped");
        return;
    }
    let _one = ONE_BROWSER.lock().await;
    let name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    };
    let guard = DatabaseGuard::from_template(&backend, Template::Bundled).await;
    // Ten ranked matches a kind, fewer than the bundled events that hold "the": the page's
    // note on unranked matches is seen.
    let env =
        [("ANNALS_PROFILE", "production"), ("ANNALS_WORKERS", "2"), ("ANNALS_SEARCH_RANKED", "10")];
    let server = Binary::start(&guard.url, &env).await;
    let key = tokio::process::Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["keys", "create", "--name", "browser-test", "--role", "editor"])
        .env("DATABASE_URL", &guard.url)
        .output()
        .await
        .unwrap();
    assert!(key.status.success(), "{}", String::from_utf8_lossy(&key.stderr));
    let key = String::from_utf8(key.stdout).unwrap();
    let key = key.lines().last().unwrap().trim().to_owned();

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let screenshots = root.join("target/explorer-screenshots").join(name);
    let run = tokio::process::Command::new("npx")
        .args(["--no-install", "playwright", "test"])
        .current_dir(root.join("web"))
        .env("ANNALS_URL", server.address())
        .env("ANNALS_WRITE_KEY", &key)
        .env("ANNALS_BACKEND", name)
        .env("ANNALS_SCREENSHOTS", &screenshots)
        .env("CI", "1")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(600), run)
        .await
        .expect("the browser tests end within 10 minutes")
        .expect("npx runs (npm is installed: the page was built with it)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("--- web/tests on {name} ---\n{stdout}\n{stderr}");
    assert!(output.status.success(), "the browser tests failed on {name}");
    let log = server.log.lock().unwrap();
    let errors: Vec<_> = log.iter().filter(|line| line.contains("\"ERROR\"")).collect();
    assert!(errors.is_empty(), "the server logged errors while the page ran: {errors:#?}");
}
