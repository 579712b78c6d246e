package crashtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Workload shape.
const (
	keyCount   = 50
	minWorkers = 8
	maxWorkers = 16
	minKill    = 100 * time.Millisecond
	maxKill    = 1500 * time.Millisecond
	// gcEvery is how often (in rounds, and after the last) the server is
	// stopped, collected offline and its stores inspected.
	gcEvery = 3
	// maxFailuresShown bounds the load failures printed per round.
	maxFailuresShown = 20
)

// childEnv makes the collector run often, so that collection and the
// orphan scan race with the load and with the copies that share extents.
func childEnv() []string {
	return []string{"CAIRN_GC_INTERVAL=200ms", "CAIRN_ORPHAN_SCAN_INTERVAL=1s"}
}

// crashConfig is how many rounds to run and the seed of every random choice.
type crashConfig struct {
	rounds int
	seed   uint64
}

// crashConfigFromEnv reads CAIRN_CRASH_ROUNDS and CAIRN_CRASH_SEED; the
// defaults are 12 rounds (3 with -short) and a seed from the clock.
func crashConfigFromEnv(t *testing.T) crashConfig {
	t.Helper()
	c := crashConfig{rounds: 12, seed: uint64(time.Now().UnixNano())}
	if testing.Short() {
		c.rounds = 3
	}
	if v := os.Getenv("CAIRN_CRASH_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("CAIRN_CRASH_ROUNDS=%q: want a positive integer", v)
		}
		c.rounds = n
	}
	if v := os.Getenv("CAIRN_CRASH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("CAIRN_CRASH_SEED=%q: want an unsigned integer", v)
		}
		c.seed = n
	}
	return c
}

// crashRun is the state that survives from round to round: the binary,
// the data directory, the bodies written and what every key holds.
type crashRun struct {
	t        *testing.T
	cfg      crashConfig
	rng      *rand.Rand
	bin      string
	dataDir  string
	bucket   string
	keys     []string
	ledger   *ledger
	contents *contents
	versions atomic.Uint64
}

// TestCrashRecovery kills a cairn server with SIGKILL under concurrent
// write load, round after round on one data directory, and checks after
// every restart that each key reads back as an acceptable state, byte for
// byte, and after every collection that storage holds exactly the live
// data.
func TestCrashRecovery(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the crash test signals its child with SIGKILL and SIGTERM")
	}
	cfg := crashConfigFromEnv(t)
	t.Logf("seed %d (replay with CAIRN_CRASH_SEED=%d), %d rounds", cfg.seed, cfg.seed, cfg.rounds)
	built := time.Now()
	bin := buildCairn(t)
	t.Logf("built cairn in %v", time.Since(built).Round(time.Millisecond))
	r := &crashRun{
		t:        t,
		cfg:      cfg,
		rng:      rand.New(rand.NewPCG(cfg.seed, 0x63726173685f7465)),
		bin:      bin,
		dataDir:  t.TempDir(),
		bucket:   "crash",
		ledger:   newLedger(),
		contents: newContents(cfg.seed),
	}
	for i := range keyCount {
		r.keys = append(r.keys, fmt.Sprintf("key-%02d", i))
	}

	srv := startChild(t, r.bin, r.dataDir, childEnv())
	if _, err := srv.client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &r.bucket}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	observed := map[string]state{}
	for round := 1; round <= cfg.rounds; round++ {
		start := time.Now()
		r.ledger.startRound(observed)
		summary := fmt.Sprintf("round %d: %s", round, r.loadAndKill(srv))
		checkServerLog(t, srv)

		srv = startChild(t, r.bin, r.dataDir, childEnv())
		observed = verifyKeys(t, srv.client, r.bucket, r.keys, r.ledger, r.contents)
		if t.Failed() {
			checkServerLog(t, srv)
			t.Fatalf("%s\nFAILED (seed %d)\n%s", summary, cfg.seed, srv.stderr.tail())
		}
		if round%gcEvery == 0 || round == cfg.rounds {
			srv.stop()
			checkServerLog(t, srv)
			gc := runGC(t, r.bin, r.dataDir)
			st := checkStores(t, r.dataDir, r.bucket)
			if t.Failed() {
				t.Fatalf("%s\nstorage after collection is wrong (seed %d); cairn gc said %q", summary, cfg.seed, gc)
			}
			summary += "; after gc: " + st.String()
			srv = startChild(t, r.bin, r.dataDir, childEnv())
		}
		t.Logf("%s; %v", summary, time.Since(start).Round(time.Millisecond))
	}

	// A last look: after the final collection every key still reads back
	// exactly as observed.
	r.ledger.startRound(observed)
	verifyKeys(t, srv.client, r.bucket, r.keys, r.ledger, r.contents)
	srv.stop()
	checkServerLog(t, srv)
	if t.Failed() {
		t.Fatalf("after the final collection (seed %d)", cfg.seed)
	}
}

// loadAndKill runs a round's load against srv and kills srv with SIGKILL
// at a random moment. It returns a summary of what the round did.
func (r *crashRun) loadAndKill(srv *child) string {
	t := r.t
	t.Helper()
	ld := &load{
		client:   srv.client,
		bucket:   r.bucket,
		keys:     r.keys,
		ledger:   r.ledger,
		contents: r.contents,
		versions: &r.versions,
		acked:    map[string]int{},
	}
	workers := minWorkers + r.rng.IntN(maxWorkers-minWorkers+1)
	delay := minKill + time.Duration(r.rng.Int64N(int64(maxKill-minKill)))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		rng := rand.New(rand.NewPCG(r.rng.Uint64(), r.rng.Uint64()))
		wg.Go(func() { ld.work(ctx, rng) })
	}
	time.Sleep(delay)
	ld.killed.Store(true)
	srv.kill()
	cancel()

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(requestTimeout + 5*time.Second):
		t.Fatalf("load workers still running %v after the kill", requestTimeout+5*time.Second)
	}

	for i, f := range ld.failures {
		if i == maxFailuresShown {
			t.Errorf("... and %d more load failures", len(ld.failures)-i)
			break
		}
		t.Errorf("under load: %s", f)
	}
	return fmt.Sprintf("%d workers, killed after %v with %d writes in flight; acknowledged: %s",
		workers, delay.Round(time.Millisecond), r.ledger.inFlight(), ld.summary())
}

// checkServerLog fails the test for every error the server logged: an
// internal error a client saw as a 500, a panic, or a data race.
func checkServerLog(t *testing.T, c *child) {
	t.Helper()
	lines := c.stderr.errorLines()
	for _, l := range lines {
		t.Errorf("server logged an error: %s", l)
	}
	if len(lines) > 0 {
		t.Log(c.stderr.tail())
	}
}
