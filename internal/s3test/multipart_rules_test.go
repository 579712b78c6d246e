package s3test_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairn-s3/cairn/internal/s3test"
	"github.com/cairn-s3/cairn/internal/server"
)

// quietGC keeps the background collector from running during a test that
// counts blob files: only the test's own CollectGarbage calls collect.
func quietGC() s3test.Option {
	return s3test.WithConfig(func(c *server.Config) { c.GCInterval = time.Hour })
}

// TestMultipartCompleteRules checks each rule of CompleteMultipartUpload's
// part list, with the exact code, status and fields, and that a refused
// Complete leaves the upload usable.
func TestMultipartCompleteRules(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, minPartSize(1024))
	b := f.bucket(t)

	t.Run("PartNumberRange", func(t *testing.T) {
		t.Parallel()
		id, _ := f.createUpload(t, b, "range", nil)
		for _, n := range []string{"0", "-1", "10001", "abc", "", "99999999999999999999"} {
			d := f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "range"), query: "partNumber=" + n + "&" + uploadQuery(id), body: []byte("x")}).
				wantError(t, "InvalidArgument", http.StatusBadRequest)
			if d.ArgumentName != "partNumber" {
				t.Errorf("partNumber=%s: ArgumentName %q", n, d.ArgumentName)
			}
		}
		e1 := f.mustUploadPart(t, b, "range", id, 1, payload(2000), nil)
		e2 := f.mustUploadPart(t, b, "range", id, 10000, payload(10), nil)
		for _, n := range []int{0, -3, 10001} {
			d := f.complete(t, b, "range", id, []partXML{{PartNumber: n, ETag: e1}}, nil).wantError(t, "InvalidArgument", http.StatusBadRequest)
			if d.ArgumentName != "PartNumber" {
				t.Errorf("PartNumber %d: ArgumentName %q", n, d.ArgumentName)
			}
		}
		r := f.mustComplete(t, b, "range", id, []partXML{{PartNumber: 1, ETag: e1}, {PartNumber: 10000, ETag: e2}}, nil)
		if !strings.HasSuffix(r.ETag, `-2"`) {
			t.Errorf("ETag %s", r.ETag)
		}
	})

	t.Run("EntityTooSmall", func(t *testing.T) {
		t.Parallel()
		parts := sizedParts(100, 2000, 1023, 0)
		id, etags := f.uploadParts(t, b, "small", parts, nil)
		for _, c := range []struct {
			list     []partXML
			proposed string
		}{
			{numbered(etags[:2]), "100"},
			{[]partXML{{PartNumber: 2, ETag: etags[1]}, {PartNumber: 3, ETag: etags[2]}, {PartNumber: 4, ETag: etags[3]}}, "1023"},
		} {
			e := f.complete(t, b, "small", id, c.list, nil).wantMPError(t, "EntityTooSmall", http.StatusBadRequest)
			if e.ProposedSize != c.proposed || e.MinSizeAllowed != "1024" {
				t.Errorf("ProposedSize %q MinSizeAllowed %q, want %s and 1024", e.ProposedSize, e.MinSizeAllowed, c.proposed)
			}
		}
		// Only the last listed part may be small, even empty.
		list := []partXML{{PartNumber: 2, ETag: etags[1]}, {PartNumber: 4, ETag: etags[3]}}
		f.mustComplete(t, b, "small", id, list, nil)
		if got := f.get(t, b, "small"); !bytes.Equal(got, parts[1]) {
			t.Errorf("object is %d bytes, want part 2", len(got))
		}
	})

	t.Run("PartTooLarge", func(t *testing.T) {
		t.Parallel()
		// A part over 5 GiB is refused from its Content-Length, before any
		// byte is read. (The 48.8 TiB object limit cannot be reached here.)
		id, _ := f.createUpload(t, b, "large", nil)
		rr := rawRequest{method: http.MethodPut, path: objectPath(b, "large"), query: partQuery(id, 1), payloadHash: "UNSIGNED-PAYLOAD"}
		req := f.raw.build(t, rr)
		f.raw.sign(t, req, rr)
		resp := f.sendWire(t, req, "5368709121", nil)
		e := resp.wantMPError(t, "EntityTooLarge", http.StatusBadRequest)
		if e.ProposedSize != "5368709121" || e.MaxSizeAllowed != "5368709120" {
			t.Errorf("ProposedSize %q MaxSizeAllowed %q", e.ProposedSize, e.MaxSizeAllowed)
		}
	})

	t.Run("Order", func(t *testing.T) {
		t.Parallel()
		id, etags := f.uploadParts(t, b, "order", sizedParts(2000, 2000, 10), nil)
		for _, list := range [][]partXML{
			{{PartNumber: 2, ETag: etags[1]}, {PartNumber: 1, ETag: etags[0]}},
			{{PartNumber: 1, ETag: etags[0]}, {PartNumber: 1, ETag: etags[0]}},
			{{PartNumber: 1, ETag: etags[0]}, {PartNumber: 3, ETag: etags[2]}, {PartNumber: 2, ETag: etags[1]}},
		} {
			f.complete(t, b, "order", id, list, nil).wantError(t, "InvalidPartOrder", http.StatusBadRequest)
		}
		f.mustComplete(t, b, "order", id, numbered(etags), nil)
	})

	t.Run("InvalidPart", func(t *testing.T) {
		t.Parallel()
		parts := sizedParts(2000, 2000)
		id, etags := f.uploadParts(t, b, "invalid-part", parts, nil)
		for _, c := range []struct {
			list       []partXML
			partNumber string
			etag       string
		}{
			{append(numbered(etags), partXML{PartNumber: 3, ETag: etags[1]}), "3", strings.Trim(etags[1], `"`)},
			{[]partXML{{PartNumber: 1, ETag: etags[0]}, {PartNumber: 2, ETag: `"` + md5Hex([]byte("other")) + `"`}}, "2", md5Hex([]byte("other"))},
			{[]partXML{{PartNumber: 1, ETag: etags[1]}}, "1", strings.Trim(etags[1], `"`)},
			{[]partXML{{PartNumber: 1}}, "1", ""},
		} {
			e := f.complete(t, b, "invalid-part", id, c.list, nil).wantMPError(t, "InvalidPart", http.StatusBadRequest)
			if e.UploadID != id || e.PartNumber != c.partNumber || e.ETag != c.etag {
				t.Errorf("InvalidPart fields %+v, want UploadId %s PartNumber %s ETag %s", e, id, c.partNumber, c.etag)
			}
		}
		// ETags match with quotes or without.
		list := []partXML{{PartNumber: 1, ETag: strings.Trim(etags[0], `"`)}, {PartNumber: 2, ETag: etags[1]}}
		r := f.mustComplete(t, b, "invalid-part", id, list, nil)
		if r.ETag != multipartETag(parts...) {
			t.Errorf("ETag %s, want %s", r.ETag, multipartETag(parts...))
		}
	})

	t.Run("MalformedXML", func(t *testing.T) {
		t.Parallel()
		id, etags := f.uploadParts(t, b, "malformed", sizedParts(10), nil)
		for _, body := range []string{
			"",
			"   ",
			"not xml at all",
			"<CompleteMultipartUpload>",
			"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>",
			"<Other><Part><PartNumber>1</PartNumber><ETag>" + etags[0] + "</ETag></Part></Other>",
			"<CompleteMultipartUpload></CompleteMultipartUpload>",
			"<CompleteMultipartUpload><Part><ETag>" + etags[0] + "</ETag></Part></CompleteMultipartUpload>",
			"<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>" + etags[0] + "</ETag></Part></CompleteMultipartUpload>",
		} {
			resp := f.completeRaw(t, b, "malformed", id, []byte(body), nil)
			resp.wantError(t, "MalformedXML", http.StatusBadRequest)
			if t.Failed() {
				t.Fatalf("body %q", body)
			}
		}
		// Namespaced, as the SDKs send it, and with unknown elements.
		body := `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><Extra>x</Extra><ETag>` +
			etags[0] + `</ETag><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`
		f.completeRaw(t, b, "malformed", id, []byte(body), nil).wantStatus(t, http.StatusOK)
	})

	t.Run("NoSuchUpload", func(t *testing.T) {
		t.Parallel()
		parts := sizedParts(10)
		id, etags := f.uploadParts(t, b, "mine", parts, nil)
		bogus := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		// Every operation naming an unknown upload, or this upload under
		// another key, is NoSuchUpload.
		for _, c := range []struct{ key, id string }{{"mine", bogus}, {"mine", ""}, {"other-key", id}} {
			wantNoSuchUpload(t, f, f.raw, b, c.key, c.id, etags)
		}
		// Another user's upload, named on that user's own bucket and key.
		other := f.srv.AddUser(t, "mp-other")
		raw2 := f.raw.as(other)
		b2 := "mp-other-" + strings.ToLower(randomHex(3))
		_, err := f.srv.AWS(t, other).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(b2)})
		mustOK(t, err, "CreateBucket as other user")
		wantNoSuchUpload(t, f, raw2, b2, "mine", id, etags)
		// On root's bucket the other user is denied before anything else.
		raw2.do(t, rawRequest{method: http.MethodPost, path: objectPath(b, "mine"), query: uploadQuery(id), body: completeBody(numbered(etags))}).
			wantError(t, "AccessDenied", http.StatusForbidden)
		// None of that touched the upload.
		r := f.mustComplete(t, b, "mine", id, numbered(etags), nil)
		if r.ETag != multipartETag(parts...) {
			t.Errorf("ETag %s", r.ETag)
		}
		// An aborted upload is gone for every operation.
		id2, etags2 := f.uploadParts(t, b, "aborted", sizedParts(10), nil)
		f.abort(t, b, "aborted", id2).wantStatus(t, http.StatusNoContent)
		wantNoSuchUpload(t, f, f.raw, b, "aborted", id2, etags2)
		if f.exists(t, b, "aborted") {
			t.Error("an aborted upload left an object")
		}
	})
}

