// Drives tus-js-client against a live storagegw for e2e/tus_test.go.
// Settings come from the environment; the answer is one JSON line on
// stdout: {url, sent, filePath, ms}.
//
//   TUS_MODE       "full" (upload all), "interrupt" (abort once more than
//                  TUS_INTERRUPT_AFTER bytes were sent) or "resume" (continue
//                  TUS_URL with a new client)
//   TUS_ENDPOINT   e.g. http://127.0.0.1:8080/api/storage/tus/
//   TUS_TOKEN      the bearer token
//   TUS_FILE       the file to send
//   TUS_CHUNK      chunk size in bytes
//   TUS_METADATA   JSON object of Upload-Metadata
"use strict";
const fs = require("node:fs");
const tus = require("tus-js-client");

const env = process.env;
const mode = env.TUS_MODE || "full";
const data = fs.readFileSync(env.TUS_FILE);
const interruptAfter = Number(env.TUS_INTERRUPT_AFTER || 0);
const started = Date.now();
let sent = 0;

const upload = new tus.Upload(data, {
  endpoint: env.TUS_ENDPOINT,
  uploadUrl: mode === "resume" ? env.TUS_URL : null,
  chunkSize: Number(env.TUS_CHUNK),
  headers: { Authorization: "Bearer " + env.TUS_TOKEN },
  metadata: JSON.parse(env.TUS_METADATA || "{}"),
  retryDelays: mode === "resume" ? [0, 250, 500, 1000, 2000] : null,
  storeFingerprintForResuming: false,
  onProgress(bytesSent) {
    sent = Math.max(sent, bytesSent);
    if (mode === "interrupt" && bytesSent > interruptAfter) {
      upload.abort(false).then(() => done({ url: upload.url, sent }));
    }
  },
  onSuccess(payload) {
    const res = payload && payload.lastResponse;
    done({ url: upload.url, sent, filePath: res ? res.getHeader("Storage-File-Path") : null });
  },
  onError(err) {
    const res = err.originalResponse;
    process.stderr.write("tus error: " + err.message + "\n");
    done({ url: upload.url, sent, error: String(err.message), status: res ? res.getStatus() : 0,
      body: res ? res.getBody() : "" }, 2);
  },
});

let finished = false;
function done(out, code = 0) {
  if (finished) return;
  finished = true;
  out.ms = Date.now() - started;
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exitCode = code;
}

upload.start();
