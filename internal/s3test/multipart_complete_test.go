package s3test_test

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"

	"github.com/cairn-s3/cairn/internal/s3test"
	"github.com/cairn-s3/cairn/internal/server"
)

// TestMultipartCompleteZeroCopy shows that Complete concatenates the parts
// by reference: it succeeds while the blob directory is out of the
// server's reach, so it cannot read or write a byte of data, and its time
// does not follow the object's size. It does not run in parallel, so that
// the durations it logs mean something.
func TestMultipartCompleteZeroCopy(t *testing.T) {
	f := newFixtureWith(t, minPartSize(1), quietGC())
	b := f.bucket(t)
	blobDir := filepath.Join(f.srv.DataDir, "blobs")

	complete := func(key string, partSize int) time.Duration {
		t.Helper()
		parts := sizedParts(partSize, partSize, partSize, partSize, partSize, partSize, partSize, partSize/2)
		id, etags := f.uploadParts(t, b, key, parts, nil)
		before := countBlobFiles(t, f.srv.DataDir)
		mustOK(t, os.Rename(blobDir, blobDir+".away"), "move the blob directory away")
		start := time.Now()
		resp := f.complete(t, b, key, id, numbered(etags), nil)
		took := time.Since(start)
		mustOK(t, os.Rename(blobDir+".away", blobDir), "move the blob directory back")
		resp.wantStatus(t, http.StatusOK)
		if entries, err := os.ReadDir(filepath.Join(f.srv.DataDir, "tmp")); err != nil || len(entries) != 0 {
			t.Errorf("Complete left %d temporary files (%v)", len(entries), err)
		}
		if after := countBlobFiles(t, f.srv.DataDir); after != before {
			t.Errorf("%s: %d blob files before Complete, %d after", key, before, after)
		}
		if got := f.get(t, b, key); sha256.Sum256(got) != sha256.Sum256(concat(parts...)) {
			t.Fatalf("%s reads back wrong", key)
		}
		return took
	}
	small := min(complete("small-1", 1024), complete("small-2", 1024))
	large := min(complete("large-1", 2<<20), complete("large-2", 2<<20))
	t.Logf("Complete of 8 parts: %v for 7.5 KiB, %v for 15 MiB", small, large)
	// A generous bound: a Complete that copied 15 MiB would need more.
	if large > 4*small+250*time.Millisecond {
		t.Errorf("Complete took %v for 15 MiB against %v for 7.5 KiB", large, small)
	}
}

