package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
)

// plainProgressEvery is how often progress is written when the output is
// not a terminal (a log file, a cron mail).
const plainProgressEvery = 10 * time.Second

// progress shows a job's progress on w: on a terminal one line rewritten
// in place, otherwise a plain line at most every plainProgressEvery.
type progress struct {
	w       io.Writer
	tty     bool
	last    time.Time
	written bool
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	tty := ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
	return &progress{w: w, tty: tty, last: time.Now()}
}

// show reports the current state.
func (p *progress) show(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\x1b[K", line)
		p.written = true
		return
	}
	if now := time.Now(); now.Sub(p.last) >= plainProgressEvery {
		fmt.Fprintln(p.w, line)
		p.last = now
	}
}

// done ends the in-place line, if any, before the summary.
func (p *progress) done() {
	if p.tty && p.written {
		fmt.Fprintln(p.w)
		p.written = false
	}
}
