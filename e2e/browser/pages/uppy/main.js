// The page of the Uppy browser tests (e2e/uppy_test.go, driven by
// e2e/browser/uppy.cjs): Uppy configured for the gateway as the developer
// guide says, with Golden Retriever, so that a reload resumes. The query
// picks the uploader:
//
//   ?plugin=aws-s3&endpoint=<capability endpoint>
//   ?plugin=tus&endpoint=<gateway>/api/storage/tus/&token=<bearer>&object_id=<id>
//
// and id, the Uppy instance's id (Golden Retriever's store). A file picked
// in #file is added to Uppy; the driver starts, cancels and reloads, and
// reads window.uppyTest.
import Uppy, { debugLogger } from "@uppy/core";
import AwsS3 from "@uppy/aws-s3";
import Tus from "@uppy/tus";
import GoldenRetriever from "@uppy/golden-retriever";

const q = new URLSearchParams(location.search);
const plugin = q.get("plugin");
const test = { plugin, restored: 0, started: 0, ms: 0, success: null, errors: [], progress: 0 };
window.uppyTest = test;

const $ = (sel) => document.querySelector(sel);
function show(status) {
  $("#status").textContent = status;
}
function log(line) {
  $("#log").textContent += line + "\n";
}

const uppy = new Uppy({
  id: q.get("id") || "storagegw",
  ...(q.get("debug") ? { logger: debugLogger } : {}),
  // TUS: the target rides in Upload-Metadata (Uppy adds filename).
  meta: plugin === "tus" ? { system: "workspace", object_type: "doc", object_id: q.get("object_id") } : {},
  // The gateway needs each file's size when the upload starts.
  onBeforeFileAdded: (file) => ({ ...file, meta: { ...file.meta, size: file.size } }),
});
window.uppy = uppy;

if (plugin === "aws-s3") {
  uppy.use(AwsS3, {
    companionEndpoint: q.get("endpoint"),
    shouldUseMultipart: (file) => file.size > 16 * 1024 * 1024,
  });
} else if (plugin === "tus") {
  uppy.use(Tus, {
    endpoint: q.get("endpoint"),
    headers: { Authorization: `Bearer ${q.get("token")}` },
    chunkSize: 5 * 1024 * 1024,
    retryDelays: [0, 1000, 3000],
  });
} else {
  throw new Error(`unknown plugin ${plugin}`);
}
// Golden Retriever keeps the state in IndexedDB and, with its service
// worker, the files' blobs (the page's sw.js).
await navigator.serviceWorker.register("sw.js");
uppy.use(GoldenRetriever, { serviceWorker: true });
$("#plugin").textContent = plugin === "tus" ? "@uppy/tus" : "@uppy/aws-s3";

uppy.on("upload", () => {
  test.started = performance.now();
  show("uploading");
});
uppy.on("progress", (percent) => {
  test.progress = percent;
  $("#bar > div").style.width = `${percent}%`;
});
uppy.on("upload-success", (file, response) => {
  test.ms = performance.now() - test.started;
  // @uppy/aws-s3 reports the file path as body.key; @uppy/tus hands over
  // the last PATCH's XMLHttpRequest, whose Storage-File-Path names it.
  const key = response.body?.key ?? response.body?.xhr?.getResponseHeader("Storage-File-Path") ?? null;
  test.success = { name: file.name, size: file.size, key, uploadURL: response.uploadURL ?? null };
  show(`uploaded ${file.name} (${file.size} bytes) in ${Math.round(test.ms)} ms`);
  log(`success: ${JSON.stringify(test.success)}`);
});
uppy.on("upload-error", (file, err) => {
  test.errors.push(String(err?.message ?? err));
  show(`error: ${err?.message ?? err}`);
  log(`error: ${err?.stack ?? err}`);
});
uppy.on("cancel-all", () => {
  show("cancelled");
  log("cancel-all");
});
// Golden Retriever restored the files of an upload a reload cut short:
// carry on, as the Dashboard does when its user confirms.
uppy.on("restored", () => {
  const files = uppy.getFiles();
  if (files.length === 0) return;
  test.restored = files.length;
  test.started = performance.now();
  log(`restored ${files.map((f) => `${f.name}: ${f.progress.bytesUploaded} bytes`).join(", ")}`);
  show("resuming");
  uppy.emit("restore-confirmed");
});

$("#file").addEventListener("change", (ev) => {
  for (const file of ev.target.files) {
    uppy.addFile({ name: file.name, type: file.type, data: file, source: "file input" });
  }
  ev.target.value = "";
});
test.ready = true;
show("ready");
