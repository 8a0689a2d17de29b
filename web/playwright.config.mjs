import { defineConfig } from "@playwright/test";

// Runs against a server started by the caller (the Rust integration test,
// or a developer): ANNALS_URL is its base URL. Debian's chromium is used
// because browser downloads are not possible here.
export default defineConfig({
  testDir: "./tests",
  testMatch: /.*\.spec\.mjs$/,
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  outputDir: "test-results/artifacts",
  use: {
    baseURL: process.env.ANNALS_URL,
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
