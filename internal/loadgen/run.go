package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// bench is one run in progress.
type bench struct {
	cfg    Config
	client *Client
	// data is the random bytes every request body is a prefix of.
	data []byte
	rng  *rand.Rand
}

// Run carries out the run cfg describes against a server and reports what
// it measured. It creates the bucket if it is missing. Any failed request
// ends the run: the error is returned with the report so far.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	cc := cfg.Client
	cc.Conns = max(cc.Conns, cfg.Concurrency)
	client, err := NewClient(cc)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	seed := cfg.Seed
	b := &bench{cfg: cfg, client: client, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	b.data = make([]byte, cfg.bufferSize())
	fillRandom(b.data, seed)

	rep := &Report{Endpoint: cc.Endpoint, Bucket: cfg.Bucket, Op: cfg.Op, ServerPID: cfg.ServerPID}
	// The baseline is measured before any load, on data already in memory.
	md5Data := b.data
	if len(md5Data) < cfg.md5Size {
		md5Data = make([]byte, cfg.md5Size)
		fillRandom(md5Data, seed+1)
	}
	rep.MD5MiBps = MD5Rate(md5Data[:cfg.md5Size], md5Rounds)

	if cfg.ServerPID != 0 {
		// Fail before any load when the pid is wrong.
		if _, err := ReadProcessUsage(cfg.ServerPID); err != nil {
			return rep, err
		}
	}
	if err := client.EnsureBucket(ctx, cfg.Bucket); err != nil {
		return rep, err
	}

	switch cfg.Op {
	case OpPut, OpBoth:
		put, err := b.putPhase(ctx)
		rep.Phases = append(rep.Phases, put)
		if err != nil {
			return rep, err
		}
		if cfg.Op == OpBoth {
			get, err := b.getPhase(ctx, put.Keys)
			rep.Phases = append(rep.Phases, get)
			if err != nil {
				return rep, err
			}
		}
		if cfg.Cleanup {
			return rep, b.deleteKeys(ctx, put.Keys)
		}
	case OpGet:
		if err := b.ensureObjects(ctx, cfg.Objects); err != nil {
			return rep, err
		}
		get, err := b.getPhase(ctx, cfg.Objects)
		rep.Phases = append(rep.Phases, get)
		if err != nil {
			return rep, err
		}
		if cfg.Cleanup {
			return rep, b.deleteKeys(ctx, cfg.Objects)
		}
	case OpMultipart:
		m, err := b.multipart(ctx)
		rep.Multipart = m
		return rep, err
	case OpComplete:
		c, err := b.complete(ctx)
		rep.Complete = c
		return rep, err
	}
	return rep, nil
}

// fillRandom fills buf with pseudo-random bytes from seed. ChaCha8 runs at
// gigabytes per second, so even a large buffer costs little before the run.
func fillRandom(buf []byte, seed uint64) {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	_, _ = rand.NewChaCha8(s).Read(buf)
}

// key is the name of object number i of this run's size: sizes stay apart,
// so a GET run can reuse the objects of an earlier run of the same size.
func (b *bench) key(i int64) string {
	return fmt.Sprintf("%s%s-%08d", b.cfg.Prefix, Size(b.cfg.Size), i)
}

// usageMeter measures what the client, the server and the machine spend
// between start and stop.
type usageMeter struct {
	pid        int
	client     time.Duration
	machine    time.Duration
	serverBase time.Duration
}

func startUsage(pid int) (*usageMeter, error) {
	m := &usageMeter{pid: pid}
	var err error
	if m.client, err = SelfCPU(); err != nil {
		return nil, err
	}
	if m.machine, err = MachineBusy(); err != nil {
		return nil, err
	}
	if pid != 0 {
		u, err := ReadProcessUsage(pid)
		if err != nil {
			return nil, err
		}
		m.serverBase = u.CPU
	}
	return m, nil
}

// stop returns the usage since start.
func (m *usageMeter) stop() (Usage, error) {
	var u Usage
	client, err := SelfCPU()
	if err != nil {
		return u, err
	}
	u.Client = client - m.client
	machine, err := MachineBusy()
	if err != nil {
		return u, err
	}
	u.Machine = machine - m.machine
	if m.pid == 0 {
		return u, nil
	}
	p, err := ReadProcessUsage(m.pid)
	if err != nil {
		return u, err
	}
	u.Server = &ServerUsage{CPU: p.CPU - m.serverBase, PeakRSS: p.PeakRSS, RSS: p.RSS}
	return u, nil
}

// workerFunc does operation number i on behalf of worker w, whose private
// scratch buffer is buf, and returns the bytes it moved.
type workerFunc func(ctx context.Context, i int64, buf []byte) (int64, error)

// phaseStats is what a closed-loop phase measured.
type phaseStats struct {
	elapsed time.Duration
	ops     int64
	bytes   int64
	errors  int64
	latency LatencySummary
}

