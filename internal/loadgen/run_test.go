package loadgen

import (
	"bytes"
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

func testConfig(endpoint string, op Op) Config {
	return Config{
		Client:      ClientConfig{Endpoint: endpoint, AccessKey: testAccessKey, SecretKey: testSecretKey},
		Bucket:      "bench",
		Op:          op,
		Size:        4 << 10,
		Concurrency: 4,
		Duration:    150 * time.Millisecond,
		Seed:        7,
		md5Size:     1 << 20,
	}
}

func TestRunPutThenGet(t *testing.T) {
	f, srv := newFakeS3(t)
	cfg := testConfig(srv.URL, OpBoth)
	cfg.Objects = 5
	if runtime.GOOS == "linux" {
		cfg.ServerPID = os.Getpid() // the fake server runs in this process
	}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Phases) != 2 || rep.Phases[0].Op != OpPut || rep.Phases[1].Op != OpGet {
		t.Fatalf("phases %+v, want put then get", rep.Phases)
	}
	put, get := rep.Phases[0], rep.Phases[1]
	if put.Ops < 5 || put.Errors != 0 || put.Bytes != put.Ops*cfg.Size || put.Keys != 5 {
		t.Errorf("put phase: %d ops, %d bytes, %d errors, %d keys; want >= 5 ops of 4 KiB over 5 keys", put.Ops, put.Bytes, put.Errors, put.Keys)
	}
	if get.Ops == 0 || get.Errors != 0 || get.Bytes != get.Ops*cfg.Size || get.Keys != 5 {
		t.Errorf("get phase: %d ops, %d bytes, %d errors, %d keys", get.Ops, get.Bytes, get.Errors, get.Keys)
	}
	for _, p := range rep.Phases {
		if p.Latency.Count != int(p.Ops) || p.Latency.P50 <= 0 || p.Latency.P99 < p.Latency.P50 {
			t.Errorf("%s latency %+v for %d ops", p.Op, p.Latency, p.Ops)
		}
		if p.Elapsed < cfg.Duration {
			t.Errorf("%s phase lasted %v, less than %v", p.Op, p.Elapsed, cfg.Duration)
		}
		if cfg.ServerPID != 0 && (p.Usage.Server == nil || p.Usage.Server.PeakRSS <= 0 || p.Usage.Server.CPU <= 0) {
			t.Errorf("%s phase: server usage %+v, want figures", p.Op, p.Usage.Server)
		}
		// The machine was at least about as busy as the client (tick
		// accounting is coarse: only compare sizeable figures).
		if p.Usage.Client > 200*time.Millisecond && p.Usage.Machine < p.Usage.Client/2 {
			t.Errorf("%s phase: machine busy %v, client %v", p.Op, p.Usage.Machine, p.Usage.Client)
		}
	}
	// The PUT phase cycled through 5 keys: the disk use is bounded.
	if n := f.objectCount(); n != 5 {
		t.Errorf("server holds %d objects, want the 5 keys cycled through", n)
	}
	data, ok := f.object("bench/bench/4KiB-00000003")
	if !ok || len(data) != 4<<10 {
		t.Fatalf("object bench/4KiB-00000003: %d bytes, %v", len(data), ok)
	}
	// Bodies are random, not zeros.
	if bytes.Count(data, []byte{0}) > len(data)/16 {
		t.Error("object data is mostly zeros, want random bytes")
	}
	if f.count("GET get") != int(get.Ops) {
		t.Errorf("server saw %d GETs, report says %d", f.count("GET get"), get.Ops)
	}
	if rep.MD5MiBps <= 0 {
		t.Errorf("MD5 baseline %v", rep.MD5MiBps)
	}
	if fr, ok := rep.PutShareOfMD5(); !ok || fr <= 0 {
		t.Errorf("PutShareOfMD5 = %v, %v", fr, ok)
	}
	var text, js bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"md5 baseline", "put", "get", "of single-core MD5"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	for _, want := range []string{`"md5_mib_s"`, `"put_md5_fraction"`, `"p99_ms"`, `"client_cpu_s"`, `"machine_cpu_s"`, `"peak_rss_bytes"`} {
		if !strings.Contains(js.String(), want) {
			t.Errorf("JSON report lacks %s:\n%s", want, js.String())
		}
	}
}