// TestMultipartConditionalComplete checks If-None-Match and If-Match on
// Complete, including the 409 of a write that lands between the request's
// start and its commit, built deterministically by holding the Complete.
func TestMultipartConditionalComplete(t *testing.T) {
	t.Parallel()
	faults, fm := withFaultyMeta()
	f := newFixtureWith(t, minPartSize(1), faults)
	b := f.bucket(t)
	upload := func(key string) (string, []partXML, []byte) {
		data := payload(100)
		id, etags := f.uploadParts(t, b, key, [][]byte{data}, nil)
		return id, numbered(etags), data
	}

	t.Run("IfNoneMatch", func(t *testing.T) {
		id, parts, data := upload("inm")
		f.mustComplete(t, b, "inm", id, parts, hdr("If-None-Match", "*"))
		id, parts, _ = upload("inm")
		f.complete(t, b, "inm", id, parts, hdr("If-None-Match", "*")).wantError(t, "PreconditionFailed", http.StatusPreconditionFailed)
		if got := f.get(t, b, "inm"); !bytes.Equal(got, data) {
			t.Error("a refused Complete changed the object")
		}
		// Only "*" is accepted.
		f.complete(t, b, "inm", id, parts, hdr("If-None-Match", `"abc"`)).wantError(t, "NotImplemented", http.StatusNotImplemented)
		// The refused upload is still there to complete.
		_, err := f.aws.CompleteMultipartUpload(bg, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String(b), Key: aws.String("inm"), UploadId: aws.String(id), IfNoneMatch: aws.String("*"),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(parts[0].ETag)}}},
		})
		wantAWSError(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
		f.mustComplete(t, b, "inm", id, parts, nil)
	})

	t.Run("IfMatch", func(t *testing.T) {
		id, parts, _ := upload("im")
		f.complete(t, b, "im", id, parts, hdr("If-Match", `"`+md5Hex([]byte("x"))+`"`)).wantError(t, "NoSuchKey", http.StatusNotFound)
		put := f.put(t, b, "im", []byte("first"))
		f.complete(t, b, "im", id, parts, hdr("If-Match", `"0123456789abcdef0123456789abcdef"`)).wantError(t, "PreconditionFailed", http.StatusPreconditionFailed)
		r := f.mustComplete(t, b, "im", id, parts, hdr("If-Match", aws.ToString(put.ETag)))
		id, parts, data := upload("im")
		// Unquoted works too.
		f.mustComplete(t, b, "im", id, parts, hdr("If-Match", strings.Trim(r.ETag, `"`)))
		if got := f.get(t, b, "im"); !bytes.Equal(got, data) {
			t.Error("object is not the last completed upload")
		}
	})

	t.Run("ConflictIfNoneMatch", func(t *testing.T) {
		id, parts, _ := upload("race-inm")
		hold := fm.holdUpload(t, id, nil)
		done := make(chan rawResponse, 1)
		go func() { done <- f.complete(goroutineTB{t}, b, "race-inm", id, parts, hdr("If-None-Match", "*")) }()
		<-hold.Reached()
		winner := []byte("the concurrent write won")
		f.put(t, b, "race-inm", winner)
		hold.Release()
		(<-done).wantError(t, "ConditionalRequestConflict", http.StatusConflict)
		if got := f.get(t, b, "race-inm"); !bytes.Equal(got, winner) {
			t.Error("the conflicting Complete changed the object")
		}
	})

	t.Run("ConflictIfMatch", func(t *testing.T) {
		put := f.put(t, b, "race-im", []byte("v1"))
		id, parts, _ := upload("race-im")
		hold := fm.holdUpload(t, id, nil)
		done := make(chan rawResponse, 1)
		go func() {
			done <- f.complete(goroutineTB{t}, b, "race-im", id, parts, hdr("If-Match", aws.ToString(put.ETag)))
		}()
		<-hold.Reached()
		f.put(t, b, "race-im", []byte("v2"))
		hold.Release()
		(<-done).wantError(t, "ConditionalRequestConflict", http.StatusConflict)
		if got := f.get(t, b, "race-im"); string(got) != "v2" {
			t.Errorf("object %q, want v2", got)
		}
		// A condition already false at the start stays a 412.
		hold = fm.holdUpload(t, id, nil)
		go func() {
			done <- f.complete(goroutineTB{t}, b, "race-im", id, parts, hdr("If-Match", aws.ToString(put.ETag)))
		}()
		<-hold.Reached()
		f.put(t, b, "race-im", []byte("v3"))
		hold.Release()
		(<-done).wantError(t, "PreconditionFailed", http.StatusPreconditionFailed)
	})
}

