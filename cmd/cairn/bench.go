package main

import (
	"context"
	"os"
	"time"

	"github.com/cairn-s3/cairn/internal/loadgen"
)

type benchCmd struct {
	Endpoint    string        `help:"Server URL (path-style addressing)." default:"http://127.0.0.1:9000" env:"CAIRN_BENCH_ENDPOINT"`
	AccessKey   string        `help:"Access key ID." required:"" env:"CAIRN_BENCH_ACCESS_KEY"`
	SecretKey   string        `help:"Secret key." required:"" env:"CAIRN_BENCH_SECRET_KEY"`
	Region      string        `help:"Region for the signature." default:"us-east-1"`
	Bucket      string        `help:"Bucket (created if missing)." default:"bench"`
	Prefix      string        `help:"Prefix of every key written." default:"bench/"`
	Op          string        `help:"put, get, both (PUT then GET of what was written), multipart (one object of --size in parts of --part-size) or complete (Complete and ListParts over --parts tiny parts)." enum:"put,get,both,multipart,complete" default:"both"`
	Size        loadgen.Size  `help:"Object size (put, get, both) or upload size (multipart), e.g. 4KiB, 64MiB, 1GiB." default:"1MiB"`
	PartSize    loadgen.Size  `help:"Part size: default 16MiB for multipart, 1B for complete (which needs a server with --min-part-size 1)." default:"0"`
	Parts       int           `help:"Number of parts for --op complete." default:"10000"`
	Concurrency int           `short:"c" help:"Requests in flight." default:"4"`
	Duration    time.Duration `short:"d" help:"Length of each PUT and GET phase." default:"15s"`
	Objects     int           `help:"put: cycle through this many keys, overwriting (0: a new key per PUT); get: objects to read, created if missing (default 2 x concurrency)." default:"0"`
	ServerPID   int           `name:"server-pid" help:"Server process to report CPU time and peak RSS for (Linux /proc)."`
	Cleanup     bool          `help:"Delete the objects written when done."`
	Seed        uint64        `help:"Seed of the object data and GET order." default:"1"`
	JSON        bool          `name:"json" help:"Print a machine-readable JSON summary instead of the table."`
}

// Run runs the benchmark and prints its report, also when it failed: the
// figures so far and the error.
func (c *benchCmd) Run(ctx context.Context) error {
	rep, err := loadgen.Run(ctx, loadgen.Config{
		Client: loadgen.ClientConfig{
			Endpoint:  c.Endpoint,
			Region:    c.Region,
			AccessKey: c.AccessKey,
			SecretKey: c.SecretKey,
		},
		Bucket:      c.Bucket,
		Prefix:      c.Prefix,
		Op:          loadgen.Op(c.Op),
		Size:        int64(c.Size),
		PartSize:    int64(c.PartSize),
		Parts:       c.Parts,
		Concurrency: c.Concurrency,
		Duration:    c.Duration,
		Objects:     c.Objects,
		ServerPID:   c.ServerPID,
		Cleanup:     c.Cleanup,
		Seed:        c.Seed,
	})
	if rep == nil {
		return err
	}
	var werr error
	if c.JSON {
		werr = rep.WriteJSON(os.Stdout, err)
	} else {
		werr = rep.WriteText(os.Stdout)
	}
	if err != nil {
		return err
	}
	return werr
}
