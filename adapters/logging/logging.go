// Package logging builds the service's zap logger.
package logging

import (
	"fmt"
	"os"
	"regexp"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// New builds a logger writing to standard error at level (debug, info,
// warn, error) in format "console" (human, coloured levels) or "json" (one
// object a line, for log shippers).
func New(level, format string) (*zap.Logger, error) {
	return newLogger(level, format, zapcore.Lock(os.Stderr))
}

func newLogger(level, format string, out zapcore.WriteSyncer) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("logging: level %q: use debug, info, warn or error", level)
	}
	var enc zapcore.Encoder
	switch format {
	case "console":
		ec := zap.NewDevelopmentEncoderConfig()
		ec.EncodeLevel = zapcore.CapitalColorLevelEncoder
		ec.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05.000")
		enc = zapcore.NewConsoleEncoder(ec)
	case "json":
		ec := zap.NewProductionEncoderConfig()
		ec.TimeKey = "time"
		ec.EncodeTime = zapcore.RFC3339NanoTimeEncoder
		ec.EncodeDuration = zapcore.MillisDurationEncoder
		enc = zapcore.NewJSONEncoder(ec)
	default:
		return nil, fmt.Errorf("logging: format %q: use console or json", format)
	}
	core := zapcore.NewCore(enc, out, zap.NewAtomicLevelAt(lvl))
	return zap.New(core, zap.AddCaller(), zap.AddStacktrace(zapcore.ErrorLevel),
		zap.ErrorOutput(zapcore.Lock(os.Stderr))), nil
}

const mask = "***"

var redactions = []struct {
	re   *regexp.Regexp
	repl string
}{
	// Authorization header values.
	{regexp.MustCompile(`(?i)\b(bearer|basic)(\s+)[A-Za-z0-9\-._~+/]+=*`), "${1}${2}" + mask},
	// Anything shaped like a JWT.
	{regexp.MustCompile(`\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`), mask},
	// Signatures, credentials and tokens in URL queries (presigned URLs;
	// t is the sealed token of local signed and part URLs).
	{regexp.MustCompile(`(?i)([?&](?:x-amz-signature|x-amz-credential|x-amz-security-token|signature|sig|t|token|access_token|password)=)[^&\s#"]*`), "${1}" + mask},
	// Passwords in URL user info.
	{regexp.MustCompile(`(://[^/\s:@]+:)[^@/\s]+@`), "${1}" + mask + "@"},
}

// Redact masks the secrets that may hide in a string about to be logged:
// bearer tokens, JWTs, signatures and credentials in URL queries, and URL
// passwords. Everything else is kept.
func Redact(s string) string {
	for _, r := range redactions {
		s = r.re.ReplaceAllString(s, r.repl)
	}
	return s
}

// Options choose the logger: Level is debug, info, warn or error, Format
// console or json (see New).
type Options struct {
	Level, Format string
}

// Provide builds the logger opts ask for; the cleanup flushes it.
func Provide(opts Options) (*zap.Logger, func(), error) {
	log, err := New(opts.Level, opts.Format)
	if err != nil {
		return nil, nil, err
	}
	return log, func() { _ = log.Sync() }, nil
}