// TestMultipartIdempotentComplete retries Completes: the same part list
// replays the result, even with If-None-Match, until the retention ends;
// any other list is NoSuchUpload.
func TestMultipartIdempotentComplete(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, minPartSize(1024))
	b := f.bucket(t)
	parts := sizedParts(2000, 1500)
	id, list := f.uploadChecksummed(t, b, "replay", "SHA1", "", parts)
	first := f.complete(t, b, "replay", id, list, nil)
	first.wantStatus(t, http.StatusOK)
	var want completeResult
	first.xmlBody(t, &want)
	if want.ETag != multipartETag(parts...) || want.ChecksumSHA1 != compositeChecksum("SHA1", parts...) || want.ChecksumType != "COMPOSITE" {
		t.Fatalf("first result %+v", want)
	}
	unquoted := append([]partXML(nil), list...)
	unquoted[0].ETag = strings.Trim(unquoted[0].ETag, `"`)
	for _, c := range []struct {
		name string
		list []partXML
		h    []string
	}{
		{"Same", list, nil},
		{"IfNoneMatch", list, []string{"If-None-Match", "*"}},
		{"UnquotedETag", unquoted, nil},
	} {
		r := f.complete(t, b, "replay", id, c.list, hdr(c.h...))
		r.wantStatus(t, http.StatusOK)
		var got completeResult
		r.xmlBody(t, &got)
		if got != want {
			t.Errorf("%s: replay %+v, want %+v", c.name, got, want)
		}
	}
	f.complete(t, b, "replay", id, list[:1], nil).wantError(t, "NoSuchUpload", http.StatusNotFound)
	f.complete(t, b, "other-key", id, list, nil).wantError(t, "NoSuchUpload", http.StatusNotFound)
	// The SDK's retry gets the same answer.
	out, err := f.aws.CompleteMultipartUpload(bg, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(b), Key: aws.String("replay"), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: aws.String(list[0].ETag), ChecksumSHA1: aws.String(list[0].ChecksumSHA1)},
			{PartNumber: aws.Int32(2), ETag: aws.String(list[1].ETag), ChecksumSHA1: aws.String(list[1].ChecksumSHA1)},
		}},
	})
	mustOK(t, err, "SDK retry")
	if aws.ToString(out.ETag) != want.ETag || aws.ToString(out.ChecksumSHA1) != want.ChecksumSHA1 {
		t.Errorf("SDK retry: ETag %s checksum %s", aws.ToString(out.ETag), aws.ToString(out.ChecksumSHA1))
	}
	// The upload is gone for everything else.
	f.abort(t, b, "replay", id).wantError(t, "NoSuchUpload", http.StatusNotFound)
	f.raw.do(t, rawRequest{method: http.MethodGet, path: objectPath(b, "replay"), query: uploadQuery(id)}).wantError(t, "NoSuchUpload", http.StatusNotFound)
	f.uploadPart(t, b, "replay", id, 3, []byte("late"), nil).wantError(t, "NoSuchUpload", http.StatusNotFound)
}

// TestMultipartReplayRetention checks that a replay ends with the
// completion record's retention.
func TestMultipartReplayRetention(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, s3test.WithConfig(func(c *server.Config) { c.CompletionRetention = time.Nanosecond }))
	b := f.bucket(t)
	id, etags := f.uploadParts(t, b, "short", sizedParts(10), nil)
	f.mustComplete(t, b, "short", id, numbered(etags), nil)
	f.mustComplete(t, b, "short", id, numbered(etags), nil) // not swept yet
	st, err := f.srv.Server().Service().SweepUploads(bg)
	mustOK(t, err, "SweepUploads")
	if st.CompletionsExpired != 1 {
		t.Errorf("sweep expired %d completion records, want 1", st.CompletionsExpired)
	}
	f.complete(t, b, "short", id, numbered(etags), nil).wantError(t, "NoSuchUpload", http.StatusNotFound)
	if len(f.get(t, b, "short")) != 10 {
		t.Error("the object went with its completion record")
	}
}

// TestMultipartObjectSizeHeader checks x-amz-mp-object-size.
func TestMultipartObjectSizeHeader(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, minPartSize(1024))
	b := f.bucket(t)
	id, etags := f.uploadParts(t, b, "sized", sizedParts(2000, 500), nil)
	for _, v := range []string{"2499", "2501", "0", "-1", "abc", "2.5e3", "0x9c4", " 2500x", "99999999999999999999"} {
		d := f.complete(t, b, "sized", id, numbered(etags), hdr("X-Amz-Mp-Object-Size", v)).wantError(t, "InvalidRequest", http.StatusBadRequest)
		if v == "2499" && !strings.Contains(d.Message, "2499") || v == "2499" && !strings.Contains(d.Message, "2500") {
			t.Errorf("mismatch message %q names neither value", d.Message)
		}
	}
	f.mustComplete(t, b, "sized", id, numbered(etags), hdr("X-Amz-Mp-Object-Size", "2500"))
	// The SDK sends it as MpuObjectSize.
	id, etags = f.uploadParts(t, b, "sdk-sized", sizedParts(1024), nil)
	in := &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(b), Key: aws.String("sdk-sized"), UploadId: aws.String(id), MpuObjectSize: aws.Int64(1),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(etags[0])}}},
	}
	_, err := f.aws.CompleteMultipartUpload(bg, in)
	wantAWSError(t, err, "InvalidRequest", http.StatusBadRequest)
	in.MpuObjectSize = aws.Int64(1024)
	_, err = f.aws.CompleteMultipartUpload(bg, in)
	mustOK(t, err, "Complete with the right size")
}

