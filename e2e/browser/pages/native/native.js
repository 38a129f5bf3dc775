// The page of the native browser flows (e2e/browser/native.cjs drives it):
// served from its own loopback origin, it calls the gateway on another one
// with a bearer token, through the developer guide's own examples
// (guide.js: the guide's ```ts blocks, bundled by the driver) and plain
// fetch(). Each flow returns what it saw, for the driver to check, and
// shows it on the page, for the screenshots.
import { uploadFile, signedUrl, uploadLargeFile, openQueue, enqueue, syncQueue } from "./guide.js";

document.getElementById("origin").textContent = location.origin;

const $ = (id) => document.getElementById(id);
const show = (id, v) => { $(id).textContent = JSON.stringify(v, null, 1); return v; };

async function sha256(data) {
  const buf = data instanceof ArrayBuffer ? data : await data.arrayBuffer();
  const d = await crypto.subtle.digest("SHA-256", buf);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function picked(id) {
  const f = $(id).files[0];
  if (!f) throw new Error(`no file picked in #${id}`);
  return f;
}

// error turns a rejection into something JSON can carry.
const error = (e) => ({ name: e?.name, message: String(e?.message ?? e), status: e?.status, code: e?.code });

// waitFor resolves with the first of the events an element fires.
const waitFor = (el, events, ms) => new Promise((resolve) => {
  const t = setTimeout(() => resolve("timeout"), ms);
  for (const ev of events) el.addEventListener(ev, () => { clearTimeout(t); resolve(ev); }, { once: true });
});

// 1. The picked file through the guide's uploadFile (XHR, progress events).
async function upload({ base, token, objectId }) {
  const file = picked("file");
  const progress = [];
  const t0 = performance.now();
  try {
    const record = await uploadFile(base, token, file, { system: "workspace", objectType: "doc", objectId },
      (f) => { progress.push(f); $("upload-progress").value = f; });
    return show("upload-out", { record, progress, sha256: await sha256(file), size: file.size, ms: Math.round(performance.now() - t0) });
  } catch (e) {
    return show("upload-out", { error: error(e), progress });
  }
}

// 2. A signed URL of the uploaded file, shown and fetched.
async function signed({ base, token, filePath }) {
  const out = {};
  try {
    const { url, expiresAt } = await signedUrl(base, token, filePath, "inline");
    out.url = url;
    out.expiresAt = expiresAt.toISOString();
    const img = $("img");
    const imgLoaded = waitFor(img, ["load", "error"], 15000);
    img.src = url;
    out.img = await imgLoaded;
    out.naturalWidth = img.naturalWidth;
    out.naturalHeight = img.naturalHeight;
    const frame = $("frame");
    const frameLoaded = waitFor(frame, ["load"], 15000);
    frame.src = url;
    out.iframe = await frameLoaded;
    const res = await fetch(url);
    const body = await res.arrayBuffer();
    out.fetch = { status: res.status, type: res.headers.get("Content-Type"), bytes: body.byteLength, sha256: await sha256(body) };
    // Byte ranges, as a player seeking or a resumed download asks: a
    // range from an offset, and the last bytes (a Range header no browser
    // sends without a preflight).
    out.ranges = [];
    for (const range of ["bytes=8-23", "bytes=-16"]) {
      try {
        const r = await fetch(url, { headers: { Range: range } });
        const b = new Uint8Array(await r.arrayBuffer());
        out.ranges.push({ range, status: r.status, contentRange: r.headers.get("Content-Range"), hex: [...b].map((x) => x.toString(16).padStart(2, "0")).join("") });
      } catch (e) {
        out.ranges.push({ range, error: error(e) });
      }
    }
  } catch (e) {
    out.error = error(e);
  }
  return show("signed-out", out);
}

// 3. The listing of a prefix, as a page reads it.
async function list({ base, token, prefix }) {
  try {
    const res = await fetch(`${base}/api/storage/files?prefix=${encodeURIComponent(prefix)}`,
      { headers: { Authorization: `Bearer ${token}` } });
    const body = await res.json();
    return show("list-out", { status: res.status, paths: (body.items ?? []).map((r) => r.file_path), error: body.error });
  } catch (e) {
    return show("list-out", { error: error(e) });
  }
}

// 4. Error answers read cross-origin: their code, message and X-Request-ID.
async function errors({ base, token, missingPath, objectId }) {
  const out = {};
  const read = async (res) => {
    const body = await res.json().catch(() => null);
    return { status: res.status, code: body?.error?.code, message: body?.error?.message, requestId: res.headers.get("X-Request-ID") };
  };
  try {
    out.notFound = await read(await fetch(`${base}/api/storage/metadata/${missingPath}`,
      { headers: { Authorization: `Bearer ${token}`, "X-Request-ID": "page-404-check" } }));
    out.badToken = await read(await fetch(`${base}/api/storage/files`, { headers: { Authorization: "Bearer not-a-token" } }));
  } catch (e) {
    out.error = error(e);
  }
  // The picked PNG where only PDFs go, through the guide's uploadFile.
  try {
    out.wrongType = { record: await uploadFile(base, token, picked("file"),
      { system: "workspace", objectType: "pdf", objectId }, () => {}) };
  } catch (e) {
    out.wrongType = error(e);
  }
  // The picked big file where the limit is 1 MiB: refused at once, while
  // the browser is still sending it; the page must read the 413 all the same.
  const t0 = performance.now();
  try {
    out.tooLarge = { record: await uploadFile(base, token, picked("big"),
      { system: "workspace", objectType: "sheet", objectId }, () => {}) };
  } catch (e) {
    out.tooLarge = error(e);
  }
  out.tooLarge.ms = Math.round(performance.now() - t0);
  return show("errors-out", out);
}

// 5. The picked big file through the guide's uploadLargeFile, then read back.
async function multipart({ base, token, objectId }) {
  const file = picked("big");
  const progress = [];
  const out = { size: file.size, progress };
  const t0 = performance.now();
  try {
    out.sha256 = await sha256(file);
    out.record = await uploadLargeFile(base, token, file, { system: "communications", objectType: "email-attachment", objectId },
      (f) => { progress.push(f); $("multipart-progress").value = f; });
    out.ms = Math.round(performance.now() - t0);
    const { url } = await signedUrl(base, token, out.record.file_path, "attachment");
    const res = await fetch(url);
    const body = await res.arrayBuffer();
    out.downloadURL = url;
    out.readBack = { status: res.status, disposition: res.headers.get("Content-Disposition"), bytes: body.byteLength, sha256: await sha256(body) };
  } catch (e) {
    out.error = error(e);
  }
  return show("multipart-out", out);
}

// 6. The guide's offline queue in this browser's IndexedDB: an upload
// queued and synced, then queued again under the same key, as when the
// first answer was lost: the second sync gets the first answer, replayed.
async function offline({ base, token, objectId }) {
  const out = {};
  try {
    const db = await openQueue(indexedDB, "storagegw-sync-e2e");
    const head = await picked("file").slice(0, 64 << 10).arrayBuffer();
    const key = await enqueue(db, "/api/storage/upload",
      { system: "workspace", object_type: "doc", object_id: objectId }, new File([head], "queued.png", { type: "image/png" }));
    const item = await new Promise((resolve, reject) => {
      const req = db.transaction("uploads").objectStore("uploads").get(key);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    out.key = key;
    out.first = await syncQueue(base, token, db);
    await new Promise((resolve, reject) => {
      const req = db.transaction("uploads", "readwrite").objectStore("uploads").put(item);
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
    });
    out.again = await syncQueue(base, token, db);
    out.left = await new Promise((resolve) => {
      const req = db.transaction("uploads").objectStore("uploads").count();
      req.onsuccess = () => resolve(req.result);
    });
    out.sha256 = await sha256(head);
  } catch (e) {
    out.error = error(e);
  }
  return show("offline-out", out);
}

// 7. HEAD, a soft DELETE with a JSON body, HEAD again, and a signed URL of
// the deleted file: the other methods a page sends, each with a preflight.
async function manage({ base, token, filePath }) {
  const out = {};
  const auth = { Authorization: `Bearer ${token}` };
  try {
    out.head = (await fetch(`${base}/api/storage/metadata/${filePath}`, { method: "HEAD", headers: auth })).status;
    const del = await fetch(`${base}/api/storage/delete`, { method: "DELETE",
      headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify({ file_path: filePath }) });
    out.delete = { status: del.status, record: await del.json() };
    out.headAfter = (await fetch(`${base}/api/storage/metadata/${filePath}`, { method: "HEAD", headers: auth })).status;
    try {
      out.signedAfter = await signedUrl(base, token, filePath);
    } catch (e) {
      out.signedAfter = error(e);
    }
  } catch (e) {
    out.error = error(e);
  }
  return show("manage-out", out);
}

// 8. A second upload while the org's one upload slot is taken (a gateway
// allowing one upload per org): 429 with Retry-After, read by the page.
async function busy({ base, token, objectId }) {
  const out = {};
  const form = (name, blob) => {
    const f = new FormData();
    f.append("system", "workspace");
    f.append("object_type", "doc");
    f.append("object_id", objectId);
    f.append("file", blob, name);
    return f;
  };
  const xhr = new XMLHttpRequest();
  const sending = new Promise((resolve) => { xhr.upload.onprogress = resolve; xhr.onerror = resolve; });
  xhr.open("POST", `${base}/api/storage/upload`);
  xhr.setRequestHeader("Authorization", `Bearer ${token}`);
  xhr.send(form("slow.png", picked("file")));
  try {
    await sending;
    await new Promise((r) => setTimeout(r, 300)); // the gateway has taken the slot
    const res = await fetch(`${base}/api/storage/upload`, { method: "POST",
      headers: { Authorization: `Bearer ${token}` }, body: form("second.png", picked("file").slice(0, 4096, "image/png")) });
    const body = await res.json().catch(() => null);
    out.second = { status: res.status, code: body?.error?.code, retryAfter: res.headers.get("Retry-After"),
      requestId: res.headers.get("X-Request-ID") };
  } catch (e) {
    out.error = error(e);
  }
  out.firstState = xhr.readyState; // still sending: not DONE (4)
  xhr.abort();
  return show("busy-out", out);
}

// 9. A call to a gateway whose CORS list lacks this origin: the browser
// must refuse the page the answer (fetch rejects with a TypeError).
async function blocked({ base, token }) {
  try {
    const res = await fetch(`${base}/api/storage/files`, { headers: { Authorization: `Bearer ${token}` } });
    return show("blocked-out", { status: res.status, readable: true });
  } catch (e) {
    return show("blocked-out", { error: error(e) });
  }
}

// 10. A presigned URL of a bucket whose CORS rule names another origin:
// <img> needs no CORS and shows it, fetch() is refused its answer.
async function foreignBucket({ url }) {
  const out = {};
  const img = $("foreign-img");
  const loaded = waitFor(img, ["load", "error"], 15000);
  img.src = url;
  out.img = await loaded;
  out.naturalWidth = img.naturalWidth;
  try {
    const res = await fetch(url);
    out.fetch = { status: res.status, readable: true };
  } catch (e) {
    out.fetch = { error: error(e) };
  }
  return show("foreign-out", out);
}

window.native = { upload, signed, list, errors, multipart, offline, manage, busy, blocked, foreignBucket };
window.nativeReady = true;
