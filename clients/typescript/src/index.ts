// storagegw's TypeScript client: the generated, typed client (openapi-fetch
// over schema.d.ts) and thin helpers.
export { createStoragegwClient, errorOf, StoragegwError } from "./client";
export type { ClientOptions, ErrorBody, FileRecord, StoragegwClient, components, paths } from "./client";
export { signedUrl } from "./signed-url";
export type { SignedURL, SignedUrlOptions } from "./signed-url";
export { multipartUpload } from "./multipart";
export type { MultipartOptions, MultipartResult, MultipartTarget, UploadSession } from "./multipart";
export { uploadWithProgress, UploadError } from "./upload";
export type { UploadFields, UploadOptions } from "./upload";
