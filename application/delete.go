package application

import (
	"context"

	"storagegw/domain"
)

// DeleteCommand asks to delete one file: softly (recoverable within the
// retention window) or, for admins, for good.
type DeleteCommand struct {
	Caller   Caller
	FilePath string
	Hard     bool
}

// Delete soft- or hard-deletes files.
//
// The record's change (soft-deleted, or for a hard delete a purged
// tombstone) commits in one transaction with the DELETE event and, when
// links are kept, the revocation of every link of the file; a hard delete
// also removes every version of the file (FileVersions.DeleteAll) there.
// A hard delete removes the blobs only once that committed, so a failure never
// leaves a record pointing at a missing blob; a blob whose removal failed
// is reported and left to reconciliation.
type Delete struct {
	*deps
}

// Handle deletes the file and audits DELETE. It returns the record as it
// now stands.
func (d *Delete) Handle(ctx context.Context, cmd DeleteCommand) (*domain.FileRecord, error) {
	e := entry{action: domain.ActionDelete, metadata: map[string]any{"hard": cmd.Hard}}
	rec, err := d.run(ctx, cmd, &e)
	if err := d.audit.finish(ctx, cmd.Caller, e, err, false); err != nil {
		return nil, err
	}
	return rec, nil
}

func (d *Delete) run(ctx context.Context, cmd DeleteCommand, e *entry) (*domain.FileRecord, error) {
	p := cmd.Caller.Principal
	perm := domain.PermSoftDelete
	if cmd.Hard {
		perm = domain.PermHardDelete
	}
	if err := p.Authorize(perm); err != nil {
		return nil, err
	}
	path, err := parseOwn(p, cmd.FilePath, e)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		rec, err := d.load(ctx, path)
		if err != nil {
			return nil, err
		}
		var blobKey string
		if cmd.Hard {
			blobKey, err = rec.Purge(p.UserID, d.clock.Now())
		} else {
			err = rec.SoftDelete(p.UserID, d.clock.Now())
		}
		if err != nil {
			return nil, err
		}
		var saved *domain.FileRecord
		var versionKeys []string
		err = d.audit.change(ctx, cmd.Caller, e, func(ctx context.Context) (err error) {
			// A held file may be soft-deleted (reversible), never hard-deleted;
			// the check runs in the change's transaction (HeldBy).
			hold, err := HeldBy(ctx, d.holds, path)
			if err != nil {
				return err
			}
			if hold != nil {
				e.metadata["legal_hold"] = hold.Scope().Relative()
				if cmd.Hard {
					return hold.Refuse("hard-deleted")
				}
			}
			if cmd.Hard { // a hard delete removes every version with the file
				if versionKeys, err = d.dropVersions(ctx, path); err != nil {
					return err
				}
				if len(versionKeys) > 0 {
					e.metadata["versions_removed"] = len(versionKeys)
				}
			}
			if saved, err = d.files.Update(ctx, rec); err != nil {
				return err
			}
			saved.ShowLegalHold(hold)
			if e.result = saved; d.links == nil {
				return nil
			}
			// A deleted file's links are revoked with it, in its transaction.
			n, err := d.links.RevokeFile(ctx, p.OrgID, path.String(), p.UserID, d.clock.Now())
			e.metadata["links_revoked"] = n
			return err
		})
		if isConflict(err) && attempt < maxAttempts {
			delete(e.metadata, "versions_removed")
			continue
		}
		if err != nil {
			return nil, err
		}
		d.removeBlobs(ctx, "remove hard-deleted version blob", versionKeys...)
		d.removeBlobs(ctx, "remove hard-deleted blob", blobKey)
		return saved, nil
	}
}
