// The TypeScript client against a live instance (run by e2e
// TestTypeScriptClient, compiled with tsc --strict):
//
//   node live.js BASE_URL MEMBER_TOKEN ADMIN_TOKEN FILE_PATH
//
// FILE_PATH is a file the test stored first. Each check prints "ok: ..."; a
// failed check throws, and the program exits non-zero.
import {
  createStoragegwClient, listVersions, multipartUpload, restoreVersion, signedUrl, StoragegwError,
} from "../src/index.js";

declare const process: { argv: string[]; exitCode?: number };

function check(cond: boolean, what: string, got?: unknown): void {
  if (!cond) throw new Error(`FAILED: ${what}${got === undefined ? "" : `: got ${JSON.stringify(got)}`}`);
  console.log(`ok: ${what}`);
}

async function sha256(b: Blob): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", await b.arrayBuffer());
  return [...new Uint8Array(d)].map((x) => x.toString(16).padStart(2, "0")).join("");
}

function png(n: number): Blob {
  const head = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00";
  const b = new Uint8Array(head.length + n);
  for (let i = 0; i < head.length; i++) b[i] = head.charCodeAt(i);
  for (let i = 0; i < n; i++) b[head.length + i] = (i * 7 + 3) & 0xff;
  return new Blob([b]);
}

