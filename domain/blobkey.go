package domain

import "strings"

// BlobKeyFor is the object-store key of the blob that upload uploadID writes
// for path: "{path}/{uploadID}". Each upload writes its own key, so a failed
// or superseded upload can remove its blob without touching anyone else's,
// and a record switches to new content atomically.
func BlobKeyFor(path StoragePath, uploadID string) string {
	return path.String() + "/" + uploadID
}

// PathOfBlobKey returns the storage path a blob key belongs to, or false when
// the key does not follow BlobKeyFor's layout.
func PathOfBlobKey(key string) (StoragePath, bool) {
	i := strings.LastIndexByte(key, '/')
	if i <= 0 || i == len(key)-1 {
		return StoragePath{}, false
	}
	p, err := ParseStoragePath(key[:i])
	if err != nil || strings.HasPrefix(key, "/") {
		return StoragePath{}, false
	}
	return p, true
}
