// Runs the TypeScript examples of docs/DEVELOPER_GUIDE.md, compiled by
// scripts/doc-check.sh, against its live development instance:
//
//   node run.mjs GUIDE.js BASE_URL MEMBER_TOKEN
//
// shareNewest uses the generated client (clients/typescript) to list, read
// metadata and sign a URL.
// uploadLargeFile sends a file in parts (and resumes after parts fail),
// signedUrl hands out a URL that serves the same bytes. uploadFile needs
// XMLHttpRequest, which Node lacks: it is type-checked only. The offline
// queue (openQueue, enqueue, syncQueue) runs on fake-indexeddb, loaded from
// the packages of scripts/ts-examples installed at $STORAGEGW_TS_MODULES
// (doc-check.sh sets it). uploadResumable (TUS) runs with tus-js-client
// (pinned there too): its Node build reads Buffers and streams, not
// Files, and keeps no URLs, so the Upload class handed to the recipe adds
// a reader of Blobs, a fingerprint and a URL storage in memory (a
// browser's localStorage) and counts the bytes it sends. Exits non-zero
// with a message on the first check that fails.
import { createHash, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [guidePath, base, token] = process.argv.slice(2);
if (!guidePath || !base || !token) {
  console.error("usage: node run.mjs GUIDE.js BASE_URL MEMBER_TOKEN");
  process.exit(2);
}
const guide = await import(pathToFileURL(guidePath).href);

function check(cond, what) {
  if (!cond) throw new Error(`ts-examples: ${what}`);
}
const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
const target = { system: "communications", objectType: "email-attachment", objectId: "m-ts" };

// 1. A 34 MiB file in parts of the instance's part size (16 MiB: 3 parts).
const bytes = randomBytes(34 << 20);
const file = new File([bytes], "archive.bin", { type: "application/octet-stream" });
let last = 0;
const rec = await guide.uploadLargeFile(base, token, file, target, (f) => { last = f; });
check(rec.size_bytes === file.size, `uploadLargeFile: size_bytes ${rec.size_bytes}, want ${file.size}`);
check(rec.sha256 === sha256(bytes), "uploadLargeFile: the record's sha256 is not the file's");
check(last === 1, `uploadLargeFile: last progress ${last}, want 1`);
console.log(`ts-examples: uploadLargeFile stored ${rec.file_path} (${rec.size_bytes} bytes, sha256 matches)`);

// 1b. The generated client: the newest file under the prefix (the one just
// stored), its record by the metadata query form, a link serving its bytes.
const shared = await guide.shareNewest(base, token, "communications/email-attachment/m-ts/");
check(shared?.record.file_path === rec.file_path, `shareNewest: got ${shared?.record.file_path}, want ${rec.file_path}`);
const sharedBytes = Buffer.from(await (await fetch(shared.url)).arrayBuffer());
check(sha256(sharedBytes) === rec.sha256, "shareNewest: the link does not serve the file's bytes");
check((await guide.shareNewest(base, token, "communications/email-attachment/none/")) === undefined,
  "shareNewest of an empty prefix: want undefined");
console.log("ts-examples: the generated client listed, read the metadata of and shared the newest file");

// 2. The same target again without overwrite: 409 file_exists, before any part.
let refused;
try {
  await guide.uploadLargeFile(base, token, file, target, () => {});
} catch (e) {
  refused = e;
}
check(refused?.status === 409 && refused?.code === "file_exists",
  `uploadLargeFile again: got ${refused?.status} ${refused?.code}, want 409 file_exists`);

// 3. Resume: every PUT of part 2 fails (the example tries it 5 times, with
// its back-off: 15 s in all), the error carries the session; a second call
// with it sends part 2 only and completes.
// Part URLs are opaque (a sealed token on local disk, presigned on S3), so
// the part a PUT sends is read from the part URLs the service handed out.
const realFetch = globalThis.fetch;
const puts = [];
const partOf = new Map();
let failPart2 = true;
globalThis.fetch = async (url, init) => {
  if (init?.method === "PUT") {
    const part = partOf.get(String(url));
    puts.push(part);
    if (part === 2 && failPart2) throw new TypeError("fetch failed (simulated)");
  }
  const res = await realFetch(url, init);
  if (String(url).endsWith("/api/storage/multipart/parts") && res.ok) {
    for (const p of (await res.clone().json()).parts) partOf.set(p.url, p.part_number);
  }
  return res;
};
const other = { ...target, objectId: "m-ts-resume" };
let interrupted;
try {
  await guide.uploadLargeFile(base, token, file, other, () => {});
} catch (e) {
  interrupted = e;
}
check(interrupted?.resume?.session?.upload_id, `interrupted upload: got ${interrupted}, want an error with resume.session`);
check(interrupted.resume.done.size === 2 && !interrupted.resume.done.has(2),
  `interrupted upload: parts done ${[...interrupted.resume.done.keys()]}, want 1 and 3`);
failPart2 = false;
puts.length = 0;
const resumed = await guide.uploadLargeFile(base, token, file, other, () => {}, { resume: interrupted.resume });
globalThis.fetch = realFetch;
check(puts.length === 1 && puts[0] === 2, `resume sent parts ${puts}, want part 2 only`);
check(resumed.sha256 === sha256(bytes), "resumed upload: the record's sha256 is not the file's");
console.log(`ts-examples: an interrupted upload resumed with part 2 only (${resumed.file_path})`);

// 4. A signed URL for the file serves its bytes, as an attachment.
const { url, expiresAt } = await guide.signedUrl(base, token, rec.file_path, "attachment");
check(expiresAt instanceof Date && expiresAt.getTime() > Date.now(), `signedUrl: expiresAt ${expiresAt}`);
const res = await fetch(url);
check(res.status === 200, `signed URL: status ${res.status}, want 200`);
check((res.headers.get("content-disposition") ?? "").startsWith("attachment"),
  `signed URL: Content-Disposition ${res.headers.get("content-disposition")}, want attachment`);
check(sha256(Buffer.from(await res.arrayBuffer())) === sha256(bytes), "signed URL: the bytes differ from the upload");
let missing;
try {
  await guide.signedUrl(base, token, "org-1/communications/email-attachment/none/none.bin");
} catch (e) {
  missing = e;
}
check(missing?.status === 404 && missing?.code === "not_found", `signedUrl of no file: got ${missing?.status} ${missing?.code}, want 404 not_found`);
console.log("ts-examples: signedUrl served the same bytes; an unknown path is 404 not_found");

// 5. The offline queue: two items, the first one's answer lost on the way
// (the upload arrived, the client saw a network error); syncQueue retries
// it with its Idempotency-Key and gets the first answer, replayed. A third
// item onto an existing path is refused for good (409 file_exists) and
// leaves the queue too.
const modules = process.env.STORAGEGW_TS_MODULES;
check(modules, "STORAGEGW_TS_MODULES is not set (the installed packages of scripts/ts-examples)");
const fakeIDB = createRequire(`${modules}/`).resolve("fake-indexeddb");
const { indexedDB } = await import(pathToFileURL(fakeIDB).href);
const db = await guide.openQueue(indexedDB, "doc-check-" + Date.now());
const receiptBytes = Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n", "latin1");
const q1 = await guide.enqueue(db, "/api/storage/receipt-upload", { object_id: "q-" + Date.now() },
  new File([receiptBytes], "receipt.pdf", { type: "application/pdf" }));
const docFields = { system: "workspace", object_type: "pdf", object_id: "q-doc-" + Date.now() };
await guide.enqueue(db, "/api/storage/upload", docFields, new File([receiptBytes], "notes.pdf", { type: "application/pdf" }));
let lost = 0;
globalThis.fetch = async (url, init) => {
  const res = await realFetch(url, init);
  if (init?.headers?.["Idempotency-Key"] === q1 && lost++ === 0) {
    await res.arrayBuffer();
    throw new TypeError("fetch failed (simulated: the answer was lost)");
  }
  return res;
};
const synced = await guide.syncQueue(base, token, db, { baseDelayMs: 50 });
globalThis.fetch = realFetch;
check(synced.length === 2 && synced.every((r) => r.status === 201), `syncQueue: got ${JSON.stringify(synced)}, want two 201s`);
// Both items may be queued in the same millisecond: find them by key.
const [retried, fresh] = [synced.find((r) => r.key === q1), synced.find((r) => r.key !== q1)];
check(retried?.replayed && fresh && !fresh.replayed,
  `syncQueue: the retried item was ${retried?.replayed ? "" : "not "}replayed, want replayed (its first answer); the other ${fresh?.replayed ? "was" : "was not"}`);
await guide.enqueue(db, "/api/storage/upload", docFields, new File([receiptBytes], "notes.pdf", { type: "application/pdf" }));
const again = await guide.syncQueue(base, token, db, { baseDelayMs: 50 });
check(again.length === 1 && again[0].status === 409 && again[0].body?.error?.code === "file_exists",
  `syncQueue of an existing path: got ${JSON.stringify(again)}, want one 409 file_exists`);
check((await guide.syncQueue(base, token, db)).length === 0, "syncQueue: the queue is not empty after final answers");
console.log(`ts-examples: syncQueue sent 2 queued uploads, the lost answer replayed (${retried.body.file_path}); a refused item left the queue`);

// 6. TUS: uploadResumable sends 12 MiB in 5 MiB chunks; the network fails
// for good on the third chunk; a new client (a reload: the same URL
// storage) resumes from the stored URL, sending only what the service
// lacks, and the file's sha256 is the bytes'. The creation carried the
// item's Idempotency-Key.
const tus = await import(pathToFileURL(createRequire(`${modules}/`).resolve("tus-js-client")).href);
const blobReader = {
  openFile: (blob) => Promise.resolve({
    size: blob.size,
    slice: async (start, end) => {
      const value = Buffer.from(await blob.slice(start, Math.min(end, blob.size)).arrayBuffer());
      value.size = value.length; // tus-js-client reads a chunk's size as a Blob's
      return { value, done: end >= blob.size };
    },
    close() {},
  }),
};
const stored = new Map();
const urlStorage = {
  findAllUploads: async () => [...stored.values()],
  findUploadsByFingerprint: async (fp) => [...stored.values()].filter((u) => u.fp === fp),
  removeUpload: async (key) => { stored.delete(key); },
  addUpload: async (fp, upload) => { const key = `tus-${stored.size}`; stored.set(key, { ...upload, fp, urlStorageKey: key }); return key; },
};
const tusSent = { patches: 0, bytes: 0, failFrom: 0, keys: [] };
const nodeStack = new tus.DefaultHttpStack({});
const httpStack = {
  getName: () => "doc-check",
  createRequest(method, url) {
    const req = nodeStack.createRequest(method, url);
    const send = req.send.bind(req);
    req.send = async (body) => {
      if (method === "POST") tusSent.keys.push(req.getHeader("Idempotency-Key"));
      if (method === "PATCH") {
        tusSent.patches++;
        if (tusSent.failFrom && tusSent.patches >= tusSent.failFrom) throw new Error("network down (simulated)");
        tusSent.bytes += body?.length ?? 0;
      }
      return send(body);
    };
    return req;
  },
};
class NodeUpload extends tus.Upload {
  constructor(file, options) {
    super(file, { ...options, fileReader: blobReader, httpStack, urlStorage,
      fingerprint: async (f) => `doc-check-${f.name}-${f.size}`,
      retryDelays: tusSent.failFrom ? [] : options.retryDelays });
  }
}
const tusBytes = randomBytes(12 << 20);
tusBytes.write("%PDF-1.7\n", 0, "latin1");
const tusFile = new File([tusBytes], `resumable-${Date.now()}.pdf`, { type: "application/pdf" });
const tusTarget = { system: "workspace", objectType: "pdf", objectId: "tus-ts" };
const tusKey = crypto.randomUUID();
tusSent.failFrom = 3;
let cut;
try {
  await guide.uploadResumable(NodeUpload, base, token, tusFile, tusKey, tusTarget, () => {});
} catch (e) {
  cut = e;
}
check(cut && tusSent.bytes === 10 << 20, `uploadResumable cut on the third chunk: got ${cut}, ${tusSent.bytes} bytes sent, want an error after 10 MiB`);
check(tusSent.keys.length === 1 && tusSent.keys[0] === tusKey, `TUS creation: Idempotency-Key ${tusSent.keys}, want ${tusKey}`);
tusSent.failFrom = 0;
tusSent.bytes = 0;
let fraction = 0;
const tusPath = await guide.uploadResumable(NodeUpload, base, token, tusFile, tusKey, tusTarget, (f) => { fraction = f; });
check(tusPath === `org-1/workspace/pdf/tus-ts/${tusFile.name}`, `uploadResumable: Storage-File-Path ${tusPath}`);
check(tusSent.keys.length === 1, `resumed upload: ${tusSent.keys.length} creations, want 1 (it resumed from the stored URL)`);
check(tusSent.bytes === 2 << 20, `resumed upload: sent ${tusSent.bytes} bytes again, want the 2 MiB the service lacked`);
check(fraction === 1, `uploadResumable: last progress ${fraction}, want 1`);
const meta = await (await fetch(`${base}/api/storage/metadata/${tusPath}`, { headers: { Authorization: `Bearer ${token}` } })).json();
check(meta.sha256 === sha256(tusBytes) && meta.size_bytes === tusFile.size, `TUS upload: record ${JSON.stringify(meta)}, want sha256 of the bytes`);
console.log(`ts-examples: uploadResumable was cut after 10 MiB of 12, a new client resumed from the stored URL sending 2 MiB (${tusPath}, sha256 matches)`);
