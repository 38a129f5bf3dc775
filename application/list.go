package application

import (
	"context"
	"strings"

	"storagegw/domain"
)

// ListFilesQuery is what a caller asks to list.
type ListFilesQuery struct {
	Caller Caller
	// Prefix narrows the listing within the caller's org, relative to it:
	// "accounting/receipt/" lists every receipt. It may end mid-segment;
	// one that could match no path (one starting with the org itself, or
	// naming no system) is refused (domain.CheckListPrefix).
	Prefix string
	Limit  *int   // nil = 100; 1 to 1000
	Cursor string // from the previous page
}

// FilePage is one page of a listing.
type FilePage struct {
	Items      []*domain.FileRecord
	NextCursor string // empty on the last page
}

// List pages through the visible files of the caller's org.
type List struct {
	*deps
}

// Handle lists files and audits LIST.
func (l *List) Handle(ctx context.Context, q ListFilesQuery) (FilePage, error) {
	e := entry{action: domain.ActionList, metadata: map[string]any{"prefix": q.Prefix}}
	page, err := l.run(ctx, q, &e)
	if err := l.audit.finish(ctx, q.Caller, e, err, true); err != nil {
		return FilePage{}, err
	}
	return page, nil
}

func (l *List) run(ctx context.Context, q ListFilesQuery, e *entry) (FilePage, error) {
	p := q.Caller.Principal
	if err := p.Authorize(domain.PermList); err != nil {
		return FilePage{}, err
	}
	if err := domain.CheckListPrefix(p.OrgID, q.Prefix); err != nil {
		return FilePage{}, err
	}
	limit, err := pageLimit(q.Limit, 100, 1000)
	if err != nil {
		return FilePage{}, err
	}
	orgPrefix := p.OrgID + "/"
	full := orgPrefix + q.Prefix
	var after string
	if q.Cursor != "" {
		parts, err := decodeCursor(q.Cursor, 1)
		if err != nil {
			return FilePage{}, err
		}
		if after = parts[0]; !strings.HasPrefix(after, full) {
			return FilePage{}, badCursor()
		}
	}
	recs, err := l.files.List(ctx, ListQuery{OrgID: p.OrgID, Prefix: full, After: after, Limit: limit + 1})
	if err != nil {
		return FilePage{}, err
	}
	page := FilePage{Items: recs}
	if len(recs) > limit {
		page.Items = recs[:limit]
		page.NextCursor = encodeCursor(page.Items[limit-1].Path().String())
	}
	e.metadata["count"] = len(page.Items)
	return page, l.showHolds(ctx, p.OrgID, page.Items...)
}
