import { errorOf, StoragegwError, type FileRecord, type StoragegwClient, type components } from "./client.js";

export type MultipartTarget = Omit<components["schemas"]["MultipartInitiateRequest"], "size">;
export type UploadSession = components["schemas"]["UploadSession"];

export interface MultipartOptions {
  /** The instance's origin, against which part URLs are resolved. */
  baseUrl: string;
  /**
   * The upload_id of an earlier call that did not finish: the upload is
   * resumed, and only the parts the service does not hold are sent (GET
   * /api/storage/multipart/uploaded-parts).
   */
  uploadId?: string;
  /** Called once the session is known: keep its upload_id to resume. */
  onSession?: (session: UploadSession) => void;
  /** Called after each part is stored, with the bytes the service holds. */
  onPart?: (partNumber: number, bytesHeld: number, size: number) => void;
  /** Parts sent at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
  /** A fetch for the part PUTs instead of the global one. */
  fetch?: typeof fetch;
}

export interface MultipartResult {
  record: FileRecord;
  uploadId: string;
  /** The part numbers this call sent (on a resume, only the missing ones). */
  sentParts: number[];
}

const maxPartURLs = 1000; // POST /api/storage/multipart/parts takes at most 1000 part numbers

/**
 * multipartUpload stores file through a multipart session: it initiates
 * one (or resumes opts.uploadId), asks for URLs of the parts the service
 * does not hold yet, PUTs them (a few at once), and completes the session.
 * An interrupted call (a thrown error, opts.signal aborted) can be resumed
 * by calling it again with the same file and the session's upload_id.
 */
export async function multipartUpload(
  client: StoragegwClient,
  file: Blob,
  target: MultipartTarget,
  opts: MultipartOptions,
): Promise<MultipartResult> {
  const put = opts.fetch ?? fetch;
  let session: UploadSession;
  const held = new Map<number, string>(); // part number -> ETag
  let bytesHeld = 0;
  if (opts.uploadId === undefined) {
    const { data, error, response } = await client.POST("/api/storage/multipart/initiate", {
      body: { ...target, size: file.size },
      signal: opts.signal,
    });
    if (data === undefined) throw errorOf(response, error);
    session = data;
  } else {
    const { data, error, response } = await client.GET("/api/storage/multipart/uploaded-parts", {
      params: { query: { upload_id: opts.uploadId } },
      signal: opts.signal,
    });
    if (data === undefined) throw errorOf(response, error);
    if (data.size !== file.size) {
      throw new StoragegwError(400, "size_mismatch", `The session is for ${data.size} bytes, the file has ${file.size}.`);
    }
    session = data;
    for (const p of data.parts) {
      held.set(p.part_number, p.etag);
      bytesHeld += p.size;
    }
  }
  opts.onSession?.(session);

  const missing: number[] = [];
  for (let n = 1; n <= session.part_count; n++) {
    if (!held.has(n)) missing.push(n);
  }
  const sentParts: number[] = [];
  for (let i = 0; i < missing.length; i += maxPartURLs) {
    const batch = missing.slice(i, i + maxPartURLs);
    const { data, error, response } = await client.POST("/api/storage/multipart/parts", {
      body: { upload_id: session.upload_id, part_numbers: batch },
      signal: opts.signal,
    });
    if (data === undefined) throw errorOf(response, error);
    const queue = [...data.parts];
    const worker = async (): Promise<void> => {
      for (let part = queue.shift(); part !== undefined; part = queue.shift()) {
        const start = (part.part_number - 1) * session.part_size;
        const res = await put(new URL(part.url, opts.baseUrl), {
          method: "PUT",
          headers: { "Content-Type": "application/octet-stream" },
          body: file.slice(start, start + part.size),
          signal: opts.signal,
        });
        if (!res.ok) throw errorOf(res, await res.json().catch(() => undefined));
        const etag = res.headers.get("ETag");
        if (etag === null) throw new StoragegwError(res.status, "etag_missing", "A part answer has no ETag (is it exposed by CORS?).");
        held.set(part.part_number, etag);
        sentParts.push(part.part_number);
        bytesHeld += part.size;
        opts.onPart?.(part.part_number, bytesHeld, file.size);
      }
    };
    const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, queue.length)) }, worker);
    await Promise.all(workers);
  }

  const parts = [...held].sort(([a], [b]) => a - b).map(([part_number, etag]) => ({ part_number, etag }));
  const { data, error, response } = await client.POST("/api/storage/multipart/complete", {
    body: { upload_id: session.upload_id, parts },
    signal: opts.signal,
  });
  if (data === undefined) throw errorOf(response, error);
  return { record: data, uploadId: session.upload_id, sentParts: sentParts.sort((a, b) => a - b) };
}
