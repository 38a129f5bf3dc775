package domain

import "strings"

// The S3 multipart rules every store follows (local disk included, so that
// development behaves like production).
const (
	MinPartBytes = 5 << 20 // smallest part but the last
	MaxPartBytes = 5 << 30 // largest part
	MaxParts     = 10000   // most parts of one upload
	partSizeStep = 1 << 20 // PlanParts rounds a grown part size up to whole MiB
)

// PartPlan is how a file of a declared size is cut into parts: every part
// holds Size bytes except the last, which holds the rest.
type PartPlan struct {
	FileSize int64
	Size     int64
	Count    int
}

// PlanParts cuts a file of fileSize bytes into parts of preferred bytes
// (clamped to [MinPartBytes, MaxPartBytes]), growing the part size in whole
// MiB when the file would need more than MaxParts parts. A file that is
// empty is ErrInvalid; one that no plan fits is ErrTooLarge.
func PlanParts(fileSize, preferred int64) (PartPlan, error) {
	if fileSize <= 0 {
		return PartPlan{}, Errorf(ErrInvalid, "invalid_size", "size must be a positive number of bytes.")
	}
	size := min(max(preferred, MinPartBytes), MaxPartBytes)
	if need := ceilDiv(fileSize, MaxParts); need > size {
		size = min(ceilDiv(need, partSizeStep)*partSizeStep, MaxPartBytes)
	}
	count := ceilDiv(fileSize, size)
	if count > MaxParts {
		return PartPlan{}, Errorf(ErrTooLarge, "file_too_large",
			"The file is larger than a multipart upload can hold (%d parts of %s).", MaxParts, FormatSize(MaxPartBytes))
	}
	return PartPlan{FileSize: fileSize, Size: size, Count: int(count)}, nil
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// SizeOf returns the number of bytes part n (1-based) must hold, or 0 for a
// part number outside the plan.
func (p PartPlan) SizeOf(n int) int64 {
	switch {
	case n < 1 || n > p.Count:
		return 0
	case n < p.Count:
		return p.Size
	}
	return p.FileSize - int64(p.Count-1)*p.Size
}

// CheckPartNumber returns ErrInvalid unless n is a part of the plan.
func (p PartPlan) CheckPartNumber(n int) error {
	if n < 1 || n > p.Count {
		return Errorf(ErrInvalid, "invalid_part_number", "Part numbers run from 1 to %d.", p.Count)
	}
	return nil
}

// PartRef names the content of one uploaded part: its number and the ETag
// the store answered when it was uploaded.
type PartRef struct {
	Number int
	ETag   string
}

// StoredPart is one part as the store holds it.
type StoredPart struct {
	Number int
	ETag   string
	Size   int64
}

// CheckParts verifies a client's list of parts against the plan and the
// parts the store holds: the list must name every part of the plan once, in
// ascending order, each with the ETag and the size the store has for it.
// Errors are ErrInvalid with codes parts_incomplete, part_missing,
// part_etag_mismatch or part_size_mismatch.
func (p PartPlan) CheckParts(client []PartRef, stored []StoredPart) error {
	if len(client) != p.Count {
		return Errorf(ErrInvalid, "parts_incomplete",
			"The upload has %d parts; list each of them once, in ascending order.", p.Count)
	}
	have := make(map[int]StoredPart, len(stored))
	for _, s := range stored {
		have[s.Number] = s
	}
	for i, c := range client {
		if c.Number != i+1 {
			return Errorf(ErrInvalid, "parts_incomplete",
				"The upload has %d parts; list each of them once, in ascending order.", p.Count)
		}
		s, ok := have[c.Number]
		switch {
		case !ok:
			return Errorf(ErrInvalid, "part_missing", "Part %d has not been uploaded.", c.Number)
		case NormalizeETag(c.ETag) == "" || NormalizeETag(c.ETag) != NormalizeETag(s.ETag):
			return Errorf(ErrInvalid, "part_etag_mismatch",
				"The ETag given for part %d does not match the uploaded part.", c.Number)
		case s.Size != p.SizeOf(c.Number):
			return Errorf(ErrInvalid, "part_size_mismatch",
				"Part %d holds %d bytes; it must hold %d.", c.Number, s.Size, p.SizeOf(c.Number))
		}
	}
	return nil
}

// NormalizeETag returns an ETag without the quotes and weak marker that
// HTTP adds, in lower case, so that an ETag read from a response header
// compares equal to the one a store lists.
func NormalizeETag(etag string) string {
	etag = strings.TrimSpace(etag)
	etag = strings.TrimPrefix(etag, "W/")
	return strings.ToLower(strings.Trim(etag, `"`))
}
