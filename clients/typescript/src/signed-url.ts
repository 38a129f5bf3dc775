import { errorOf, type StoragegwClient, type components } from "./client.js";

export type SignedURL = components["schemas"]["SignedURL"];

export interface SignedUrlOptions {
  /** Seconds the link is valid (the service's default when absent). */
  expiresIn?: number;
  /** `inline` (the default) or `attachment`. */
  disposition?: "inline" | "attachment";
  /** A version of the file (listVersions) instead of its current content. */
  versionId?: string;
}

/**
 * signedUrl asks for a time-limited download link to filePath (POST
 * /api/storage/signed-url) and returns it absolute, resolved against the
 * instance: anyone holding it can GET the file until it expires.
 */
export async function signedUrl(
  client: StoragegwClient,
  baseUrl: string,
  filePath: string,
  opts: SignedUrlOptions = {},
): Promise<SignedURL> {
  const { data, error, response } = await client.POST("/api/storage/signed-url", {
    body: { file_path: filePath, expires_in: opts.expiresIn, disposition: opts.disposition, version_id: opts.versionId },
  });
  if (data === undefined) {
    throw errorOf(response, error);
  }
  return { ...data, url: new URL(data.url, baseUrl).toString() };
}
