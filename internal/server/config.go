// Package server runs Cairn: it opens the stores under a data directory,
// bootstraps the root user, serves the S3 API on a listener, runs the
// garbage collector in the background and shuts down gracefully.
package server

import (
	"io"
	"log/slog"
	"time"

	"github.com/cairn-s3/cairn/internal/meta"
)

// Config is everything a server needs. Zero values mean defaults.
type Config struct {
	// Listen is the address of the S3 listener. Default "127.0.0.1:9000".
	Listen string
	// DataDir holds the metadata database, the blobs and the root
	// credentials. Default "./data".
	DataDir string
	// Domains are the base domains for virtual-host addressing.
	Domains []string
	// COSDomains are Tencent COS base domains: "<bucket>.<domain>" hosts
	// address that bucket in the COS dialect.
	COSDomains []string
	// Dialect is the main listener's default dialect ("s3" when empty).
	Dialect string
	// Listeners are more listeners, each with its own default dialect and
	// optional TLS, e.g. a NetBackup MSDP profile on :8443.
	Listeners []Listener
	// Region is the region reported for buckets. Default "us-east-1".
	Region string
	// RootAccessKey and RootSecretKey, when both set, are root's key pair;
	// otherwise it is read from, or generated into, the data directory.
	RootAccessKey string
	RootSecretKey string
	// InlineMax is the largest object stored inside the metadata store.
	// Default 64 KiB; negative disables inlining.
	InlineMax int64
	// GCInterval is how often the collector releases space. Default 1 minute.
	GCInterval time.Duration
	// OrphanScanInterval is how often the whole blob store is checked for
	// blobs a crash left unreferenced; it also runs at start-up. Default 24h.
	OrphanScanInterval time.Duration
	// MinPartSize is the smallest part but the last that Complete accepts.
	// Default 5 MiB; lower it only for tests and benchmarks.
	MinPartSize int64
	// UploadIdleExpiry aborts uploads that received no part for this long.
	// Zero means never.
	UploadIdleExpiry time.Duration
	// CompletionRetention is how long a retried Complete replays its result.
	// Default 24 hours.
	CompletionRetention time.Duration
	// UploadSweepInterval is how often lifecycle rules and the idle expiry
	// are applied to uploads. Default 1 hour.
	UploadSweepInterval time.Duration
	// CompleteKeepAliveDelay and CompleteKeepAliveInterval tune the
	// whitespace keep-alive of slow Completes (defaults 2s and 5s).
	CompleteKeepAliveDelay    time.Duration
	CompleteKeepAliveInterval time.Duration
	// WrapMeta, when set, wraps the metadata store (tests inject faults and
	// delays with it).
	WrapMeta func(meta.Store) meta.Store
	// IdentityCacheTTL is how long an access key lookup is cached, and so how
	// long a removed user's key may still work. Default 5 seconds.
	IdentityCacheTTL time.Duration
	// ShutdownTimeout bounds a graceful shutdown. Default 30 seconds.
	ShutdownTimeout time.Duration
	// Logger is the server's logger. Default slog.Default().
	Logger *slog.Logger
	// Out receives the one-time announcement of generated root credentials.
	// Default: discard.
	Out io.Writer
}

// Listener is an extra listener.
type Listener struct {
	// Addr is the address to listen on.
	Addr string `json:"addr"`
	// Dialect is the dialect of requests nothing else identifies: "s3",
	// "cos", "bos", "ks3" or "msdp".
	Dialect string `json:"dialect"`
	// TLSCert and TLSKey, both set, make the listener HTTPS.
	TLSCert string `json:"tlsCert,omitempty"`
	TLSKey  string `json:"tlsKey,omitempty"`
}

func (c *Config) applyDefaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:9000"
	}
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.GCInterval <= 0 {
		c.GCInterval = time.Minute
	}
	if c.OrphanScanInterval <= 0 {
		c.OrphanScanInterval = 24 * time.Hour
	}
	if c.UploadSweepInterval <= 0 {
		c.UploadSweepInterval = time.Hour
	}
	if c.IdentityCacheTTL == 0 {
		c.IdentityCacheTTL = 5 * time.Second
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
}