async function main(): Promise<void> {
  const [baseUrl, memberToken, adminToken, filePath] = process.argv.slice(2);
  const api = createStoragegwClient({ baseUrl, token: memberToken });

  // List: the stored file is on the first page.
  const list = await api.GET("/api/storage/files", { params: { query: { limit: 100 } } });
  check(list.response.status === 200 && list.data !== undefined, "list answers 200", list.error);
  const listed = list.data!.items.find((r) => r.file_path === filePath);
  check(listed !== undefined, "list has the stored file", list.data!.items.map((r) => r.file_path));

  // Metadata by its path with slashes (the query form, which a generated
  // client can send), GET and HEAD.
  const meta = await api.GET("/api/storage/metadata", { params: { query: { file_path: filePath } } });
  check(meta.data?.file_path === filePath && meta.data.size_bytes === listed!.size_bytes, "metadata of a path with slashes", meta.error);
  const head = await api.HEAD("/api/storage/metadata", { params: { query: { file_path: filePath } } });
  check(head.response.status === 200, "HEAD metadata: 200", head.response.status);
  const missing = await api.GET("/api/storage/metadata", {
    params: { query: { file_path: filePath.replace(/[^/]+$/, "none.png") } },
  });
  // error is typed: its code is a union of the codes the operation
  // enumerates (a typo such as "notfound" would not compile).
  const code = missing.error?.error.code;
  check(missing.response.status === 404 && code === "not_found", "metadata of a missing file: 404 not_found", missing.error);

  // Signed URL: absolute, fetched without a token, the same bytes.
  const signed = await signedUrl(api, baseUrl, filePath, { expiresIn: 120, disposition: "attachment" });
  check(signed.expires_in === 120 && signed.url.startsWith("http"), "signed URL issued", signed);
  const blob = await fetch(signed.url);
  const body = await blob.blob();
  check(blob.status === 200 && body.size === listed!.size_bytes, "signed URL serves the file", [blob.status, body.size]);
  check((await sha256(body)) === listed!.sha256, "signed URL's bytes have the record's sha256");
  check(blob.headers.get("Content-Type") === listed!.content_type, "served with the recorded content type",
    blob.headers.get("Content-Type"));

  // Delete, then it is gone.
  const del = await api.DELETE("/api/storage/delete", { body: { file_path: filePath } });
  check(del.response.status === 200, "delete: 200", del.error);
  const after = await api.GET("/api/storage/metadata", { params: { query: { file_path: filePath } } });
  check(after.response.status === 404, "metadata after delete: 404", after.response.status);
  // The helpers throw typed errors: a signed URL of a deleted file.
  const refused = await signedUrl(api, baseUrl, filePath).then(() => undefined, (e: unknown) => e);
  check(refused instanceof StoragegwError && refused.status === 404 && refused.code === "not_found",
    "signedUrl of a deleted file throws StoragegwError 404 not_found", String(refused));

  // Multipart with resume: the first call fails on its second part PUT;
  // the resumed call sends only the parts the service does not hold.
  const partSize = 5 << 20;
  const file = png(2 * partSize + (1 << 20) - 25); // three parts: 5 MiB, 5 MiB, 1 MiB
  const target = { system: "workspace", object_type: "doc", object_id: "ts-client", filename: "big.png" } as const;
  let uploadId: string | undefined;
  let puts = 0;
  const failing: typeof fetch = async (input, init) => {
    if (++puts === 2) throw new Error("network down (simulated)");
    return fetch(input, init);
  };
  const first = await multipartUpload(api, file, target, {
    baseUrl, concurrency: 1, fetch: failing, onSession: (s) => (uploadId = s.upload_id),
  }).then(() => undefined, (e: unknown) => e);
  check(first instanceof Error && uploadId !== undefined, "the first multipart call is interrupted", String(first));
  const parts = await api.GET("/api/storage/multipart/uploaded-parts", { params: { query: { upload_id: uploadId! } } });
  check(parts.data?.part_count === 3 && parts.data.parts.length === 1 && parts.data.parts[0].part_number === 1,
    "the service holds part 1 of 3", parts.data ?? parts.error);

  let resumedPuts = 0;
  const counting: typeof fetch = async (input, init) => {
    resumedPuts++;
    return fetch(input, init);
  };
  const progress: number[] = [];
  const done = await multipartUpload(api, file, target, {
    baseUrl, uploadId, fetch: counting, onPart: (_n, held) => progress.push(held),
  });
  check(done.uploadId === uploadId, "resumed the same session");
  check(JSON.stringify(done.sentParts) === "[2,3]" && resumedPuts === 2, "the resume sent only parts 2 and 3",
    { sent: done.sentParts, puts: resumedPuts });
  check(progress.length === 2 && Math.max(...progress) === file.size, "progress reaches the file's size", progress);
  check(done.record.size_bytes === file.size && done.record.sha256 === (await sha256(file)),
    "the completed file has the file's size and sha256", done.record);
  console.log(`multipart: ${done.record.file_path}`);

  // Versions: an overwrite keeps the replaced content; a URL of the
  // version reads it, and a restore makes it current again.
  const second = png(1 << 20);
  const over = await multipartUpload(api, second, { ...target, overwrite: true }, { baseUrl });
  check(over.record.sha256 === (await sha256(second)), "the overwrite committed the new content", over.record);
  const versions = await listVersions(api, over.record.file_path);
  check(versions.length === 1 && versions[0].sha256 === done.record.sha256 && versions[0].size_bytes === file.size,
    "the overwrite kept the replaced content as a version", versions);
  const vurl = await signedUrl(api, baseUrl, over.record.file_path, { versionId: versions[0].version_id });
  const vbody = await (await fetch(vurl.url)).blob();
  check((await sha256(vbody)) === done.record.sha256, "a signed URL of the version serves its bytes");
  const restored = await restoreVersion(api, over.record.file_path, versions[0].version_id);
  check(restored.sha256 === done.record.sha256, "restoreVersion makes the version current", restored);
  const gone = await restoreVersion(api, over.record.file_path, versions[0].version_id).then(() => undefined, (e: unknown) => e);
  check(gone instanceof StoragegwError && gone.status === 404 && gone.code === "version_not_found",
    "a restored version is no longer listed: 404 version_not_found", String(gone));

  // Hard delete as an admin: the generated client with another token.
  const admin = createStoragegwClient({ baseUrl, token: () => adminToken });
  const hard = await admin.DELETE("/api/storage/delete", { body: { file_path: done.record.file_path, hard: true } });
  check(hard.response.status === 200, "hard delete by an admin: 200", hard.error);
  console.log("ALL OK");
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
