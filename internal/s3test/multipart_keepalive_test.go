package s3test_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-s3/cairn/internal/s3test"
	"github.com/cairn-s3/cairn/internal/server"
)

// keepAlive makes slow Completes answer 200 after delay and send a space
// every interval.
func keepAlive(delay, interval time.Duration) s3test.Option {
	return s3test.WithConfig(func(c *server.Config) {
		c.CompleteKeepAliveDelay, c.CompleteKeepAliveInterval = delay, interval
	})
}

// streamedComplete is a Complete whose answer is read as it arrives.
type streamedComplete struct {
	resp *http.Response
	body []byte
}

// startComplete sends a Complete held by hold and returns once its status
// and headers have arrived, which must happen while the commit is still
// held; it then reads the XML declaration and two keep-alive spaces.
func startComplete(t *testing.T, f *fixture, hold *metaHold, rr rawRequest) *streamedComplete {
	t.Helper()
	req := f.raw.build(t, rr)
	f.raw.sign(t, req, rr)
	type sent struct {
		resp *http.Response
		err  error
	}
	ch := make(chan sent, 1)
	go func() {
		resp, err := f.raw.http.Do(req)
		ch <- sent{resp, err}
	}()
	<-hold.Reached()
	var s sent
	select {
	case s = <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("no answer while the commit was held: no early 200")
	}
	mustOK(t, s.err, "Complete")
	t.Cleanup(func() { s.resp.Body.Close() })
	if s.resp.StatusCode != http.StatusOK || s.resp.Header.Get("Content-Type") != "application/xml" || s.resp.ContentLength != -1 {
		t.Fatalf("early answer: status %d, Content-Type %q, Content-Length %d", s.resp.StatusCode, s.resp.Header.Get("Content-Type"), s.resp.ContentLength)
	}
	want := len(xml.Header) + 2
	buf := make([]byte, want)
	if _, err := io.ReadFull(s.resp.Body, buf); err != nil {
		t.Fatalf("read the keep-alive: %v", err)
	}
	if string(buf) != xml.Header+"  " {
		t.Fatalf("keep-alive starts %q, want the XML declaration then spaces", buf)
	}
	return &streamedComplete{resp: s.resp, body: buf}
}

// finish reads the rest of the answer and returns the document after the
// keep-alive whitespace.
func (c *streamedComplete) finish(t *testing.T) []byte {
	t.Helper()
	rest, err := io.ReadAll(c.resp.Body)
	mustOK(t, err, "read the rest of the answer")
	c.body = append(c.body, rest...)
	doc := bytes.TrimLeft(c.body[len(xml.Header):], " ")
	if len(doc) == 0 || doc[0] != '<' {
		t.Fatalf("answer after the whitespace: %q", doc)
	}
	return doc
}

