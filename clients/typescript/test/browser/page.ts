// The page of e2e TestTypeScriptClientInBrowser: uploadWithProgress in
// Chromium (XHR is a browser API), bundled by esbuild.
import { uploadWithProgress, UploadError } from "../../src/upload.js";

function png(n: number): Blob {
  const head = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00";
  const b = new Uint8Array(head.length + n);
  for (let i = 0; i < head.length; i++) b[i] = head.charCodeAt(i);
  for (let i = 0; i < n; i++) b[head.length + i] = (i * 13 + 1) & 0xff;
  return new Blob([b], { type: "image/png" });
}

async function run(baseUrl: string, token: string): Promise<unknown> {
  const file = new File([png(3 << 20)], "xhr.png", { type: "image/png" });
  const progress: Array<[number, number]> = [];
  const fields = { system: "workspace", object_type: "doc", object_id: "browser" } as const;
  const record = await uploadWithProgress({
    baseUrl, token, fields, file, onProgress: (loaded, total) => progress.push([loaded, total]),
  });
  // The same path again, without overwrite: the typed error.
  const refused = await uploadWithProgress({ baseUrl, token, fields, file }).then(
    () => undefined,
    (e: unknown) => (e instanceof UploadError ? { status: e.status, code: e.code } : String(e)),
  );
  return { size: file.size, record, progress, refused };
}

(window as unknown as { runUpload: typeof run }).runUpload = run;
