package main

import (
	"context"
	"os"
	"time"

	"github.com/cairn-s3/cairn/internal/server"
)

type serverCmd struct {
	Listen         string        `help:"Address of the S3 listener." default:"127.0.0.1:9000" env:"CAIRN_LISTEN"`
	Data           string        `help:"Data directory." default:"./data" env:"CAIRN_DATA" type:"path"`
	Domain         []string      `help:"Base domain for virtual-host addressing (bucket.DOMAIN); repeatable." env:"CAIRN_DOMAINS" sep:","`
	Region         string        `help:"Region reported for buckets." default:"us-east-1" env:"CAIRN_REGION"`
	LogLevel       string        `help:"debug, info, warn or error." default:"info" env:"CAIRN_LOG_LEVEL"`
	InlineMax      int64         `help:"Largest object (bytes) kept inside the metadata store; -1 disables." default:"65536" env:"CAIRN_INLINE_MAX"`
	GCInterval     time.Duration `help:"How often the garbage collector runs." default:"1m" env:"CAIRN_GC_INTERVAL"`
	OrphanScan     time.Duration `name:"orphan-scan-interval" help:"How often the blob store is scanned for crash leftovers (also at start-up)." default:"24h" env:"CAIRN_ORPHAN_SCAN_INTERVAL"`
	RootAccess     string        `name:"root-access-key" help:"Root access key (default: generated at first start)." env:"CAIRN_ROOT_ACCESS_KEY"`
	RootSecret     string        `name:"root-secret-key" help:"Root secret key." env:"CAIRN_ROOT_SECRET_KEY"`
	MinPartSize    int64         `help:"Smallest part but the last that Complete accepts (S3: 5 MiB). Lower it only for tests and benchmarks." default:"5242880" env:"CAIRN_MIN_PART_SIZE"`
	UploadExpiry   time.Duration `name:"upload-idle-expiry" help:"Abort uploads that received no part for this long; 0 disables." default:"168h" env:"CAIRN_UPLOAD_IDLE_EXPIRY"`
	UploadSweep    time.Duration `name:"upload-sweep-interval" help:"How often lifecycle rules and the idle expiry are applied to uploads." default:"1h" env:"CAIRN_UPLOAD_SWEEP_INTERVAL"`
	CompletionKeep time.Duration `name:"completion-retention" help:"How long a retried CompleteMultipartUpload replays its result." default:"24h" env:"CAIRN_COMPLETION_RETENTION"`
	KeepAliveDelay time.Duration `name:"complete-keepalive-delay" help:"After this long a Complete answers 200 at once and sends whitespace until done." default:"2s" env:"CAIRN_COMPLETE_KEEPALIVE_DELAY"`
	IdentityTTL    time.Duration `name:"identity-cache-ttl" help:"How long access key lookups are cached." default:"5s" env:"CAIRN_IDENTITY_CACHE_TTL"`
}

func (c *serverCmd) Run(ctx context.Context) error {
	log, err := newLogger(c.LogLevel)
	if err != nil {
		return err
	}
	srv, err := server.Open(ctx, server.Config{
		Listen:                 c.Listen,
		DataDir:                c.Data,
		Domains:                c.Domain,
		Region:                 c.Region,
		RootAccessKey:          c.RootAccess,
		RootSecretKey:          c.RootSecret,
		InlineMax:              c.InlineMax,
		GCInterval:             c.GCInterval,
		OrphanScanInterval:     c.OrphanScan,
		IdentityCacheTTL:       c.IdentityTTL,
		MinPartSize:            c.MinPartSize,
		UploadIdleExpiry:       c.UploadExpiry,
		UploadSweepInterval:    c.UploadSweep,
		CompletionRetention:    c.CompletionKeep,
		CompleteKeepAliveDelay: c.KeepAliveDelay,
		Logger:                 log,
		Out:                    os.Stdout,
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	return srv.ListenAndServe(ctx)
}
