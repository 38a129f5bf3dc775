// Drives Uppy (pages/uppy) in Chromium against a live storagegw for
// e2e/uppy_test.go. One flow per run; its settings are one JSON argument:
//
//   flow        "upload" (upload file), "resume" (reload the page once
//               reloadAfter part PUTs or TUS PATCHes have finished; Golden
//               Retriever restores the file and the upload goes on) or
//               "cancel" (cancel once one part is up, wait for the abort,
//               then upload again, a file of the same name)
//   dir         the page server's directory: the page is copied and
//               bundled there
//   url         the page's URL on the page server, query included
//   file        the file to upload (given to the page's file input)
//   again       "cancel": the file uploaded after the cancel
//   reloadAfter "resume": how many parts before the reload
//   hold        "resume": reload with the next part's PUT held in the
//               browser, not cut off on the way (versitygw stores a part
//               whose PUT was cut short as whole)
//   throttle    if set, the upload bandwidth in bytes/s (Chromium's network
//               emulation)
//   shots       where screenshots go
//
// The answer is one JSON line on stdout: the page's window.uppyTest at
// the end (success, ms, errors, restored), and what went over the wire:
// requests[] {phase, method, kind, part, offset, status} with
// phase "before" or "after" the reload (or the cancel), and for the
// reload partsBefore (part PUTs or PATCHes answered 2xx before it) and
// inFlight (those sent before it and not answered so).
"use strict";
const { copyFileSync } = require("node:fs");
const { join } = require("node:path");
const { launch, bundle } = require("./launch.cjs");

const opts = JSON.parse(process.argv[2]);
const timeout = Number(process.env.UPPY_TIMEOUT || 120_000);