// wantNoSuchUpload checks that Complete, UploadPart, ListParts and Abort of
// bucket/key with uploadID all answer 404 NoSuchUpload.
func wantNoSuchUpload(t *testing.T, f *fixture, raw *rawClient, bucket, key, uploadID string, etags []string) {
	t.Helper()
	path := objectPath(bucket, key)
	for _, rr := range []rawRequest{
		{method: http.MethodPost, path: path, query: uploadQuery(uploadID), body: completeBody(numbered(etags))},
		{method: http.MethodPut, path: path, query: partQuery(uploadID, 1), body: []byte("part")},
		{method: http.MethodGet, path: path, query: uploadQuery(uploadID)},
		{method: http.MethodDelete, path: path, query: uploadQuery(uploadID)},
	} {
		raw.do(t, rr).wantError(t, "NoSuchUpload", http.StatusNotFound)
		if t.Failed() {
			t.Fatalf("%s %s?%s", rr.method, rr.path, rr.query)
		}
	}
}

// TestMultipartDefaultMinPartSize checks S3's own 5 MiB minimum.
func TestMultipartDefaultMinPartSize(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	parts := sizedParts(5<<20-1, 10)
	id, etags := f.uploadParts(t, b, "five", parts, nil)
	e := f.complete(t, b, "five", id, numbered(etags), nil).wantMPError(t, "EntityTooSmall", http.StatusBadRequest)
	if e.ProposedSize != "5242879" || e.MinSizeAllowed != "5242880" {
		t.Errorf("ProposedSize %q MinSizeAllowed %q", e.ProposedSize, e.MinSizeAllowed)
	}
	full := payload(5 << 20)
	etags[0] = f.mustUploadPart(t, b, "five", id, 1, full, nil)
	r := f.mustComplete(t, b, "five", id, numbered(etags), nil)
	if r.ETag != multipartETag(full, parts[1]) {
		t.Errorf("ETag %s, want %s", r.ETag, multipartETag(full, parts[1]))
	}
}