// closedLoop runs Concurrency workers, each doing one operation after
// another, until deadline passes or total operations have been started
// (total <= 0: no limit). Operation numbers are handed out in order. The
// first failure cancels the others and is returned; failures it causes in
// operations in flight are not counted.
func closedLoop(ctx context.Context, workers int, deadline time.Time, total int64, bufSize int, op workerFunc) (phaseStats, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		next  atomic.Int64
		errs  atomic.Int64
		wg    sync.WaitGroup
		lat   = make([][]time.Duration, workers)
		ops   = make([]int64, workers)
		bytes = make([]int64, workers)
	)
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			var buf []byte
			if bufSize > 0 {
				buf = make([]byte, bufSize)
			}
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := next.Add(1) - 1
				if total > 0 && i >= total {
					return
				}
				t0 := time.Now()
				n, err := op(ctx, i, buf)
				d := time.Since(t0)
				if err != nil {
					if context.Cause(ctx) == nil {
						errs.Add(1)
						cancel(err)
					}
					return
				}
				lat[w] = append(lat[w], d)
				ops[w]++
				bytes[w] += n
			}
		})
	}
	wg.Wait()
	st := phaseStats{elapsed: time.Since(start), errors: errs.Load(), latency: Summarize(lat...)}
	for w := range workers {
		st.ops += ops[w]
		st.bytes += bytes[w]
	}
	if cause := context.Cause(ctx); cause != nil {
		return st, cause
	}
	return st, nil
}

// phase runs one PUT or GET phase over keys and fills in its result.
func (b *bench) phase(ctx context.Context, op Op, keys int, bufSize int, fn workerFunc) (PhaseResult, error) {
	res := PhaseResult{Op: op, Size: b.cfg.Size, Concurrency: b.cfg.Concurrency, Keys: keys}
	meter, err := startUsage(b.cfg.ServerPID)
	if err != nil {
		return res, err
	}
	st, runErr := closedLoop(ctx, b.cfg.Concurrency, time.Now().Add(b.cfg.Duration), 0, bufSize, fn)
	res.Elapsed, res.Ops, res.Bytes, res.Errors, res.Latency = st.elapsed, st.ops, st.bytes, st.errors, st.latency
	res.Usage, err = meter.stop()
	if runErr != nil {
		return res, fmt.Errorf("%s phase: %w", op, runErr)
	}
	return res, err
}

// putPhase writes objects for the configured duration: distinct keys, or
// cycling through Objects keys.
func (b *bench) putPhase(ctx context.Context) (PhaseResult, error) {
	body := b.data[:b.cfg.Size]
	bound := int64(b.cfg.Objects)
	res, err := b.phase(ctx, OpPut, 0, 0, func(ctx context.Context, i int64, _ []byte) (int64, error) {
		if bound > 0 {
			i %= bound
		}
		if _, err := b.client.PutObject(ctx, b.cfg.Bucket, b.key(i), body); err != nil {
			return 0, err
		}
		return int64(len(body)), nil
	})
	// Every operation that was started finished (or the run failed), so
	// the keys written are the first min(ops, bound).
	res.Keys = int(res.Ops)
	if bound > 0 {
		res.Keys = int(min(res.Ops, bound))
	}
	return res, err
}

// getPhase reads the first keys objects in a random order, each once per
// pass, for the configured duration.
func (b *bench) getPhase(ctx context.Context, keys int) (PhaseResult, error) {
	if keys == 0 {
		return PhaseResult{Op: OpGet, Size: b.cfg.Size, Concurrency: b.cfg.Concurrency},
			fmt.Errorf("get phase: no objects to read")
	}
	order := b.rng.Perm(keys)
	size := b.cfg.Size
	return b.phase(ctx, OpGet, keys, drainBuffer, func(ctx context.Context, i int64, buf []byte) (int64, error) {
		key := b.key(int64(order[i%int64(len(order))]))
		n, err := b.client.GetObject(ctx, b.cfg.Bucket, key, buf)
		if err == nil && n != size {
			err = fmt.Errorf("GetObject %s/%s: %d bytes, want %d", b.cfg.Bucket, key, n, size)
		}
		return n, err
	})
}

// ensureObjects makes sure the first n keys hold objects of the run's
// size, writing those that are missing or of another size. It is setup:
// nothing is measured.
func (b *bench) ensureObjects(ctx context.Context, n int) error {
	body := b.data[:b.cfg.Size]
	_, err := closedLoop(ctx, b.cfg.Concurrency, time.Now().Add(24*time.Hour), int64(n), 0,
		func(ctx context.Context, i int64, _ []byte) (int64, error) {
			size, err := b.client.HeadObject(ctx, b.cfg.Bucket, b.key(i))
			if err == nil && size == b.cfg.Size {
				return 0, nil
			}
			var re *ResponseError
			if err != nil && !(errors.As(err, &re) && re.Status == 404) {
				return 0, err
			}
			_, err = b.client.PutObject(ctx, b.cfg.Bucket, b.key(i), body)
			return 0, err
		})
	if err != nil {
		return fmt.Errorf("creating the objects to read: %w", err)
	}
	return nil
}

// deleteKeys deletes the first n keys.
func (b *bench) deleteKeys(ctx context.Context, n int) error {
	_, err := closedLoop(ctx, b.cfg.Concurrency, time.Now().Add(24*time.Hour), int64(n), 0,
		func(ctx context.Context, i int64, _ []byte) (int64, error) {
			return 0, b.client.DeleteObject(ctx, b.cfg.Bucket, b.key(i))
		})
	if err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	return nil
}
