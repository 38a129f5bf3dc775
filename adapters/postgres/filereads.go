package postgres

import (
	"context"
	"sync"
	"sync/atomic"

	"storagegw/ent"
	"storagegw/ent/filerecord"
)

// fileReads coalesces the FileRepo.Gets that run outside a transaction
// into shared SELECTs (file_path IN …): under load a read costs the
// database and this process a share of one statement and one round trip
// instead of a whole one. It adds no wait: a Get that finds a runner free
// starts one at once; the Gets that arrive while every runner is busy
// queue, and each runner takes up to maxFileReadBatch of them into its
// next query. A query starts after every Get it answers was called, so a
// Get sees every change committed before it, as its own SELECT would.
type fileReads struct {
	db *DB

	mu      sync.Mutex
	queue   []*fileRead
	running int
	queries atomic.Int64 // SELECTs run, for tests
	hook    func()       // when set by a test, runs before each query
}

// maxFileReadBatch bounds the paths of one query; fileReadRunners the
// queries at once (connections of the pool they take, at most).
const (
	maxFileReadBatch = 64
	fileReadRunners  = 4
)

type fileRead struct {
	path string
	done chan fileReadResult // buffered: a runner never waits for a Get that gave up
}

type fileReadResult struct {
	row *ent.FileRecord
	err error
}

// get is FileRecord.Query().Where(FilePath(path)).Only, shared.
func (f *fileReads) get(ctx context.Context, path string) (*ent.FileRecord, error) {
	r := &fileRead{path: path, done: make(chan fileReadResult, 1)}
	f.mu.Lock()
	f.queue = append(f.queue, r)
	start := f.running < fileReadRunners
	if start {
		f.running++
	}
	f.mu.Unlock()
	if start {
		go f.run()
	}
	select {
	case res := <-r.done:
		return res.row, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// run answers queued Gets until none is left.
func (f *fileReads) run() {
	for {
		f.mu.Lock()
		n := min(len(f.queue), maxFileReadBatch)
		if n == 0 {
			f.running--
			f.queue = nil // drops the backing array the queue grew to
			f.mu.Unlock()
			return
		}
		batch := make([]*fileRead, n)
		copy(batch, f.queue)
		f.queue = f.queue[n:]
		f.mu.Unlock()
		f.answer(batch)
	}
}

// answer runs one query for batch and hands each Get its row, or
// ent's not-found error as Only gives, or the query's error.
func (f *fileReads) answer(batch []*fileRead) {
	if f.hook != nil {
		f.hook()
	}
	paths := make([]string, 0, len(batch))
	seen := make(map[string]bool, len(batch))
	for _, r := range batch {
		if !seen[r.path] {
			seen[r.path] = true
			paths = append(paths, r.path)
		}
	}
	// Padded to a power of two with the last path again: few texts of
	// the query, so SQLite keeps each one prepared (stmtCache).
	for last := paths[len(paths)-1]; len(paths)&(len(paths)-1) != 0; {
		paths = append(paths, last)
	}
	f.queries.Add(1)
	// No caller's context: the query answers them all, each of which can
	// stop waiting on its own; the operation timeout bounds it
	// (deadlineDriver).
	rows, err := f.db.client.FileRecord.Query().Where(filerecord.FilePathIn(paths...)).All(context.Background())
	byPath := make(map[string]*ent.FileRecord, len(rows))
	for _, row := range rows {
		byPath[row.FilePath] = row
	}
	for _, r := range batch {
		res := fileReadResult{err: err}
		if err == nil {
			if res.row = byPath[r.path]; res.row == nil {
				res.err = &ent.NotFoundError{}
			}
		}
		r.done <- res
	}
}
