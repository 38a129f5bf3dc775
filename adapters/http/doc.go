// Package httpapi is the inbound HTTP adapter: the Gin router that exposes
// storagegw's use cases as the REST API of SPEC §4, plus health endpoints.
//
// Decisions where SPEC §4 is silent:
//
//   - Uploads are streamed: every text field must come before the "file"
//     part. A required field that has not arrived when the file part
//     starts is 400 missing_field, naming it (a stream cannot tell a field
//     sent after the file from one not sent); a field or a second file
//     after it is 400 field_after_file / too_many_files, checked before the
//     upload is committed. Unknown or repeated fields are 400, naming the
//     field, boolean fields accept
//     true, false, 1 and 0 only. A body that is not multipart/form-data is
//     400 not_multipart.
//   - A Content-Length that already exceeds the kind's limit is 413 after
//     the few KiB of fields are read, never the file; any refused upload is
//     answered with Connection: close so its body is not read to the end.
//     The connection is half-closed after the answer and closed a moment
//     later, so a client still sending reads the error, not a reset.
//   - The adapter decodes, calls a use case and encodes; content rules are
//     not its business. The app-builder archive rule (a .zip name, a
//     readable, bounded zip: domain.ZipArchive) and receipt-upload's
//     images-and-PDF narrowing (UploadCommand.Receipt) are applied, and
//     their refusals audited, by the upload and multipart use cases.
//   - Path parameters are matched still percent-encoded, so an encoded
//     separator, dot segment or NUL in a metadata path is 400 invalid_path.
//   - JSON bodies are strict: unknown fields, trailing data and wrong types
//     are 400; an explicit expires_in of 0 is 400 like any value outside
//     60–900 s.
//   - Files a browser could run script in (HTML, XHTML, SVG, XML,
//     JavaScript) are signed as attachments whatever disposition asks, and
//     local signed URLs serve every file but PDFs with a sandboxing
//     Content-Security-Policy (docs/DESIGN.md, "Content that can run
//     script").
//   - Local signed URLs (GET /api/storage/blob?t=…, served only with the
//     local-disk store) carry one opaque token that names no org, user,
//     role or path in clear. They stop working once their file is
//     deleted or overwritten, unlike presigned store URLs, which live
//     until they expire. Tampered and expired URLs are 403; a single byte
//     range is honoured (206, or 416 with Content-Range: bytes */size);
//     several ranges, malformed ranges and If-Range are answered with the
//     whole file.
//   - An unknown route is 404 route_not_found; a known route with another
//     method is 405 method_not_allowed with an Allow header.
//   - Operations: GET /healthz (liveness, touches nothing), GET /readyz (the
//     configured checks, concurrently, each within a timeout; 503 with a
//     report naming the failed ones, public messages only) and GET /metrics
//     (Options.Metrics; absent when metrics have their own listener). None
//     needs a token. Requests, uploads and refused tokens are reported to
//     Options.Observer with route templates, never raw paths.
//   - POST /api/storage/restore (admin) undoes a soft delete within the
//     retention period and returns the record.
package httpapi
