import { errorOf, type FileRecord, type StoragegwClient, type components } from "./client.js";

export type FileVersion = components["schemas"]["FileVersion"];

/**
 * listVersions returns the versions of filePath (GET
 * /api/storage/versions?file_path=): the contents earlier overwrites
 * replaced, the most recently replaced first.
 */
export async function listVersions(client: StoragegwClient, filePath: string): Promise<FileVersion[]> {
  const { data, error, response } = await client.GET("/api/storage/versions", {
    params: { query: { file_path: filePath } },
  });
  if (data === undefined) {
    throw errorOf(response, error);
  }
  return data.items;
}

/**
 * restoreVersion makes version versionId of filePath its current content
 * again (POST /api/storage/versions/restore) and returns the record; the
 * content it replaces becomes a version itself.
 */
export async function restoreVersion(client: StoragegwClient, filePath: string, versionId: string): Promise<FileRecord> {
  const { data, error, response } = await client.POST("/api/storage/versions/restore", {
    body: { file_path: filePath, version_id: versionId },
  });
  if (data === undefined) {
    throw errorOf(response, error);
  }
  return data;
}
