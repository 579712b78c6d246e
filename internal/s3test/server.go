// Package s3test runs a real Cairn server on 127.0.0.1 for tests and hands
// out clients for it: aws-sdk-go-v2 and minio-go, two independent signer
// and streaming implementations.
package s3test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/internal/iam"
	"github.com/cairn-s3/cairn/internal/server"
)

// Credentials are a user's key pair.
type Credentials struct {
	AccessKey string
	SecretKey string
}

// Root is the root key pair every test server starts with.
var Root = Credentials{AccessKey: "CAIRNROOTACCESSKEY01", SecretKey: "cairn-root-secret-key-for-tests-only-000"}

// Server is a Cairn server listening on 127.0.0.1.
type Server struct {
	// URL is the endpoint, e.g. http://127.0.0.1:43121.
	URL string
	// Addr is host:port.
	Addr string
	// DataDir is the server's data directory.
	DataDir string
	// Domain is the virtual-host base domain the server accepts.
	Domain string

	srv *server.Server
}

// Option adjusts a test server's configuration.
type Option func(*server.Config)

// WithConfig applies fn to the server configuration.
func WithConfig(fn func(*server.Config)) Option { return Option(fn) }

// Start starts a server on a fresh data directory and stops it when the
// test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return StartIn(t, t.TempDir(), opts...)
}

// StartIn starts a server on the given data directory.
func StartIn(t testing.TB, dataDir string, opts ...Option) *Server {
	t.Helper()
	cfg := server.Config{
		DataDir:          dataDir,
		Domains:          []string{"s3.cairn.test"},
		RootAccessKey:    Root.AccessKey,
		RootSecretKey:    Root.SecretKey,
		IdentityCacheTTL: -1,
		Logger:           slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatalf("open server: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		srv.Close()
		t.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("server did not shut down")
		}
		if err := srv.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	addr := ln.Addr().String()
	return &Server{URL: "http://" + addr, Addr: addr, DataDir: dataDir, Domain: cfg.Domains[0], srv: srv}
}

// Handler is the server's S3 handler, for in-process requests.
func (s *Server) Handler() http.Handler { return s.srv.Handler() }

// Server is the underlying server.
func (s *Server) Server() *server.Server { return s.srv }

// AddUser adds a user with generated keys and returns them.
func (s *Server) AddUser(t testing.TB, name string) Credentials {
	t.Helper()
	store, err := server.OpenMeta(context.Background(), s.DataDir, server.Config{})
	if err != nil {
		t.Fatalf("open meta: %v", err)
	}
	defer store.Close()
	k, err := iam.NewDirectory(store, 0).AddUser(context.Background(), name, "", "")
	if err != nil {
		t.Fatalf("add user %s: %v", name, err)
	}
	return Credentials{AccessKey: k.AccessKey, SecretKey: k.SecretKey}
}

// testWriter sends server logs to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

var _ io.Writer = testWriter{}
