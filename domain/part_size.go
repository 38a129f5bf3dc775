package domain

// PlanProposedParts cuts a file of fileSize bytes into parts of the size a
// client proposed, which then is the size in force: from MinPartBytes to
// MaxPartBytes, and large enough that the file needs at most MaxParts
// parts; every part holds proposed bytes except the last, which holds the
// rest. Unlike PlanParts it never adjusts the size, since the client has
// cut its chunks already: a size outside the rule is ErrInvalid
// (invalid_part_size) with a message naming the sizes the file allows. An
// empty file is ErrInvalid (invalid_size).
func PlanProposedParts(fileSize, proposed int64) (PartPlan, error) {
	if fileSize <= 0 {
		return PartPlan{}, Errorf(ErrInvalid, "invalid_size", "size must be a positive number of bytes.")
	}
	least := max(int64(MinPartBytes), ceilDiv(fileSize, MaxParts))
	if least > MaxPartBytes {
		return PartPlan{}, Errorf(ErrTooLarge, "file_too_large",
			"The file is larger than a multipart upload can hold (%d parts of %s).", MaxParts, FormatSize(MaxPartBytes))
	}
	if proposed < least || proposed > MaxPartBytes {
		return PartPlan{}, Errorf(ErrInvalid, "invalid_part_size",
			"part_size must be from %d to %d bytes for a file of %d bytes (at least 5 MiB, at most 5 GiB, at most %d parts); it is %d.",
			least, int64(MaxPartBytes), fileSize, MaxParts, proposed)
	}
	return PartPlan{FileSize: fileSize, Size: proposed, Count: int(ceilDiv(fileSize, proposed))}, nil
}
