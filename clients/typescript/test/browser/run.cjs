// Runs the page of TestTypeScriptClientInBrowser in Chromium:
//   NODE_PATH=<e2e/browser's node_modules> CHROMIUM=... node run.cjs LAUNCH_CJS PAGE_DIR PAGE_ORIGIN BASE_URL TOKEN
// bundles page.ts into PAGE_DIR (served at PAGE_ORIGIN), opens it, calls
// runUpload and prints its result as JSON.
"use strict";
const { writeFileSync } = require("node:fs");
const { join } = require("node:path");

async function main() {
  const [launchCjs, dir, origin, baseUrl, token] = process.argv.slice(2);
  const { launch, bundle } = require(launchCjs);
  await bundle(join(__dirname, "page.ts"), join(dir, "page.js"));
  writeFileSync(join(dir, "index.html"), '<!doctype html><meta charset="utf-8"><script type="module" src="page.js"></script>\n');
  const { context, close } = await launch();
  try {
    const page = await context.newPage();
    await page.goto(origin + "/index.html");
    await page.waitForFunction(() => typeof window.runUpload === "function");
    const result = await page.evaluate(([b, t]) => window.runUpload(b, t), [baseUrl, token]);
    process.stdout.write(JSON.stringify(result) + "\n");
  } finally {
    await close();
  }
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
