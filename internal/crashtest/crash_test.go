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
	maxKill    = 1300 * time.Millisecond
	// gcEvery is how often (in rounds, and after the last) the server is
	// stopped, collected offline and its stores inspected.
	gcEvery = 3
	// maxFailuresShown bounds the load failures printed per round.
	maxFailuresShown = 20
	// maxAim is how long past the kill delay the killer waits for a request
	// of the kind it aims at to be in flight.
	maxAim = 150 * time.Millisecond
)

// killAims are the kinds of request a round's kill waits for: "" kills at
// the delay whatever runs. The multipart requests are rare and short, so a
// kill at a random instant would seldom cut one; once the delay is over the
// workers favour the kind aimed at.
func killAims() []string {
	return []string{"", "", "part", "part copy", "create upload", "complete", "complete", "abort"}
}

// childEnv makes the collector run often, so that collection and the
// orphan scan race with the load and with the copies and completed uploads
// that share extents, and lets Complete take parts of any size, so that
// parts can be small.
func childEnv() []string {
	return []string{"CAIRN_GC_INTERVAL=200ms", "CAIRN_ORPHAN_SCAN_INTERVAL=1s", "CAIRN_MIN_PART_SIZE=1"}
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
// the data directory, the bodies written, what every key holds and the
// uploads in progress with their parts.
type crashRun struct {
	t        *testing.T
	cfg      crashConfig
	rng      *rand.Rand
	bin      string
	dataDir  string
	bucket   string
	keys     []string
	ledger   *ledger
	parts    *ledger
	uploads  *uploads
	contents *contents
	versions atomic.Uint64
}

// TestCrashRecovery kills a cairn server with SIGKILL under concurrent
// write load, multipart uploads included, round after round on one data
// directory, and checks after every restart that each key reads back as an
// acceptable state, byte for byte, that every upload is intact or cleanly
// gone as its history allows, and after every collection that storage
// holds exactly the live data.
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
		parts:    newLedger(),
		uploads:  newUploads(),
		contents: newContents(cfg.seed),
	}
	for i := range keyCount {
		r.keys = append(r.keys, fmt.Sprintf("key-%02d", i))
	}

	srv := startChild(t, r.bin, r.dataDir, childEnv())
	if _, err := srv.client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &r.bucket}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	observed, observedParts := map[string]state{}, map[string]state{}
	var total uploadStats
	for round := 1; round <= cfg.rounds; round++ {
		start := time.Now()
		r.ledger.startRound(observed)
		r.parts.startRound(observedParts)
		summary := fmt.Sprintf("round %d: %s", round, r.loadAndKill(srv))
		checkServerLog(t, srv)

		srv = startChild(t, r.bin, r.dataDir, childEnv())
		observed = verifyKeys(t, srv.client, r.bucket, r.keys, r.ledger, r.contents)
		var ust uploadStats
		observedParts, ust = verifyUploads(t, srv.client, r.bucket, r.uploads, r.parts, r.contents, observed)
		summary += "; " + ust.String()
		total.add(ust)
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

	t.Logf("all rounds: %s", total)

	// A last look: after the final collection every key still reads back
	// exactly as observed and every upload is intact. Then every upload is
	// completed, which reads its parts back as objects, and collected once
	// more.
	r.ledger.startRound(observed)
	r.parts.startRound(observedParts)
	verifyKeys(t, srv.client, r.bucket, r.keys, r.ledger, r.contents)
	_, _ = verifyUploads(t, srv.client, r.bucket, r.uploads, r.parts, r.contents, observed)
	if t.Failed() {
		t.Fatalf("after the final collection (seed %d)\n%s", cfg.seed, srv.stderr.tail())
	}
	r.ledger.startRound(observed)
	completed, aborted := completeAll(t, srv.client, r.bucket, r.uploads, r.ledger, r.parts, r.contents)
	verifyKeys(t, srv.client, r.bucket, r.keys, r.ledger, r.contents)
	srv.stop()
	checkServerLog(t, srv)
	if t.Failed() {
		t.Fatalf("completing the uploads left after the final collection (seed %d)", cfg.seed)
	}
	runGC(t, r.bin, r.dataDir)
	st := checkStores(t, r.dataDir, r.bucket)
	if st.Uploads != 0 {
		t.Errorf("%d uploads are left after every upload was completed or aborted", st.Uploads)
	}
	t.Logf("completed the %d uploads left, aborted %d that had no part a Complete could name; after gc: %s", completed, aborted, st)
	if t.Failed() {
		t.Fatalf("storage after the last collection is wrong (seed %d)", cfg.seed)
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
		parts:    r.parts,
		uploads:  r.uploads,
		contents: r.contents,
		versions: &r.versions,
		acked:    map[string]int{},
		running:  map[string]int{},
	}
	workers := minWorkers + r.rng.IntN(maxWorkers-minWorkers+1)
	delay := minKill + time.Duration(r.rng.Int64N(int64(maxKill-minKill)))
	aims := killAims()
	aim := aims[r.rng.IntN(len(aims))]
	ld.aim = aim
	// After an aimed request is seen leaving, a little more time lets it
	// reach the server, or not.
	settle := time.Duration(r.rng.Int64N(int64(15 * time.Millisecond)))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		rng := rand.New(rand.NewPCG(r.rng.Uint64(), r.rng.Uint64()))
		wg.Go(func() { ld.work(ctx, rng) })
	}
	time.Sleep(delay)
	aimed := "killed after " + delay.Round(time.Millisecond).String()
	if aim != "" {
		ld.aiming.Store(true)
		aimStart := time.Now()
		for ld.inFlight(aim) == 0 && time.Since(aimStart) < maxAim {
			time.Sleep(100 * time.Microsecond)
		}
		waited := time.Since(aimStart).Round(time.Millisecond)
		if n := ld.inFlight(aim); n > 0 {
			aimed += fmt.Sprintf(" and %v more, %v after %d %s left", waited, settle.Round(100*time.Microsecond), n, aim)
			time.Sleep(settle)
		} else {
			aimed += fmt.Sprintf(" and %v more, no %s in flight", waited, aim)
		}
	}
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
	return fmt.Sprintf("%d workers, %s, with %d writes and %d parts in flight; acknowledged: %s",
		workers, aimed, r.ledger.inFlight(), r.parts.inFlight(), ld.summary())
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
