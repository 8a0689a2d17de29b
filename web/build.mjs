// Builds the explorer into <outdir> (default dist): app.js, app.css,
// countries.json and index.html. Before bundling it checks every GraphQL
// operation and hard-coded enum list against ../schema.graphql, the schema
// the server serves, and fails the build on any mismatch.
//
// Usage (from web/): node build.mjs <outdir>

import { build } from "esbuild";
import { buildSchema, parse, validate, GraphQLEnumType } from "graphql";
import { mkdirSync, readFileSync, writeFileSync, copyFileSync, readdirSync, statSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] || "dist");

function fail(message) {
  console.error(`build failed: ${message}`);
  process.exit(1);
}

async function checkAgainstSchema() {
  const sdl = readFileSync(join(here, "..", "schema.graphql"), "utf8");
  // The served schema spells out the built-in directives, which graphql-js
  // would refuse as redefinitions; the SDL itself is the server's, so trust it.
  const schema = buildSchema(sdl, { assumeValidSDL: true });
  const { ALL_OPERATIONS } = await import("./src/queries.js");
  const { CHECKED_ENUMS, CHECKED_LABELS } = await import("./src/enums.js");

  const problems = [];
  for (const [name, text] of Object.entries(ALL_OPERATIONS)) {
    let doc;
    try {
      doc = parse(text);
    } catch (err) {
      problems.push(`operation ${name}: syntax error: ${err.message}`);
      continue;
    }
    for (const err of validate(schema, doc)) {
      problems.push(`operation ${name}: ${err.message}`);
    }
  }

  const schemaValues = (enumName) => {
    const type = schema.getType(enumName);
    if (!(type instanceof GraphQLEnumType)) return null;
    return type.getValues().map((v) => v.name);
  };
  for (const [enumName, values] of Object.entries(CHECKED_ENUMS)) {
    const expected = schemaValues(enumName);
    if (!expected) {
      problems.push(`enum ${enumName}: not in the schema`);
    } else if (JSON.stringify([...values]) !== JSON.stringify(expected)) {
      problems.push(`enum ${enumName}: page has [${values.join(", ")}], schema has [${expected.join(", ")}]`);
    }
  }
  for (const [enumName, labels] of Object.entries(CHECKED_LABELS)) {
    const expected = schemaValues(enumName) || [];
    const missing = expected.filter((v) => !(v in labels));
    const extra = Object.keys(labels).filter((v) => !expected.includes(v));
    if (missing.length || extra.length) {
      problems.push(`labels of ${enumName}: missing [${missing.join(", ")}], unknown [${extra.join(", ")}]`);
    }
  }
  if (problems.length) fail(`the page does not match ../schema.graphql:\n  ${problems.join("\n  ")}`);
  console.log(`checked ${Object.keys(ALL_OPERATIONS).length} operations and ${Object.keys(CHECKED_ENUMS).length} enums against schema.graphql`);
}

function checkIndexHtml(html) {
  // The server's CSP allows no inline script or style, so catch them here
  // rather than as a blank page.
  if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) fail("index.html has an inline <script>");
  if (/<style[\s>]/i.test(html)) fail("index.html has an inline <style>");
  if (/\sstyle\s*=/i.test(html)) fail('index.html has a style="" attribute');
  for (const m of html.matchAll(/<(?:link|script|img)\b[^>]*\s(?:src|href)\s*=\s*"([^"]*)"/gi)) {
    if (!m[1].startsWith("%BASE%/")) {
      fail(`index.html refers to ${m[1]}: assets must be referenced through %BASE%/`);
    }
  }
}

async function main() {
  await checkAgainstSchema();

  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });

  await build({
    entryPoints: { app: join(here, "src", "main.jsx"), style: join(here, "src", "app.css") },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2020",
    outdir,
    entryNames: "[name]",
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none",
    logLevel: "warning",
  }).catch(() => fail("esbuild reported errors (above)"));
  // esbuild names a CSS entry after itself; the server contract says app.css.
  copyFileSync(join(outdir, "style.css"), join(outdir, "app.css"));
  rmSync(join(outdir, "style.css"));
  rmSync(join(outdir, "style.js"), { force: true });

  // The TopoJSON as published (much smaller than GeoJSON); the page turns it
  // into features with topojson-client when the map first draws.
  const atlas = JSON.parse(readFileSync(join(here, "node_modules", "world-atlas", "countries-110m.json"), "utf8"));
  writeFileSync(join(outdir, "countries.json"), JSON.stringify(atlas));

  // Small files served as they are (the favicon: without one the browser's
  // request for /favicon.ico would log a 404 on every visit).
  for (const name of readdirSync(join(here, "static"))) copyFileSync(join(here, "static", name), join(outdir, name));

  const html = readFileSync(join(here, "index.html"), "utf8");
  checkIndexHtml(html);
  writeFileSync(join(outdir, "index.html"), html);

  let raw = 0;
  let gz = 0;
  const rows = [];
  for (const name of readdirSync(outdir).sort()) {
    const bytes = readFileSync(join(outdir, name));
    const size = statSync(join(outdir, name)).size;
    const gzip = gzipSync(bytes, { level: 9 }).length;
    raw += size;
    gz += gzip;
    rows.push([name, size, gzip]);
  }
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(11);
  console.log(`${"file".padEnd(16)}${"raw".padStart(11)}${"gzip".padStart(11)}`);
  for (const [name, size, gzip] of rows) console.log(`${name.padEnd(16)}${kb(size)}${kb(gzip)}`);
  console.log(`${"total".padEnd(16)}${kb(raw)}${kb(gz)}`);
  // Everything in outdir is what a first visit loads.
  if (gz > 1024 * 1024) fail(`a first visit would load ${gz} bytes compressed, over the 1 MB budget`);
  console.log(`built into ${outdir}`);
}

main().catch((err) => fail(err.stack || String(err)));
