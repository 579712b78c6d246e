package loadgen

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// abortTimeout bounds the clean-up of a failed upload, which runs even when
// the run's context is done.
const abortTimeout = 30 * time.Second

// uploadParts uploads parts 1..n of an upload with Concurrency parts in
// flight; part i's body is body(i). It returns the parts for Complete, in
// order, and the time and latencies of the uploads.
func (b *bench) uploadParts(ctx context.Context, key, uploadID string, n int, body func(number int) []byte) ([]CompletedPart, phaseStats, error) {
	parts := make([]CompletedPart, n)
	st, err := closedLoop(ctx, b.cfg.Concurrency, time.Now().Add(24*time.Hour), int64(n), 0,
		func(ctx context.Context, i int64, _ []byte) (int64, error) {
			number := int(i) + 1
			data := body(number)
			etag, err := b.client.UploadPart(ctx, b.cfg.Bucket, key, uploadID, number, data)
			if err != nil {
				return 0, err
			}
			parts[i] = CompletedPart{PartNumber: number, ETag: etag}
			return int64(len(data)), nil
		})
	return parts, st, err
}

// abort aborts a failed upload, best effort, and returns err.
func (b *bench) abort(key, uploadID string, err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), abortTimeout)
	defer cancel()
	if aerr := b.client.AbortMultipartUpload(ctx, b.cfg.Bucket, key, uploadID); aerr != nil {
		return errors.Join(err, fmt.Errorf("aborting the upload: %w", aerr))
	}
	return err
}

// multipart uploads one object of Size in parts of PartSize and times it,
// Complete included.
func (b *bench) multipart(ctx context.Context) (*MultipartResult, error) {
	n := int(partCount(b.cfg.Size, b.cfg.PartSize))
	res := &MultipartResult{Size: b.cfg.Size, PartSize: b.cfg.PartSize, Parts: n, Concurrency: b.cfg.Concurrency}
	key := fmt.Sprintf("%smultipart-%s", b.cfg.Prefix, Size(b.cfg.Size))
	meter, err := startUsage(b.cfg.ServerPID)
	if err != nil {
		return res, err
	}
	start := time.Now()
	uploadID, err := b.client.CreateMultipartUpload(ctx, b.cfg.Bucket, key)
	if err != nil {
		return res, err
	}
	parts, st, err := b.uploadParts(ctx, key, uploadID, n, func(number int) []byte {
		// Every part is the buffer but the last, which is what is left.
		last := b.cfg.Size - int64(n-1)*b.cfg.PartSize
		if number == n {
			return b.data[:last]
		}
		return b.data
	})
	res.UploadElapsed, res.PartLatency = time.Since(start), st.latency
	if err != nil {
		return res, b.abort(key, uploadID, err)
	}
	t0 := time.Now()
	_, err = b.client.CompleteMultipartUpload(ctx, b.cfg.Bucket, key, uploadID, parts)
	res.CompleteLatency = time.Since(t0)
	res.Elapsed = time.Since(start)
	if err != nil {
		return res, b.abort(key, uploadID, hintMinPartSize(err))
	}
	if res.Usage, err = meter.stop(); err != nil {
		return res, err
	}
	if b.cfg.Cleanup {
		if err := b.client.DeleteObject(ctx, b.cfg.Bucket, key); err != nil {
			return res, fmt.Errorf("cleanup: %w", err)
		}
	}
	return res, nil
}

// complete uploads Parts tiny parts (setup), then times ListParts over all
// of them in pages of 1,000 and CompleteMultipartUpload.
func (b *bench) complete(ctx context.Context) (*CompleteResult, error) {
	res := &CompleteResult{Parts: b.cfg.Parts, PartSize: b.cfg.PartSize, Concurrency: b.cfg.Concurrency}
	key := fmt.Sprintf("%scomplete-%dparts", b.cfg.Prefix, b.cfg.Parts)
	uploadID, err := b.client.CreateMultipartUpload(ctx, b.cfg.Bucket, key)
	if err != nil {
		return res, err
	}
	start := time.Now()
	parts, _, err := b.uploadParts(ctx, key, uploadID, b.cfg.Parts, func(int) []byte { return b.data })
	res.UploadElapsed = time.Since(start)
	if err != nil {
		return res, b.abort(key, uploadID, err)
	}

	meter, err := startUsage(b.cfg.ServerPID)
	if err != nil {
		return res, b.abort(key, uploadID, err)
	}
	res.ListPartsPages, res.ListPartsElapsed, err = b.listAllParts(ctx, key, uploadID, parts)
	if err != nil {
		return res, b.abort(key, uploadID, err)
	}
	t0 := time.Now()
	_, err = b.client.CompleteMultipartUpload(ctx, b.cfg.Bucket, key, uploadID, parts)
	res.CompleteLatency = time.Since(t0)
	if err != nil {
		return res, b.abort(key, uploadID, hintMinPartSize(err))
	}
	if res.Usage, err = meter.stop(); err != nil {
		return res, err
	}
	if b.cfg.Cleanup {
		if err := b.client.DeleteObject(ctx, b.cfg.Bucket, key); err != nil {
			return res, fmt.Errorf("cleanup: %w", err)
		}
	}
	return res, nil
}

// listAllParts lists every part of an upload in pages of s3.MaxListKeys
// and checks that the listing is the parts uploaded, in order.
func (b *bench) listAllParts(ctx context.Context, key, uploadID string, want []CompletedPart) (LatencySummary, time.Duration, error) {
	var (
		pages  []time.Duration
		listed int
		marker int
	)
	start := time.Now()
	for {
		t0 := time.Now()
		page, err := b.client.ListParts(ctx, b.cfg.Bucket, key, uploadID, marker, s3.MaxListKeys)
		pages = append(pages, time.Since(t0))
		if err != nil {
			return Summarize(pages), time.Since(start), err
		}
		for _, p := range page.Parts {
			if listed >= len(want) || p.PartNumber != want[listed].PartNumber || !sameETag(p.ETag, want[listed].ETag) {
				return Summarize(pages), time.Since(start), fmt.Errorf("ListParts: part %d (ETag %s) listed after %d parts, not the part uploaded", p.PartNumber, p.ETag, listed)
			}
			listed++
		}
		if !page.IsTruncated {
			break
		}
		if len(page.Parts) == 0 || page.NextPartNumberMarker <= marker {
			return Summarize(pages), time.Since(start), fmt.Errorf("ListParts: truncated page after part %d does not advance (next marker %d)", marker, page.NextPartNumberMarker)
		}
		marker = page.NextPartNumberMarker
	}
	elapsed := time.Since(start)
	if listed != len(want) {
		return Summarize(pages), elapsed, fmt.Errorf("ListParts listed %d parts, want %d", listed, len(want))
	}
	return Summarize(pages), elapsed, nil
}

// hintMinPartSize adds the server option to an EntityTooSmall error: tiny
// parts need a server started with --min-part-size 1.
func hintMinPartSize(err error) error {
	if errors.Is(err, s3.ErrEntityTooSmall) {
		return fmt.Errorf("%w (parts smaller than 5 MiB need a server started with --min-part-size 1)", err)
	}
	return err
}

// sameETag compares ETags with or without their quotes.
func sameETag(a, b string) bool {
	return strings.Trim(a, `"`) == strings.Trim(b, `"`)
}
