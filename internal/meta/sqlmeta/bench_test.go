package sqlmeta_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/meta/sqlmeta/pgtest"
)

// benchConcurrency is the number of concurrent callers the PUT target
// (3,000 durable 4 KiB PUTs/s) is stated for.
const benchConcurrency = 16

// benchStores runs fn against a SQLite store and, when CAIRN_TEST_PG_DSN
// is set, a PostgreSQL one. Each store is opened and given to setup once,
// not for every b.N that the benchmark framework tries.
func benchStores(b *testing.B, setup, fn func(b *testing.B, st meta.Store)) {
	stores := map[string]func() meta.Store{
		"sqlite": func() meta.Store { return openSQLite(b, filepath.Join(b.TempDir(), "meta.db")) },
	}
	if dsn := os.Getenv("CAIRN_TEST_PG_DSN"); dsn != "" {
		stores["postgres"] = func() meta.Store { return openPostgres(b, pgtest.Schema(b, dsn)) }
	}
	for _, name := range []string{"sqlite", "postgres"} {
		open, ok := stores[name]
		if !ok {
			continue
		}
		st := open()
		b.Cleanup(func() { st.Close() })
		if setup != nil {
			setup(b, st)
		}
		b.Run(name, func(b *testing.B) { fn(b, st) })
	}
}

// runParallel runs body on benchConcurrency goroutines. Besides
// throughput it reports the process's CPU time per operation, which other
// load on the machine disturbs less than wall time.
func runParallel(b *testing.B, body func(pb *testing.PB)) {
	b.SetParallelism((benchConcurrency + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(body)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func inline4K(key string) meta.Object {
	data := make([]byte, 4096)
	for i := 0; i < len(data); i += 8 {
		binary.LittleEndian.PutUint64(data[i:], rand.Uint64())
	}
	return meta.Object{Bucket: "bench", Key: key, Size: int64(len(data)), ETag: "0123456789abcdef0123456789abcdef",
		LastModified: time.Now(), StorageClass: "STANDARD", OwnerID: "owner",
		Headers: meta.ObjectHeaders{ContentType: "application/octet-stream"}, Inline: data}
}

// BenchmarkPutObjectParallel is the durable small-PUT path: one Update with
// one PutObject of a 4 KiB inline object, from 16 concurrent callers.
func BenchmarkPutObjectParallel(b *testing.B) {
	var seq atomic.Int64
	benchStores(b, nil, func(b *testing.B, st meta.Store) {
		runParallel(b, func(pb *testing.PB) {
			ctx := context.Background()
			o := inline4K("")
			for pb.Next() {
				o.Key = fmt.Sprintf("obj/%09d", seq.Add(1))
				err := st.Update(ctx, func(tx meta.Tx) error {
					_, err := tx.PutObject(o)
					return err
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// fill puts n 4 KiB inline objects in batches.
func fill(b *testing.B, st meta.Store, n int) {
	b.Helper()
	for start := 0; start < n; start += 1000 {
		err := st.Update(b.Context(), func(tx meta.Tx) error {
			for i := start; i < min(start+1000, n); i++ {
				if _, err := tx.PutObject(inline4K(fmt.Sprintf("obj/%09d", i))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetObjectParallel reads random 4 KiB inline objects, one View
// each, from 16 concurrent callers.
func BenchmarkGetObjectParallel(b *testing.B) {
	const objects = 10000
	benchStores(b, func(b *testing.B, st meta.Store) { fill(b, st, objects) }, func(b *testing.B, st meta.Store) {
		runParallel(b, func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				key := fmt.Sprintf("obj/%09d", rand.IntN(objects))
				err := st.View(ctx, func(tx meta.ReadTx) error {
					_, err := tx.GetObject("bench", key)
					return err
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkListObjects1000 lists a page of 1,000 keys from the middle of a
// 20,000-object bucket.
func BenchmarkListObjects1000(b *testing.B) {
	const objects = 20000
	benchStores(b, func(b *testing.B, st meta.Store) { fill(b, st, objects) }, func(b *testing.B, st meta.Store) {
		ctx := context.Background()
		b.ResetTimer()
		for b.Loop() {
			err := st.View(ctx, func(tx meta.ReadTx) error {
				objs, err := tx.ListObjects(meta.ObjectRange{Bucket: "bench", After: "obj/000005000", Limit: 1000})
				if err == nil && len(objs) != 1000 {
					err = fmt.Errorf("listed %d", len(objs))
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
