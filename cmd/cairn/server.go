package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/internal/server"
)

type serverCmd struct {
	Listen         string        `help:"Address of the S3 listener." default:"127.0.0.1:9000" env:"CAIRN_LISTEN"`
	Data           string        `help:"Data directory." default:"./data" env:"CAIRN_DATA" type:"path"`
	Domain         []string      `help:"Base domain for virtual-host addressing (bucket.DOMAIN); repeatable." env:"CAIRN_DOMAINS" sep:","`
	COSDomain      []string      `name:"cos-domain" help:"Tencent COS base domain: requests to bucket.DOMAIN speak COS; repeatable." env:"CAIRN_COS_DOMAINS" sep:","`
	Dialect        string        `help:"Dialect of requests nothing identifies on the main listener: s3, cos, bos, ks3 or msdp." default:"s3" env:"CAIRN_DIALECT"`
	Listener       []string      `help:"Extra listener ADDR[,dialect=NAME][,tls-cert=FILE][,tls-key=FILE]; repeatable, e.g. 0.0.0.0:8443,dialect=msdp,tls-cert=c.pem,tls-key=k.pem." env:"CAIRN_LISTENERS" sep:";"`
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
	listeners, err := parseListeners(c.Listener)
	if err != nil {
		return err
	}
	srv, err := server.Open(ctx, server.Config{
		Listen:                 c.Listen,
		DataDir:                c.Data,
		Domains:                c.Domain,
		COSDomains:             c.COSDomain,
		Dialect:                c.Dialect,
		Listeners:              listeners,
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

// parseListeners reads --listener values: an address, then comma-separated
// dialect=, tls-cert= and tls-key= settings.
func parseListeners(specs []string) ([]server.Listener, error) {
	var out []server.Listener
	for _, spec := range specs {
		fields := strings.Split(spec, ",")
		l := server.Listener{Addr: strings.TrimSpace(fields[0])}
		if l.Addr == "" {
			return nil, fmt.Errorf("--listener %q: no address", spec)
		}
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(strings.TrimSpace(f), "=")
			switch {
			case !ok:
				return nil, fmt.Errorf("--listener %q: %q is not key=value", spec, f)
			case k == "dialect":
				l.Dialect = v
			case k == "tls-cert":
				l.TLSCert = v
			case k == "tls-key":
				l.TLSKey = v
			default:
				return nil, fmt.Errorf("--listener %q: unknown setting %q (want dialect, tls-cert, tls-key)", spec, k)
			}
		}
		out = append(out, l)
	}
	return out, nil
}
