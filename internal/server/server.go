package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cairn-s3/cairn/internal/blob/fsblob"
	"github.com/cairn-s3/cairn/internal/iam"
	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/meta/sqlmeta"
	"github.com/cairn-s3/cairn/internal/object"
	"github.com/cairn-s3/cairn/internal/s3api"
)

// Server is a running Cairn: stores, service, HTTP handler and collector.
type Server struct {
	cfg     Config
	lock    *os.File
	meta    meta.Store
	blobs   *fsblob.Store
	svc     *object.Service
	dir     *iam.Directory
	handler http.Handler
	// extra are the handlers of Listeners, in the same order.
	extra []http.Handler
}

// metaFile is the SQLite database inside the data directory.
const metaFile = "meta.db"

// OpenMeta opens the metadata store of a data directory. The server and the
// user-management commands share it; SQLite lets them write concurrently.
func OpenMeta(ctx context.Context, dataDir string, cfg Config) (meta.Store, error) {
	cfg.applyDefaults()
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	return sqlmeta.OpenSQLite(ctx, filepath.Join(dataDir, metaFile), sqlmeta.Options{Logger: cfg.Logger})
}

// Open opens the data directory and assembles the server, without serving.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	cfg.applyDefaults()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	lock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, lock: lock}
	if err := s.open(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) open(ctx context.Context) error {
	cfg := s.cfg
	var err error
	if s.meta, err = OpenMeta(ctx, cfg.DataDir, cfg); err != nil {
		return fmt.Errorf("open metadata: %w", err)
	}
	if cfg.WrapMeta != nil {
		s.meta = cfg.WrapMeta(s.meta)
	}
	if s.blobs, err = fsblob.Open(cfg.DataDir); err != nil {
		return fmt.Errorf("open blob store: %w", err)
	}
	s.dir = iam.NewDirectory(s.meta, cfg.IdentityCacheTTL)
	ak, sk, err := rootKeys(cfg.DataDir, cfg.RootAccessKey, cfg.RootSecretKey, cfg.Out)
	if err != nil {
		return err
	}
	if err := s.dir.EnsureRoot(ctx, ak, sk); err != nil {
		return fmt.Errorf("set up root user: %w", err)
	}
	s.svc = object.New(object.Config{
		Region:              cfg.Region,
		InlineMax:           cfg.InlineMax,
		MinPartSize:         cfg.MinPartSize,
		CompletionRetention: cfg.CompletionRetention,
		UploadIdleExpiry:    cfg.UploadIdleExpiry,
		Logger:              cfg.Logger,
	}, s.meta, s.blobs)
	api := s3api.Config{
		Domains:                   cfg.Domains,
		COSDomains:                cfg.COSDomains,
		Dialect:                   cfg.Dialect,
		Logger:                    cfg.Logger,
		CompleteKeepAliveDelay:    cfg.CompleteKeepAliveDelay,
		CompleteKeepAliveInterval: cfg.CompleteKeepAliveInterval,
	}
	if s.handler, err = s3api.New(api, s.svc, s.dir); err != nil {
		return err
	}
	for _, l := range cfg.Listeners {
		api.Dialect = l.Dialect
		h, err := s3api.New(api, s.svc, s.dir)
		if err != nil {
			return fmt.Errorf("listener %s: %w", l.Addr, err)
		}
		if (l.TLSCert == "") != (l.TLSKey == "") {
			return fmt.Errorf("listener %s: set both a TLS certificate and key, or neither", l.Addr)
		}
		s.extra = append(s.extra, h)
	}
	return nil
}

// Handler is the S3 API handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Service is the object service, for tests and tools.
func (s *Server) Service() *object.Service { return s.svc }

