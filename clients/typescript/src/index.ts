// storagegw's TypeScript client: the generated, typed client (openapi-fetch
// over schema.d.ts) and thin helpers.
export { createStoragegwClient, errorOf, StoragegwError } from "./client.js";
export type { ClientOptions, ErrorBody, FileRecord, StoragegwClient, components, paths } from "./client.js";
export { signedUrl } from "./signed-url.js";
export type { SignedURL, SignedUrlOptions } from "./signed-url.js";
export { multipartUpload } from "./multipart.js";
export type { MultipartOptions, MultipartResult, MultipartTarget, UploadSession } from "./multipart.js";
export { uploadWithProgress, UploadError } from "./upload.js";
export { listVersions, restoreVersion } from "./versions.js";
export type { FileVersion } from "./versions.js";
export type { UploadFields, UploadOptions } from "./upload.js";