// within is promise, or a failure naming what did not happen in time.
function within(promise, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${timeout} ms`)), timeout);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
const pages = join(__dirname, "pages", "uppy");

// kind names a request of the upload: the S3 part PUT, the Companion
// calls, the TUS calls.
function kind(req) {
  const u = new URL(req.url());
  const m = req.method();
  if (m === "PUT") return { kind: "part" };
  if (m === "PATCH") return { kind: "patch", offset: Number(req.headers()["upload-offset"]) };
  let r = u.pathname.match(/\/s3\/multipart\/[^/]+\/(\d+)$/);
  if (r && m === "GET") return { kind: "sign", part: Number(r[1]) };
  if (/\/s3\/multipart\/[^/]+$/.test(u.pathname)) return { kind: m === "GET" ? "list" : m === "DELETE" ? "abort" : m };
  if (/\/s3\/multipart\/[^/]+\/complete$/.test(u.pathname)) return { kind: "complete" };
  if (/\/s3\/multipart$/.test(u.pathname)) return { kind: "create" };
  if (/\/s3\/(params|upload)$/.test(u.pathname)) return { kind: u.pathname.endsWith("params") ? "params" : "form" };
  if (u.pathname.includes("/api/storage/tus/")) return { kind: "tus-" + m.toLowerCase() };
  return null;
}

async function main() {
  copyFileSync(join(pages, "index.html"), join(opts.dir, "index.html"));
  await bundle(join(pages, "main.js"), join(opts.dir, "uppy.js"));
  await bundle(join(pages, "sw.js"), join(opts.dir, "sw.js"));

  const browser = await launch();
  const out = { requests: [] };
  try {
    const page = await browser.context.newPage();
    page.on("console", (msg) => process.stderr.write(`page ${msg.type()}: ${msg.text()}\n`));
    if (opts.throttle) {
      // A slower link (bytes/s up): a reload lands mid-upload, once Golden
      // Retriever has saved the upload's state (it saves at most every
      // 500 ms).
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.emulateNetworkConditions",
        { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: opts.throttle });
    }
    page.on("pageerror", (err) => process.stderr.write(`page error: ${err.stack || err}\n`));

    let phase = "before";
    // The phase turns at the reload's own request: the browser reports
    // requests in the order it sends them, so a part sent just before
    // the reload is reported before it.
    let reloading = false;
    let partsDone = 0;
    let onPart = () => {};
    const seen = new Map();
    page.on("request", (req) => {
      if (reloading && req.isNavigationRequest() && req.frame() === page.mainFrame()) {
        phase = "after";
        reloading = false;
      }
      const k = kind(req);
      if (!k) return;
      const rec = { phase, method: req.method(), ...k, status: 0 };
      seen.set(req, rec);
      out.requests.push(rec);
    });
    const finished = async (req, failed) => {
      const rec = seen.get(req);
      if (!rec) return;
      if (failed) {
        rec.failed = req.failure()?.errorText ?? "failed";
        return;
      }
      const res = await req.response();
      rec.status = res ? res.status() : 0;
      if (rec.kind === "create" && res) rec.body = await res.json().catch(() => null);
      if ((rec.kind === "part" || rec.kind === "patch") && rec.status >= 200 && rec.status < 300 && rec.phase === "before") {
        partsDone++;
        onPart(partsDone);
      }
    };
    page.on("requestfinished", (req) => finished(req, false));
    page.on("requestfailed", (req) => finished(req, true));

    const state = () => page.evaluate(() => window.uppyTest);
    const settled = async () => {
      await page.waitForFunction(() => window.uppyTest && (window.uppyTest.success || window.uppyTest.errors.length > 0),
        null, { timeout, polling: 50 });
    };
    const shot = (name) => page.screenshot({ path: join(opts.shots, name), fullPage: true });
    const start = async (file) => {
      await page.waitForFunction(() => window.uppyTest && window.uppyTest.ready);
      await page.setInputFiles("#file", file);
      await page.evaluate(() => { window.uppy.upload(); });
    };

    await page.goto(opts.url);
    if (opts.flow === "upload") {
      await start(opts.file);
      await settled();
      await shot("uploaded.png");
    } else if (opts.flow === "resume") {
      const reached = new Promise((resolve) => {
        onPart = (n) => { if (n >= opts.reloadAfter) resolve(); };
      });
      await start(opts.file);
      await within(reached, `${opts.reloadAfter} parts up`);
      if (opts.hold) {
        // Hold the next part in the browser (its PUT never leaves it) and
        // reload then: the store sees no part cut short.
        let held;
        const holding = new Promise((resolve) => { held = resolve; });
        await page.route("**/*", (route) => {
          if (phase === "before" && route.request().method() === "PUT") held();
          else route.continue();
        });
        await within(holding, "the next part held");
      }
      await shot("before-reload.png");
      reloading = true;
      await page.reload();
      if (opts.hold) await page.unrouteAll({ behavior: "ignoreErrors" });
      await settled();
      await shot("resumed.png");
      // What was up and what was on the way when the reload cut in.
      const sent = out.requests.filter((r) => r.phase === "before" && (r.kind === "part" || r.kind === "patch"));
      out.partsBefore = sent.filter((r) => r.status >= 200 && r.status < 300).length;
      out.inFlight = sent.length - out.partsBefore;
    } else if (opts.flow === "cancel") {
      const reached = new Promise((resolve) => { onPart = () => resolve(); });
      await start(opts.file);
      await within(reached, "a part up");
      phase = "after";
      const aborted = page.waitForResponse((res) => res.request().method() === "DELETE");
      await page.evaluate(() => window.uppy.cancelAll());
      out.abortStatus = (await within(aborted, "the abort")).status();
      await shot("cancelled.png");
      phase = "again";
      await start(opts.again);
      await settled();
      await shot("uploaded-again.png");
    } else {
      throw new Error(`unknown flow ${opts.flow}`);
    }
    Object.assign(out, await state());
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((err) => {
  process.stderr.write(`uppy.cjs: ${err.stack || err}\n`);
  process.exitCode = 1;
});
