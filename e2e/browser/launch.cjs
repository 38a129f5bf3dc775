// Shared by the browser tests' scripts (CommonJS, so NODE_PATH finds the
// packages that scripts/install-npm.sh installed): Chromium as the tests
// run it (headless, a fresh user-data-dir, no background networking: this
// machine's closed network refuses it) and pages bundled with esbuild.
"use strict";
const { mkdtempSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { chromium } = require("playwright-core");
const { build } = require("esbuild");

// launch starts Chromium ($CHROMIUM) with a fresh profile and returns its
// context and a close() that removes the profile.
async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "storagegw-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// bundle bundles a page's script (bare imports resolved from NODE_PATH)
// into outfile, an ES module a page loads with <script type="module">.
async function bundle(entry, outfile) {
  await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    outfile,
    nodePaths: (process.env.NODE_PATH || "").split(":").filter(Boolean),
    logLevel: "error",
  });
}

module.exports = { launch, bundle };
