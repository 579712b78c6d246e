package crashtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// readResult is what a GET of a key returned.
type readResult struct {
	State state
	Size  int64
	ETag  string
	// Err is set when the read did not complete: no response, an error
	// response other than NoSuchKey, or a body cut short.
	Err error
	// Problem is set when the read completed but returned something no
	// acknowledged or attempted write could have produced: bytes that are
	// not one whole body, or headers that do not match the body.
	Problem string
}

// readKey GETs key and checks that what it returns is one whole body that
// this test wrote, with matching length, ETag and metadata. A completed
// upload is recognised by its metadata, which names the upload's label; any
// other body by its header.
func readKey(ctx context.Context, client *s3.Client, bucket, key string, c *contents) readResult {
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchKey" {
			return readResult{State: absent}
		}
		return readResult{Err: fmt.Errorf("GET %s: %w", key, err)}
	}
	defer out.Body.Close()
	body, err := readBody(out.Body, aws.ToInt64(out.ContentLength))
	if err != nil {
		return readResult{Err: fmt.Errorf("GET %s: %w", key, err)}
	}
	r := readResult{Size: int64(len(body)), ETag: unquote(out.ETag)}
	id, isComposite := c.composite(out.Metadata[metaContent])
	size := int64(-1) // the size a leaf's header claims
	if !isComposite {
		var ok bool
		if id, size, ok = identify(body); !ok {
			r.Problem = fmt.Sprintf("%d bytes that are no body this test wrote (they start %q)", len(body), body[:min(len(body), 48)])
			return r
		}
	}
	r.State = present(id)
	wantSize, etag, diff := c.check(id, body)
	switch {
	case size >= 0 && wantSize != size:
		r.Problem = fmt.Sprintf("a body whose header claims %s of %d bytes, but that body has %d", id, size, wantSize)
	case diff >= 0:
		r.Problem = fmt.Sprintf("%d bytes claiming to be %s (%d bytes), differing from it at byte %d", len(body), id, wantSize, diff)
	case r.ETag != etag:
		r.Problem = fmt.Sprintf("the body of %s with ETag %q, want %q", id, r.ETag, etag)
	case out.Metadata[metaContent] != id.String():
		r.Problem = fmt.Sprintf("the body of %s with the metadata of %q", id, out.Metadata[metaContent])
	}
	return r
}

// readBody reads a GET body of the announced length and checks that it
// ends there: a body cut short is a failed read, never data.
func readBody(body io.Reader, length int64) ([]byte, error) {
	if length < 0 || length > maxObject {
		return nil, fmt.Errorf("Content-Length %d is outside the sizes this test writes", length)
	}
	b := make([]byte, length)
	if n, err := io.ReadFull(body, b); err != nil {
		return nil, fmt.Errorf("body cut short after %d of %d bytes: %w", n, length, err)
	}
	var extra [1]byte
	if n, err := body.Read(extra[:]); n > 0 || (err != nil && err != io.EOF) {
		return nil, fmt.Errorf("body longer than its Content-Length %d (%d, %v)", length, n, err)
	}
	return b, nil
}

// verifyParallelism is how many GETs the verification runs at once.
const verifyParallelism = 4

// verifyKeys reads every key from a server that carries no other traffic
// and checks each against the ledger's acceptable states, then checks that
// ListObjectsV2 agrees with the reads. It returns the observed states.
func verifyKeys(t *testing.T, client *s3.Client, bucket string, keys []string, l *ledger, c *contents) map[string]state {
	t.Helper()
	ctx := context.Background()
	results := make(map[string]readResult, len(keys))
	var mu sync.Mutex
	var wg sync.WaitGroup
	todo := make(chan string)
	for range verifyParallelism {
		wg.Go(func() {
			for key := range todo {
				r := readKey(ctx, client, bucket, key, c)
				mu.Lock()
				results[key] = r
				mu.Unlock()
			}
		})
	}
	for _, key := range keys {
		todo <- key
	}
	close(todo)
	wg.Wait()

	observed := make(map[string]state, len(keys))
	for _, key := range keys {
		r := results[key]
		ok := l.acceptable(key)
		switch {
		case r.Err != nil:
			t.Errorf("key %s after restart: %v\nacceptable states:\n%swrites this round:\n%s", key, r.Err, describe(ok), l.history(key))
		case r.Problem != "":
			t.Errorf("key %s after restart: read %s\nacceptable states:\n%swrites this round:\n%s", key, r.Problem, describe(ok), l.history(key))
		case !slices.Contains(states(ok), r.State):
			t.Errorf("key %s after restart: read %s, which is not acceptable\nacceptable states:\n%swrites this round:\n%s", key, r.State, describe(ok), l.history(key))
		}
		observed[key] = r.State
	}
	checkListing(t, client, bucket, results)
	return observed
}

// checkListing lists the bucket in small pages and checks that it shows
// exactly the keys the GETs found, with the same ETags and sizes.
func checkListing(t *testing.T, client *s3.Client, bucket string, reads map[string]readResult) {
	t.Helper()
	type entry struct {
		ETag string
		Size int64
	}
	listed := map[string]entry{}
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: &bucket, MaxKeys: aws.Int32(7)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Errorf("ListObjectsV2 after restart: %v", err)
			return
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			if _, dup := listed[k]; dup {
				t.Errorf("ListObjectsV2 lists %s twice", k)
			}
			listed[k] = entry{unquote(o.ETag), aws.ToInt64(o.Size)}
		}
	}
	for key, r := range reads {
		if r.Err != nil || r.Problem != "" {
			continue
		}
		e, ok := listed[key]
		switch {
		case r.State.Present && !ok:
			t.Errorf("ListObjectsV2 omits %s, which GET returns as %s", key, r.State)
		case !r.State.Present && ok:
			t.Errorf("ListObjectsV2 lists %s (ETag %s, %d bytes), which GET says is absent", key, e.ETag, e.Size)
		case ok && (e.ETag != r.ETag || e.Size != r.Size):
			t.Errorf("ListObjectsV2 lists %s with ETag %s and %d bytes, GET returned ETag %s and %d bytes", key, e.ETag, e.Size, r.ETag, r.Size)
		}
	}
	for key := range listed {
		if _, ok := reads[key]; !ok {
			t.Errorf("ListObjectsV2 lists %s, which the test never wrote", key)
		}
	}
}
