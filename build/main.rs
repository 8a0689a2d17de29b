//! The build script: puts the browser pages' assets into `OUT_DIR` so that the binary serves
//! them itself and a browser needs no internet access. Third-party code comes only through
//! npm's own client, pinned by version and integrity; without npm the build still succeeds and
//! the pages say what is missing.

mod explorer;
mod graphiql;

fn main() {
    println!("cargo:rerun-if-changed=build");
    graphiql::bundle_all();
    explorer::build();
}
