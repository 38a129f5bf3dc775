// Drives the native browser flows (TestBrowser in e2e/browser_test.go):
// headless Chromium opens pages/native, served by the test from another
// loopback origin than the gateway's, and runs each flow there: an XHR
// upload with progress, a signed URL in <img>, <iframe>, fetch() (whole
// and byte ranges) and <a download>, the listing, error answers (401,
// 404, 413, 415, 429), the developer guide's multipart upload and offline
// queue, HEAD and DELETE, and the refusals the browser must make (a
// gateway that does not allow the page's origin; on S3, a bucket whose
// CORS rule names another origin). The guide's flows are its own ```ts
// blocks (docs/DEVELOPER_GUIDE.md), bundled into
// the page as guide.js. A screenshot of each flow's section as it ended,
// and of the whole page at the end, go to the artefacts directory. Prints one JSON result on stdout:
//
//   node native.cjs CONFIG.json
//
// CONFIG: {pageDir, origin, base, token, busyBase, busyToken,
// blockedBase, org, store, image, big, artifacts, foreignURL}: pageDir is
// the served copy of pages/native (guide.js is written there), origin its
// URL, base the gateway's, busyBase a gateway allowing one upload per org,
// blockedBase one that allows another origin, image and big the files to
// pick, foreignURL (S3 only) a presigned URL of a bucket whose CORS rule
// names another origin.
"use strict";
const { cpSync, readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { createHash } = require("node:crypto");
const { launch, bundle } = require("./launch.cjs");

// guideModule writes the developer guide's ```ts blocks, in order, as one
// module (as scripts/doc-check.sh compiles them) and bundles it for the page.
// The guide imports the repository's client as ./storagegw-client/ (its
// openapi-fetch comes from NODE_PATH), as the doc check lays it out.
async function guideModule(pageDir) {
  cpSync(join(__dirname, "..", "..", "clients", "typescript", "src"), join(pageDir, "storagegw-client"), { recursive: true });
  const guide = readFileSync(join(__dirname, "..", "..", "docs", "DEVELOPER_GUIDE.md"), "utf8");
  const blocks = [...guide.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  if (blocks.length === 0) throw new Error("docs/DEVELOPER_GUIDE.md has no ```ts blocks");
  writeFileSync(join(pageDir, "guide.ts"), blocks.join("\n"));
  await bundle(join(pageDir, "guide.ts"), join(pageDir, "guide.js"));
}

const stepTimeout = 60000;

async function main() {
  const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
  const t0 = Date.now();
  const result = { store: cfg.store, steps: {}, timings: {}, console: [] };
  await guideModule(cfg.pageDir);
  result.timings.bundle = Date.now() - t0;

  const browser = await launch();
  result.timings.launch = Date.now() - t0 - result.timings.bundle;
  try {
    const page = await browser.context.newPage();
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") result.console.push(m.text()); });
    page.on("pageerror", (e) => result.console.push(`pageerror: ${e.message}`));
    await page.goto(`${cfg.origin}/index.html`);
    await page.waitForFunction(() => window.nativeReady === true, null, { timeout: 10000 });
    result.userAgent = await page.evaluate(() => navigator.userAgent);
    let n = 0;
    // step runs one flow of the page, at most a minute: a flow that hangs
    // fails the run with its name and a screenshot of where it stopped.
    const step = async (name, fn, arg) => {
      const s = Date.now();
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`step ${name}: no answer from the page within 60 s`)), stepTimeout);
      });
      try {
        result.steps[name] = await Promise.race([page.evaluate(([f, a]) => window.native[f](a), [fn, arg]), timeout]);
      } catch (e) {
        await page.screenshot({ path: join(cfg.artifacts, `${++n}-${name}-FAILED.png`), fullPage: true }).catch(() => {});
        throw e;
      } finally {
        clearTimeout(timer);
      }
      result.timings[name] = Date.now() - s;
      const shot = Date.now();
      await page.locator(`#s-${name}`).screenshot({ path: join(cfg.artifacts, `${++n}-${name}.png`) });
      result.timings.screenshots = (result.timings.screenshots ?? 0) + Date.now() - shot;
      return result.steps[name];
    };
    const base = cfg.base, token = cfg.token;

    // The XHR upload over a link of 8 MiB/s up (DevTools' network
    // throttling), as from a user's machine rather than over loopback, so
    // that its progress events are several whatever the machine's speed.
    const cdp = await browser.context.newCDPSession(page);
    const link = (up) => cdp.send("Network.emulateNetworkConditions",
      { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: up });
    await cdp.send("Network.enable");
    await page.setInputFiles("#file", cfg.image);
    await link(8 << 20);
    const up = await step("upload", "upload", { base, token, objectId: `browser-${cfg.store}` });
    await link(-1);
    const filePath = up.record?.file_path ?? "";
    const signed = await step("signed", "signed", { base, token, filePath });
    // What the <iframe> shows: its document, cross-origin, read through
    // the browser (a refused frame is an error page, not the image).
    const frame = page.frames().find((f) => f !== page.mainFrame());
    if (frame) {
      signed.frame = { url: frame.url(), ...await frame.evaluate(() => {
        const img = document.querySelector("img");
        return { contentType: document.contentType, naturalWidth: img ? img.naturalWidth : 0 };
      }).catch((e) => ({ error: String(e) })) };
    }
    await step("list", "list", { base, token, prefix: `workspace/doc/browser-${cfg.store}/` });
    await page.setInputFiles("#big", cfg.big);
    // Refused uploads over a slower link (2 MiB/s): the gateway answers
    // 413/415 while the browser is still sending, and the page must read
    // the answer, not a reset connection.
    await link(2 << 20);
    await step("errors", "errors", { base, token, objectId: `browser-${cfg.store}-pdf`,
      missingPath: `${cfg.org}/workspace/doc/browser-${cfg.store}/no-such-file.png` });
    await link(-1);
    const mp = await step("multipart", "multipart", { base, token, objectId: `browser-mp-${cfg.store}` });
    const queued = await step("offline", "offline", { base, token, objectId: `browser-queue-${cfg.store}` });
    await step("manage", "manage", { base, token, filePath: queued.first?.[0]?.body?.file_path ?? "" });
    // A click on <a download> of the signed attachment URL: a download,
    // named by the gateway's Content-Disposition.
    if (mp.downloadURL) {
      await page.evaluate((u) => { document.getElementById("download").href = u; }, mp.downloadURL);
      const s = Date.now();
      const [download] = await Promise.all([page.waitForEvent("download", { timeout: 15000 }), page.click("#download")]);
      const saved = await download.path();
      result.steps.download = { filename: download.suggestedFilename(), failure: await download.failure(),
        sha256: createHash("sha256").update(readFileSync(saved)).digest("hex") };
      result.timings.download = Date.now() - s;
    }
    // The slow upload holding the slot goes at 1 MiB/s.
    await link(1 << 20);
    await step("busy", "busy", { base: cfg.busyBase, token: cfg.busyToken, objectId: `browser-busy-${cfg.store}` });
    await link(-1);
    await step("blocked", "blocked", { base: cfg.blockedBase, token });
    if (cfg.foreignURL) await step("foreign", "foreignBucket", { url: cfg.foreignURL });
    await page.screenshot({ path: join(cfg.artifacts, `${++n}-page.png`), fullPage: true });
  } finally {
    await browser.close();
  }
  result.timings.total = Date.now() - t0;
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((e) => {
  process.stderr.write(`native.cjs: ${e.stack || e}\n`);
  process.exit(1);
});
