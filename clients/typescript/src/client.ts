// The generated client: openapi-fetch over the types openapi-typescript
// generated from adapters/http/openapi.json (schema.d.ts, `make generate`).
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths } from "./schema.js";

/** A client of one storagegw instance, typed by its OpenAPI document. */
export type StoragegwClient = Client<paths>;

export type FileRecord = components["schemas"]["FileRecord"];

/** The body of every error answer: a stable code and a human message. */
export type ErrorBody = components["schemas"]["Error"];

export interface ClientOptions {
  /** The instance's origin, e.g. http://localhost:8080. */
  baseUrl: string;
  /** The bearer token (a JWT), or a function returning the current one. */
  token: string | (() => string | Promise<string>);
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

/**
 * createStoragegwClient returns an openapi-fetch client whose every
 * request carries the bearer token:
 *
 *   const api = createStoragegwClient({ baseUrl, token });
 *   const { data, error } = await api.GET("/api/storage/files", { params: { query: { limit: 10 } } });
 */
export function createStoragegwClient(opts: ClientOptions): StoragegwClient {
  const client = createClient<paths>({ baseUrl: opts.baseUrl.replace(/\/+$/, ""), fetch: opts.fetch });
  client.use({
    async onRequest({ request }) {
      const token = typeof opts.token === "function" ? await opts.token() : opts.token;
      request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  });
  return client;
}

/** StoragegwError is an error answer of the service, thrown by the helpers. */
export class StoragegwError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(`${status} ${code}: ${message}`);
    this.name = "StoragegwError";
    this.status = status;
    this.code = code;
  }
}

/** errorOf turns an openapi-fetch error result into a StoragegwError. */
export function errorOf(response: Response, error: unknown): StoragegwError {
  const e = (error as Partial<ErrorBody> | undefined)?.error;
  return new StoragegwError(response.status, e?.code ?? "unknown", e?.message ?? response.statusText);
}
