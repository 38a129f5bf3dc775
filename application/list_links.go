package application

import (
	"context"
	"time"

	"storagegw/domain"
)

// ListLinksQuery asks for one page of a file's links.
type ListLinksQuery struct {
	Caller   Caller
	FilePath string
	Limit    *int   // nil = 100; 1 to 1000
	Cursor   string // from the previous page
}

// LinkPage is one page of a file's links, oldest first.
type LinkPage struct {
	Items      []*domain.Link
	NextCursor string // empty on the last page
}

// ListLinks lists the links of one file of the caller's org, whatever the
// state of the file, so that a member can see which links are out there
// (and revoke them) before or after a delete: who made each, its mode,
// expiry, uses and revocation. The URL itself is never kept, so it is
// never shown. Members and admins, like revoking; each listing is a LIST
// event of the file.
type ListLinks struct {
	*deps
}

// Handle lists a page of links and audits LIST.
func (l *ListLinks) Handle(ctx context.Context, q ListLinksQuery) (LinkPage, error) {
	e := entry{action: domain.ActionList, metadata: map[string]any{"links": true}}
	page, err := l.run(ctx, q, &e)
	if err := l.audit.finish(ctx, q.Caller, e, err, true); err != nil {
		return LinkPage{}, err
	}
	return page, nil
}

func (l *ListLinks) run(ctx context.Context, q ListLinksQuery, e *entry) (LinkPage, error) {
	p := q.Caller.Principal
	if err := p.Authorize(domain.PermRevokeLink); err != nil {
		return LinkPage{}, err
	}
	path, err := parseOwn(p, q.FilePath, e)
	if err != nil {
		return LinkPage{}, err
	}
	limit, err := pageLimit(q.Limit, 100, 1000)
	if err != nil {
		return LinkPage{}, err
	}
	lq := LinkQuery{OrgID: p.OrgID, FilePath: path.String(), Limit: limit + 1}
	if q.Cursor != "" {
		parts, err := decodeCursor(q.Cursor, 2)
		if err != nil {
			return LinkPage{}, err
		}
		at, err := time.Parse(time.RFC3339Nano, parts[0])
		if err != nil || parts[1] == "" {
			return LinkPage{}, badCursor()
		}
		lq.After = LinkPosition{CreatedAt: at, ID: parts[1]}
	}
	links, err := l.links.OfFile(ctx, lq)
	if err != nil {
		return LinkPage{}, err
	}
	page := LinkPage{Items: links}
	if len(links) > limit {
		page.Items = links[:limit]
		last := page.Items[limit-1]
		page.NextCursor = encodeCursor(last.Data().CreatedAt.UTC().Format(time.RFC3339Nano), last.ID())
	}
	e.metadata["count"] = len(page.Items)
	return page, nil
}
