package postgres

import (
	"context"
	"fmt"

	"storagegw/application"
	"storagegw/domain"
	"storagegw/ent/filerecord"
	"storagegw/ent/predicate"
)

// List returns a page of q.OrgID's records in ascending (bytewise) path
// order. Prefix and After are compared as plain strings: the prefix becomes
// a range [prefix, successor(prefix)), so '_' and '%' are never wildcards.
// A Limit below 1 is domain.ErrInvalid.
func (r *FileRepo) List(ctx context.Context, q application.ListQuery) ([]*domain.FileRecord, error) {
	if q.OrgID == "" || q.Limit < 1 {
		return nil, domain.Errorf(domain.ErrInvalid, "invalid_list_query", "A list needs an org and a positive limit.")
	}
	where := []predicate.FileRecord{filerecord.OrgID(q.OrgID)}
	if q.Prefix != "" {
		upper, ok := successor(q.Prefix)
		if !ok {
			return nil, nil // no stored path holds such a byte
		}
		where = append(where, filerecord.FilePathGTE(q.Prefix), filerecord.FilePathLT(upper))
	}
	if q.After != "" {
		where = append(where, filerecord.FilePathGT(q.After))
	}
	if !q.IncludeDeleted {
		where = append(where, filerecord.StateEQ(filerecord.StateActive), filerecord.Deleted(false))
	}
	rows, err := r.c(ctx).FileRecord.Query().
		Where(where...).
		Order(filerecord.ByFilePath()).
		Limit(q.Limit).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: list %q prefix %q: %w", q.OrgID, q.Prefix, translate(err))
	}
	out := make([]*domain.FileRecord, 0, len(rows))
	for _, row := range rows {
		rec, err := toRecord(row)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// successor returns the smallest string greater than every string starting
// with prefix, for a prefix of printable ASCII (all a stored path can hold).
// It reports false for any other prefix, which no path can start with.
func successor(prefix string) (string, bool) {
	for i := 0; i < len(prefix); i++ {
		if prefix[i] < 0x20 || prefix[i] > 0x7e {
			return "", false
		}
	}
	last := len(prefix) - 1
	return prefix[:last] + string(prefix[last]+1), true
}