// TestMultipartSubsetAndReclaim completes a subset of the parts with gaps,
// checks the object and its ETag, and that the unlisted and replaced parts'
// blobs are gone after a collection while the object's stay.
func TestMultipartSubsetAndReclaim(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, minPartSize(1024), quietGC())
	b := f.bucket(t)
	blobs := func() int { return countBlobFiles(t, f.srv.DataDir) }

	parts := sizedParts(2000, 2001, 2002, 2003, 2004)
	id, etags := f.uploadParts(t, b, "gaps", parts, nil)
	if n := blobs(); n != 5 {
		t.Fatalf("%d blob files after 5 parts", n)
	}
	list := []partXML{{PartNumber: 1, ETag: etags[0]}, {PartNumber: 3, ETag: etags[2]}, {PartNumber: 5, ETag: etags[4]}}
	r := f.mustComplete(t, b, "gaps", id, list, nil)
	want := concat(parts[0], parts[2], parts[4])
	if r.ETag != multipartETag(parts[0], parts[2], parts[4]) {
		t.Errorf("ETag %s, want %s", r.ETag, multipartETag(parts[0], parts[2], parts[4]))
	}
	if got := f.get(t, b, "gaps"); !bytes.Equal(got, want) {
		t.Fatalf("object is %d bytes, want parts 1, 3 and 5 (%d)", len(got), len(want))
	}
	f.collect(t)
	if n := blobs(); n != 3 {
		t.Errorf("%d blob files after collecting the unlisted parts, want 3", n)
	}
	if got := f.get(t, b, "gaps"); !bytes.Equal(got, want) {
		t.Fatal("object damaged by the collection")
	}

	// A part number uploaded again replaces the earlier part.
	first, second := payload(3000), payload(3001)
	id2, _ := f.createUpload(t, b, "replaced", nil)
	e1 := f.mustUploadPart(t, b, "replaced", id2, 1, first, nil)
	e2 := f.mustUploadPart(t, b, "replaced", id2, 1, second, nil)
	lp, _ := f.listParts(t, b, "replaced", id2, "")
	if len(lp.Parts) != 1 || lp.Parts[0].ETag != e2 || lp.Parts[0].Size != 3001 {
		t.Fatalf("ListParts after a re-upload: %+v", lp.Parts)
	}
	f.complete(t, b, "replaced", id2, []partXML{{PartNumber: 1, ETag: e1}}, nil).wantError(t, "InvalidPart", http.StatusBadRequest)
	f.mustComplete(t, b, "replaced", id2, []partXML{{PartNumber: 1, ETag: e2}}, nil)
	f.collect(t)
	if n := blobs(); n != 4 {
		t.Errorf("%d blob files, want 4: the replaced part must be reclaimed", n)
	}
	if got := f.get(t, b, "replaced"); !bytes.Equal(got, second) {
		t.Error("object is not the second upload of part 1")
	}

	// Aborting reclaims every part.
	id3, _ := f.uploadParts(t, b, "aborted", sizedParts(2000, 2000), nil)
	f.abort(t, b, "aborted", id3).wantStatus(t, http.StatusNoContent)
	f.collect(t)
	if n := blobs(); n != 4 {
		t.Errorf("%d blob files after an abort, want 4", n)
	}
}