// TestMultipartCompleteKeepAlive holds a Complete's commit: the client gets
// 200 OK at once, whitespace while it waits, then the result or an embedded
// <Error>, and the AWS SDK handles both (and retries the second).
func TestMultipartCompleteKeepAlive(t *testing.T) {
	t.Parallel()
	faults, fm := withFaultyMeta()
	f := newFixtureWith(t, minPartSize(1), faults, keepAlive(50*time.Millisecond, 20*time.Millisecond))
	b := f.bucket(t)
	completeReq := func(key, id string, etags []string) rawRequest {
		return rawRequest{method: http.MethodPost, path: objectPath(b, key), query: uploadQuery(id), body: completeBody(numbered(etags))}
	}

	t.Run("Result", func(t *testing.T) {
		parts := sizedParts(100, 50)
		id, etags := f.uploadParts(t, b, "slow", parts, nil)
		hold := fm.holdUpload(t, id, nil)
		c := startComplete(t, f, hold, completeReq("slow", id, etags))
		hold.Release()
		doc := c.finish(t)
		var r completeResult
		if err := xml.Unmarshal(doc, &r); err != nil || r.ETag != multipartETag(parts...) || r.Key != "slow" {
			t.Errorf("result %+v (%v): %s", r, err, doc)
		}
		// The whole body, declaration and whitespace included, is one
		// well-formed document.
		if err := xml.Unmarshal(c.body, &r); err != nil {
			t.Errorf("whole answer: %v", err)
		}
		if got := f.get(t, b, "slow"); !bytes.Equal(got, concat(parts...)) {
			t.Error("object differs")
		}
	})

	t.Run("EmbeddedError", func(t *testing.T) {
		id, etags := f.uploadParts(t, b, "failing", sizedParts(100), nil)
		hold := fm.holdUpload(t, id, errors.New("injected commit failure"))
		c := startComplete(t, f, hold, completeReq("failing", id, etags))
		hold.Release()
		doc := c.finish(t)
		var e errorDoc
		if err := xml.Unmarshal(doc, &e); err != nil || e.Code != "InternalError" || e.Message == "" {
			t.Fatalf("embedded error %+v (%v): %s", e, err, doc)
		}
		if e.RequestID == "" || e.RequestID != c.resp.Header.Get("x-amz-request-id") {
			t.Errorf("embedded RequestId %q, header %q", e.RequestID, c.resp.Header.Get("x-amz-request-id"))
		}
		if f.exists(t, b, "failing") {
			t.Error("a failed Complete left an object")
		}
		// The upload survived the failure and completes on a retry.
		f.mustComplete(t, b, "failing", id, numbered(etags), nil)
	})

	t.Run("EmbeddedInvalidPart", func(t *testing.T) {
		// A part replaced while the 200 is already out: the Complete's
		// own validation fails, embedded.
		id, etags := f.uploadParts(t, b, "stale", sizedParts(100, 100), nil)
		hold := fm.holdUpload(t, id, nil)
		c := startComplete(t, f, hold, completeReq("stale", id, etags))
		f.mustUploadPart(t, b, "stale", id, 2, payload(100), nil)
		hold.Release()
		var e mpErrorFields
		var d errorDoc
		doc := c.finish(t)
		if xml.Unmarshal(doc, &d) != nil || xml.Unmarshal(doc, &e) != nil || d.Code != "InvalidPart" || e.PartNumber != "2" || e.UploadID != id {
			t.Errorf("embedded error %s", doc)
		}
	})

	sdkComplete := func(c *s3.Client, key, id string, etags []string) (*s3.CompleteMultipartUploadOutput, error) {
		var parts []types.CompletedPart
		for i, e := range etags {
			parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: aws.String(e)})
		}
		return c.CompleteMultipartUpload(bg, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String(b), Key: aws.String(key), UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
	}
	// holdPast holds the next Complete of id for well over the keep-alive
	// delay, so that it answers 200 first, then lets it go.
	holdPast := func(t *testing.T, id string, err error) {
		hold := fm.holdUpload(t, id, err)
		go func() {
			<-hold.Reached()
			time.Sleep(150 * time.Millisecond)
			hold.Release()
		}()
	}

	t.Run("SDK", func(t *testing.T) {
		parts := sizedParts(100, 3)
		id, etags := f.uploadParts(t, b, "sdk", parts, nil)
		holdPast(t, id, nil)
		out, err := sdkComplete(f.aws, "sdk", id, etags)
		mustOK(t, err, "SDK Complete through the keep-alive")
		if aws.ToString(out.ETag) != multipartETag(parts...) {
			t.Errorf("SDK ETag %s", aws.ToString(out.ETag))
		}

		id, etags = f.uploadParts(t, b, "sdk-error", sizedParts(10), nil)
		holdPast(t, id, errors.New("injected commit failure"))
		_, err = sdkComplete(f.aws, "sdk-error", id, etags)
		// The SDK turns a 200 carrying <Error> into a 500.
		wantAWSError(t, err, "InternalError", http.StatusInternalServerError)
		if err != nil && !strings.Contains(err.Error(), "InternalError") {
			t.Errorf("SDK error %v", err)
		}

		// With its standard retryer the SDK sends the Complete again,
		// which succeeds.
		retrying := f.srv.AWS(t, s3test.Root, func(o *s3.Options) {
			o.Retryer = retry.AddWithMaxBackoffDelay(retry.NewStandard(), 20*time.Millisecond)
		})
		holdPast(t, id, errors.New("injected commit failure"))
		out, err = sdkComplete(retrying, "sdk-error", id, etags)
		mustOK(t, err, "SDK Complete with retries")
		if f.get(t, b, "sdk-error") == nil || aws.ToString(out.Key) != "sdk-error" {
			t.Error("retried Complete left no object")
		}
	})
}
