// Command cairn is an S3-compatible object store in one binary.
//
//	cairn server --listen 127.0.0.1:9000 --data ./data
//	cairn user add --name alt --access-key AK --secret-key SK
//
// This file is wiring only: the commands live in the files beside it.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kong"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type cli struct {
	Config kong.ConfigFlag `help:"JSON file with flag values (keys are flag names)." env:"CAIRN_CONFIG" placeholder:"FILE"`

	Server  serverCmd  `cmd:"" help:"Run the S3 server."`
	User    userCmd    `cmd:"" help:"Manage users and their access keys (works while the server runs)."`
	GC      gcCmd      `cmd:"" name:"gc" help:"Collect garbage in a data directory whose server is stopped."`
	Bench   benchCmd   `cmd:"" help:"Measure a running server: PUT/GET throughput and latency, multipart upload, Complete."`
	Version versionCmd `cmd:"" help:"Print the version."`
}

type versionCmd struct{}

func (versionCmd) Run() error {
	fmt.Println("cairn", version)
	return nil
}

func main() {
	var c cli
	k := kong.Parse(&c,
		kong.Name("cairn"),
		kong.Description("Cairn: an S3-compatible object store with multipart upload done right."),
		kong.Configuration(kong.JSON),
		kong.UsageOnError(),
	)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	k.BindTo(ctx, (*context.Context)(nil))
	if err := k.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "cairn:", err)
		os.Exit(1)
	}
}

// newLogger returns a text logger on stderr at the given level.
func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}
