package memblob_test

import (
	"context"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/blob/blobtest"
	"github.com/cairn-s3/cairn/internal/blob/memblob"
	"github.com/cairn-s3/cairn/internal/s3"
)

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(*testing.T) blob.Store { return memblob.New() })
}

func TestWithClock(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s := memblob.New(memblob.WithClock(func() time.Time { return at }))
	w, err := s.Create(ctx, s3.NewBlobID())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	err = s.Walk(ctx, func(info blob.Info) error {
		if !info.ModTime.Equal(at) {
			t.Errorf("ModTime = %v, want %v", info.ModTime, at)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