func TestRunPutDistinctKeys(t *testing.T) {
	f, srv := newFakeS3(t)
	cfg := testConfig(srv.URL, OpPut)
	cfg.Cleanup = true
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	put := rep.Phases[0]
	if put.Keys != int(put.Ops) {
		t.Errorf("%d keys for %d PUTs, want a new key per PUT", put.Keys, put.Ops)
	}
	if n := f.count("DELETE delete"); n != put.Keys {
		t.Errorf("cleanup deleted %d keys, want %d", n, put.Keys)
	}
	if n := f.objectCount(); n != 0 {
		t.Errorf("%d objects left after cleanup", n)
	}
}

func TestRunGetCreatesMissingObjects(t *testing.T) {
	f, srv := newFakeS3(t)
	cfg := testConfig(srv.URL, OpGet)
	cfg.Objects = 6
	for i, want := range []int{6, 0} { // the second run finds the objects there
		before := f.count("PUT put")
		rep, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if created := f.count("PUT put") - before; created != want {
			t.Errorf("run %d created %d objects, want %d", i, created, want)
		}
		if g := rep.Phases[0]; g.Op != OpGet || g.Keys != 6 || g.Ops == 0 {
			t.Errorf("run %d: phase %+v", i, g)
		}
	}
}

func TestRunFailsOnFirstError(t *testing.T) {
	f, srv := newFakeS3(t)
	f.failPutAfter = 3
	cfg := testConfig(srv.URL, OpBoth)
	cfg.Duration = 10 * time.Second // the failure, not the clock, ends it
	start := time.Now()
	rep, err := Run(context.Background(), cfg)
	if !errors.Is(err, s3.ErrSlowDown) {
		t.Fatalf("Run: %v, want the SlowDown the server answered", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("Run went on for %v after the failure", time.Since(start))
	}
	if len(rep.Phases) != 1 || rep.Phases[0].Errors != 1 || rep.Phases[0].Ops != 3 {
		t.Errorf("phases %+v: want the put phase only, 3 ops and 1 error", rep.Phases)
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js, err); err != nil || !strings.Contains(js.String(), `"error": "put phase: PutObject`) {
		t.Errorf("JSON report of a failed run: %v\n%s", err, js.String())
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	_, srv := newFakeS3(t)
	cfg := testConfig(srv.URL, OpPut)
	cfg.Duration = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := Run(ctx, cfg); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run with a cancelled context: %v", err)
	}
}

func TestConfigRejects(t *testing.T) {
	base := testConfig("http://127.0.0.1:1", OpPut)
	tests := []struct {
		name string
		edit func(*Config)
	}{
		{"no bucket", func(c *Config) { c.Bucket = "" }},
		{"zero concurrency", func(c *Config) { c.Concurrency = 0 }},
		{"zero size", func(c *Config) { c.Size = 0 }},
		{"too large for a PUT", func(c *Config) { c.Size = s3.MaxPutSize + 1 }},
		{"no duration", func(c *Config) { c.Duration = 0 }},
		{"negative objects", func(c *Config) { c.Objects = -1 }},
		{"unknown op", func(c *Config) { c.Op = "scan" }},
		{"too many parts", func(c *Config) { c.Op, c.Size, c.PartSize = OpMultipart, 10001, 1 }},
		{"complete without parts", func(c *Config) { c.Op, c.Parts = OpComplete, 0 }},
		{"complete with too many parts", func(c *Config) { c.Op, c.Parts = OpComplete, 10001 }},
	}
	for _, tt := range tests {
		cfg := base
		tt.edit(&cfg)
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("%s: Run succeeded", tt.name)
		}
	}
}
