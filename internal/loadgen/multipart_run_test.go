package loadgen

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cairn-s3/cairn/internal/s3"
)

func TestRunMultipart(t *testing.T) {
	f, srv := newFakeS3(t)
	f.minPartSize = 64 << 10
	cfg := testConfig(srv.URL, OpMultipart)
	cfg.Size = 1<<20 + 123 // 16 parts of 64 KiB and a short last one
	cfg.PartSize = 64 << 10
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := rep.Multipart
	if m == nil || m.Parts != 17 || m.PartLatency.Count != 17 || m.CompleteLatency <= 0 || m.Elapsed < m.CompleteLatency {
		t.Fatalf("multipart result %+v", m)
	}
	if n := f.count("PUT part"); n != 17 {
		t.Errorf("server saw %d UploadPart, want 17", n)
	}
	data, ok := f.object("bench/bench/multipart-" + Size(cfg.Size).String())
	if !ok || int64(len(data)) != cfg.Size {
		t.Errorf("completed object: %d bytes, %v; want %d", len(data), ok, cfg.Size)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil || !strings.Contains(text.String(), "17 parts of 64KiB") {
		t.Errorf("text report (%v):\n%s", err, text.String())
	}
}

func TestRunComplete(t *testing.T) {
	f, srv := newFakeS3(t)
	f.minPartSize = 1
	cfg := testConfig(srv.URL, OpComplete)
	cfg.Parts = 2345
	cfg.Concurrency = 8
	cfg.Cleanup = true
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Complete
	if c == nil || c.Parts != 2345 || c.PartSize != 1 || c.ListPartsPages.Count != 3 || c.CompleteLatency <= 0 {
		t.Fatalf("complete result %+v, want 2345 one-byte parts listed in 3 pages", c)
	}
	if n := f.count("GET listparts"); n != 3 {
		t.Errorf("server saw %d ListParts, want 3 pages", n)
	}
	if n := f.count("DELETE delete"); n != 1 {
		t.Errorf("cleanup deleted %d objects, want 1", n)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil || !strings.Contains(text.String(), "--min-part-size 1") {
		t.Errorf("the text report must name the server option (%v):\n%s", err, text.String())
	}
}

func TestRunCompleteNeedsSmallMinPartSize(t *testing.T) {
	f, srv := newFakeS3(t)
	f.minPartSize = 5 << 20 // a server with S3's default
	cfg := testConfig(srv.URL, OpComplete)
	cfg.Parts = 3
	_, err := Run(context.Background(), cfg)
	if !errors.Is(err, s3.ErrEntityTooSmall) || !strings.Contains(err.Error(), "--min-part-size 1") {
		t.Fatalf("Run: %v, want EntityTooSmall with the server option", err)
	}
	if n := f.count("DELETE abort"); n != 1 {
		t.Errorf("the failed upload was aborted %d times, want 1", n)
	}
}

func TestRunCompleteErrorAfter200(t *testing.T) {
	f, srv := newFakeS3(t)
	f.minPartSize = 1
	f.completeError = "InternalError"
	cfg := testConfig(srv.URL, OpMultipart)
	cfg.Size, cfg.PartSize = 10, 4
	_, err := Run(context.Background(), cfg)
	var re *ResponseError
	if !errors.As(err, &re) || re.Status != 200 || !errors.Is(err, s3.ErrInternalError) {
		t.Fatalf("Run: %v, want the <Error> sent after 200 to fail the run", err)
	}
	if n := f.count("DELETE abort"); n != 1 {
		t.Errorf("the failed upload was aborted %d times, want 1", n)
	}
}
