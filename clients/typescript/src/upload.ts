// uploadWithProgress is for browsers: XMLHttpRequest reports upload
// progress, which fetch does not. It has no runtime dependency (so a page
// can bundle it alone).
import type { components } from "./schema.js";

type FileRecord = components["schemas"]["FileRecord"];
type UploadForm = components["schemas"]["UploadForm"];

export type UploadFields = Pick<UploadForm, "system" | "object_type" | "object_id"> & {
  overwrite?: boolean;
  add_timestamp?: boolean;
};

export interface UploadOptions {
  /** The instance's origin, e.g. https://files.example.org. */
  baseUrl: string;
  /** The bearer token (a JWT). */
  token: string;
  fields: UploadFields;
  file: Blob;
  /** The file's name (a File's own name by default). */
  filename?: string;
  /** Called as bytes leave: loaded and total bytes of the request body. */
  onProgress?: (loaded: number, total: number) => void;
  /** Makes a retried upload safe: the first answer is replayed. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** UploadError is an error answer (status, code, message) or a network failure (status 0). */
export class UploadError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(`${status} ${code}: ${message}`);
    this.name = "UploadError";
    this.status = status;
    this.code = code;
  }
}

/**
 * uploadWithProgress stores one file with POST /api/storage/upload,
 * sending the form's text fields before the file (the service streams the
 * body and takes the fields first), and resolves with the file's record.
 */
export function uploadWithProgress(opts: UploadOptions): Promise<FileRecord> {
  const form = new FormData();
  form.append("system", opts.fields.system);
  form.append("object_type", opts.fields.object_type);
  form.append("object_id", opts.fields.object_id);
  if (opts.fields.add_timestamp !== undefined) form.append("add_timestamp", String(opts.fields.add_timestamp));
  if (opts.fields.overwrite !== undefined) form.append("overwrite", String(opts.fields.overwrite));
  const name = opts.filename ?? (opts.file instanceof File ? opts.file.name : "file");
  form.append("file", opts.file, name);

  return new Promise<FileRecord>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", opts.baseUrl.replace(/\/+$/, "") + "/api/storage/upload");
    xhr.setRequestHeader("Authorization", `Bearer ${opts.token}`);
    if (opts.idempotencyKey !== undefined) xhr.setRequestHeader("Idempotency-Key", opts.idempotencyKey);
    xhr.responseType = "text";
    if (opts.onProgress !== undefined) {
      const report = opts.onProgress;
      xhr.upload.onprogress = (e: ProgressEvent) => report(e.loaded, e.total);
    }
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status === 201) {
        resolve(body as FileRecord);
        return;
      }
      const e = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      reject(new UploadError(xhr.status, e?.code ?? "unknown", e?.message ?? xhr.statusText));
    };
    xhr.onerror = () => reject(new UploadError(0, "network_error", "The upload did not reach the service."));
    xhr.onabort = () => reject(new UploadError(0, "aborted", "The upload was aborted."));
    opts.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}