// Serve serves the main listener on ln, and the configured extra
// listeners, and runs background jobs until ctx is done; then it shuts down
// gracefully: in-flight requests get ShutdownTimeout to finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	type served struct {
		srv *http.Server
		ln  net.Listener
		tls *Listener
	}
	all := []served{{srv: s.httpServer(s.handler), ln: ln}}
	for i, l := range s.cfg.Listeners {
		eln, err := net.Listen("tcp", l.Addr)
		if err != nil {
			for _, a := range all {
				a.ln.Close()
			}
			return fmt.Errorf("listen %s: %w", l.Addr, err)
		}
		all = append(all, served{srv: s.httpServer(s.extra[i]), ln: eln, tls: &s.cfg.Listeners[i]})
	}

	bgCtx, stopBG := context.WithCancel(ctx)
	var bg sync.WaitGroup
	bg.Add(2)
	go func() { defer bg.Done(); s.collect(bgCtx) }()
	go func() { defer bg.Done(); s.sweep(bgCtx) }()

	errc := make(chan error, len(all))
	for _, a := range all {
		dialect := s.cfg.Dialect
		if a.tls != nil {
			dialect = a.tls.Dialect
		}
		if a.tls != nil && a.tls.TLSCert != "" {
			go func() { errc <- a.srv.ServeTLS(a.ln, a.tls.TLSCert, a.tls.TLSKey) }()
			s.cfg.Logger.Info("cairn serving S3", "listen", a.ln.Addr().String(), "dialect", dialectName(dialect), "tls", true, "data", s.cfg.DataDir)
			continue
		}
		go func() { errc <- a.srv.Serve(a.ln) }()
		s.cfg.Logger.Info("cairn serving S3", "listen", a.ln.Addr().String(), "dialect", dialectName(dialect), "data", s.cfg.DataDir)
	}

	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	for _, a := range all {
		if serr := a.srv.Shutdown(sctx); err == nil {
			err = serr
		}
	}
	cancel()
	stopBG()
	bg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func (s *Server) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

func dialectName(d string) string {
	if d == "" {
		return "s3"
	}
	return d
}

// ListenAndServe listens on cfg.Listen and serves until ctx is done.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// collect runs the collector: a full pass with an orphan scan at start-up,
// then releases every GCInterval and scans every OrphanScanInterval.
func (s *Server) collect(ctx context.Context) {
	log := s.cfg.Logger
	run := func(scan bool) {
		st, err := s.svc.CollectGarbage(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("garbage collection", "err", err)
		}
		var orphans int
		if scan {
			orphans, err = s.svc.ScanOrphans(ctx)
			if err != nil && ctx.Err() == nil {
				log.Warn("orphan scan", "err", err)
			}
		}
		if st.BlobsDeleted+st.OrphansDeleted+orphans > 0 {
			log.Info("garbage collected", "extents", st.ExtentsReleased, "blobs", st.BlobsDeleted, "orphans", st.OrphansDeleted+orphans)
		}
	}
	run(true)
	gc := time.NewTicker(s.cfg.GCInterval)
	defer gc.Stop()
	lastScan := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-gc.C:
			scan := time.Since(lastScan) >= s.cfg.OrphanScanInterval
			if scan {
				lastScan = time.Now()
			}
			run(scan)
		}
	}
}

// sweep applies lifecycle rules and the idle expiry to uploads, and forgets
// old completion records, at start-up and every UploadSweepInterval.
func (s *Server) sweep(ctx context.Context) {
	run := func() {
		st, err := s.svc.SweepUploads(ctx)
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("upload sweep", "err", err)
		}
		if st.Aborted > 0 {
			s.cfg.Logger.Info("aborted expired uploads", "uploads", st.Aborted)
		}
	}
	run()
	t := time.NewTicker(s.cfg.UploadSweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			run()
		}
	}
}

// Close releases the stores and the data directory lock.
func (s *Server) Close() error {
	var errs []error
	if s.meta != nil {
		errs = append(errs, s.meta.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
	}
	return errors.Join(errs...)
}

// CollectOffline runs one full collection (release, delete garbage, orphan
// scan) on a data directory that no server is using.
func CollectOffline(ctx context.Context, cfg Config) (object.GCStats, error) {
	cfg.applyDefaults()
	lock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return object.GCStats{}, err
	}
	defer lock.Close()
	store, err := OpenMeta(ctx, cfg.DataDir, cfg)
	if err != nil {
		return object.GCStats{}, err
	}
	defer store.Close()
	blobs, err := fsblob.Open(cfg.DataDir)
	if err != nil {
		return object.GCStats{}, err
	}
	svc := object.New(object.Config{Logger: cfg.Logger}, store, blobs)
	st, err := svc.CollectGarbage(ctx)
	if err != nil {
		return st, err
	}
	n, err := svc.ScanOrphans(ctx)
	st.OrphansDeleted += n
	return st, err
}