// TestMultipartCreateHeaders checks that what Create is given ends on the
// object, whatever Complete says, and that Create validates it.
func TestMultipartCreateHeaders(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	const expires = "Thu, 01 Dec 2094 16:00:00 GMT"
	create := hdr(
		"Content-Type", "application/x-assembled", "Cache-Control", "max-age=60", "Content-Disposition", `attachment; filename="a.bin"`,
		"Content-Encoding", "identity", "Content-Language", "fr", "Expires", expires,
		"X-Amz-Meta-Color", "blue", "X-Amz-Meta-Mixed-Case", "Value", "X-Amz-Tagging", "a=1&b=x%20y", "X-Amz-Storage-Class", "STANDARD_IA",
	)
	data := payload(99)
	id, etags := f.uploadParts(t, b, "headers", [][]byte{data}, create)
	f.mustComplete(t, b, "headers", id, numbered(etags), hdr("Content-Type", "text/ignored", "X-Amz-Meta-Color", "ignored"))
	resp := f.raw.do(t, rawRequest{method: http.MethodHead, path: objectPath(b, "headers")})
	resp.wantStatus(t, http.StatusOK)
	for name, want := range map[string]string{
		"Content-Type": "application/x-assembled", "Cache-Control": "max-age=60", "Content-Disposition": `attachment; filename="a.bin"`,
		"Content-Encoding": "identity", "Content-Language": "fr", "Expires": expires, "X-Amz-Meta-Color": "blue",
		"X-Amz-Meta-Mixed-Case": "Value", "X-Amz-Tagging-Count": "2", "X-Amz-Storage-Class": "STANDARD_IA", "Content-Length": "99",
	} {
		if got := resp.header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if tags := f.tags(t, b, "headers"); len(tags) != 2 || tags["a"] != "1" || tags["b"] != "x y" {
		t.Errorf("tags %v", tags)
	}
	// Through the SDK, and minio-go reading it back.
	up, err := f.aws.CreateMultipartUpload(bg, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(b), Key: aws.String("sdk-headers"), ContentType: aws.String("image/png"),
		Metadata: map[string]string{"origin": "sdk"}, Tagging: aws.String("k=v"),
	})
	mustOK(t, err, "CreateMultipartUpload")
	etag := f.mustUploadPart(t, b, "sdk-headers", aws.ToString(up.UploadId), 1, data, nil)
	f.mustComplete(t, b, "sdk-headers", aws.ToString(up.UploadId), []partXML{{PartNumber: 1, ETag: etag}}, nil)
	st, err := f.minio.StatObject(bg, b, "sdk-headers", minio.StatObjectOptions{})
	mustOK(t, err, "StatObject")
	if st.ContentType != "image/png" || st.UserMetadata["Origin"] != "sdk" || st.UserTagCount != 1 || st.ETag != strings.Trim(multipartETag(data), `"`) {
		t.Errorf("minio stat: type %q metadata %v tags %d ETag %s", st.ContentType, st.UserMetadata, st.UserTagCount, st.ETag)
	}

	// Create validates what it will store.
	for _, c := range []struct {
		h      http.Header
		code   string
		status int
	}{
		{hdr("X-Amz-Storage-Class", "PLATINUM"), "InvalidStorageClass", http.StatusBadRequest},
		{hdr("X-Amz-Tagging", "a=1&a=2"), "InvalidArgument", http.StatusBadRequest},
		{hdr("X-Amz-Meta-Big", strings.Repeat("x", 2100)), "MetadataTooLarge", http.StatusBadRequest},
		{hdr("Content-Type", "text/\xffplain"), "InvalidArgument", http.StatusBadRequest},
		{hdr("Cache-Control", "\xfe"), "InvalidArgument", http.StatusBadRequest},
	} {
		f.raw.do(t, rawRequest{method: http.MethodPost, path: objectPath(b, "refused"), query: "uploads", header: c.h}).wantError(t, c.code, c.status)
	}
}
