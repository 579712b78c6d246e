package loadgen

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Test credentials.
const (
	testAccessKey = "AKIDLOADGENTEST00001"
	testSecretKey = "loadgen-test-secret-key-0123456789abcdef"
)

// fakeS3 is an in-memory S3 server just big enough for the load generator:
// buckets, PUT/GET/HEAD/DELETE of objects, and multipart upload. Every
// request's SigV4 signature is checked with checkSigV4.
type fakeS3 struct {
	t *testing.T

	mu      sync.Mutex
	buckets map[string]bool
	objects map[string][]byte // "bucket/key" → data
	uploads map[string]map[int][]byte
	nextID  int
	// requests counts requests by "METHOD op".
	requests map[string]int
	// failPutAfter, when > 0, fails PutObject number failPutAfter+1 on.
	failPutAfter int
	puts         int
	// minPartSize is enforced by Complete for every part but the last.
	minPartSize int
	// completeError, when set, is sent as an <Error> after a 200 and
	// whitespace, as a kept-alive Complete does.
	completeError string
}

func newFakeS3(t *testing.T) (*fakeS3, *httptest.Server) {
	f := &fakeS3{t: t, buckets: map[string]bool{}, objects: map[string][]byte{}, uploads: map[string]map[int][]byte{}, requests: map[string]int{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeS3) count(what string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[what]
}

func (f *fakeS3) objectCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.objects)
}

func (f *fakeS3) object(name string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.objects[name]
	return b, ok
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>", code, msg)
}

func etagOf(b []byte) string {
	s := md5.Sum(b)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if ak, err := checkSigV4(r, testSecretKey); err != nil || ak != testAccessKey {
		f.t.Errorf("%s %s: bad signature (access key %q): %v", r.Method, r.URL, ak, err)
		writeError(w, http.StatusForbidden, "SignatureDoesNotMatch", "bad signature")
		return
	}
	if got := r.Header.Get("X-Amz-Content-Sha256"); got != "UNSIGNED-PAYLOAD" {
		f.t.Errorf("%s %s: x-amz-content-sha256 %q", r.Method, r.URL, got)
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "IncompleteBody", err.Error())
		return
	}
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	op := func(name string) { f.requests[r.Method+" "+name]++ }
	if key == "" {
		switch r.Method {
		case http.MethodHead:
			op("bucket")
			if !f.buckets[bucket] {
				w.WriteHeader(http.StatusNotFound)
			}
		case http.MethodPut:
			op("bucket")
			if f.buckets[bucket] {
				writeError(w, http.StatusConflict, "BucketAlreadyOwnedByYou", "yours")
				return
			}
			f.buckets[bucket] = true
		default:
			writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method)
		}
		return
	}
	if !f.buckets[bucket] {
		writeError(w, http.StatusNotFound, "NoSuchBucket", bucket)
		return
	}
	name := bucket + "/" + key
	switch {
	case r.Method == http.MethodPost && q.Has("uploads"):
		op("create")
		f.nextID++
		id := "upload-" + strconv.Itoa(f.nextID)
		f.uploads[id] = map[int][]byte{}
		fmt.Fprintf(w, "<InitiateMultipartUploadResult><Bucket>%s</Bucket><Key>%s</Key><UploadId>%s</UploadId></InitiateMultipartUploadResult>", bucket, key, id)
	case r.Method == http.MethodPut && q.Has("uploadId"):
		op("part")
		parts, ok := f.uploads[q.Get("uploadId")]
		if !ok {
			writeError(w, http.StatusNotFound, "NoSuchUpload", "gone")
			return
		}
		n, err := strconv.Atoi(q.Get("partNumber"))
		if err != nil || n < 1 || n > 10000 {
			writeError(w, http.StatusBadRequest, "InvalidArgument", "partNumber")
			return
		}
		parts[n] = body
		w.Header().Set("ETag", etagOf(body))
	case r.Method == http.MethodGet && q.Has("uploadId"):
		op("listparts")
		f.listParts(w, q)
	case r.Method == http.MethodPost && q.Has("uploadId"):
		op("complete")
		f.completeUpload(w, name, q.Get("uploadId"), body)
	case r.Method == http.MethodDelete && q.Has("uploadId"):
		op("abort")
		delete(f.uploads, q.Get("uploadId"))
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPut:
		op("put")
		f.puts++
		if f.failPutAfter > 0 && f.puts > f.failPutAfter {
			writeError(w, http.StatusServiceUnavailable, "SlowDown", "reduce your request rate")
			return
		}
		if r.ContentLength != int64(len(body)) {
			f.t.Errorf("PUT %s: Content-Length %d, body %d bytes", name, r.ContentLength, len(body))
		}
		f.objects[name] = body
		w.Header().Set("ETag", etagOf(body))
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		op(strings.ToLower(r.Method))
		b, ok := f.objects[name]
		if !ok {
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			writeError(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Header().Set("ETag", etagOf(b))
		if r.Method == http.MethodGet {
			_, _ = w.Write(b)
		}
	case r.Method == http.MethodDelete:
		op("delete")
		delete(f.objects, name)
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, http.StatusNotImplemented, "NotImplemented", r.Method)
	}
}

// listParts answers ListParts; f.mu is held.
func (f *fakeS3) listParts(w http.ResponseWriter, q map[string][]string) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	parts, ok := f.uploads[get("uploadId")]
	if !ok {
		writeError(w, http.StatusNotFound, "NoSuchUpload", "gone")
		return
	}
	marker, _ := strconv.Atoi(get("part-number-marker"))
	maxParts, err := strconv.Atoi(get("max-parts"))
	if err != nil || maxParts < 1 || maxParts > 1000 {
		f.t.Errorf("ListParts max-parts %q: want 1..1000", get("max-parts"))
		maxParts = 1000
	}
	var numbers []int
	for n := range parts {
		if n > marker {
			numbers = append(numbers, n)
		}
	}
	slices.Sort(numbers)
	truncated := len(numbers) > maxParts
	if truncated {
		numbers = numbers[:maxParts]
	}
	var b strings.Builder
	b.WriteString("<ListPartsResult>")
	for _, n := range numbers {
		fmt.Fprintf(&b, "<Part><PartNumber>%d</PartNumber><ETag>&#34;%s&#34;</ETag><Size>%d</Size></Part>",
			n, strings.Trim(etagOf(parts[n]), `"`), len(parts[n]))
	}
	next := 0
	if len(numbers) > 0 {
		next = numbers[len(numbers)-1]
	}
	fmt.Fprintf(&b, "<IsTruncated>%t</IsTruncated><NextPartNumberMarker>%d</NextPartNumberMarker></ListPartsResult>", truncated, next)
	_, _ = io.WriteString(w, b.String())
}

// completeUpload answers Complete the way a server that keeps the
// connection alive does: 200, whitespace, then the result or an <Error>;
// f.mu is held.
func (f *fakeS3) completeUpload(w http.ResponseWriter, name, id string, body []byte) {
	parts, ok := f.uploads[id]
	if !ok {
		writeError(w, http.StatusNotFound, "NoSuchUpload", "gone")
		return
	}
	var req completeRequest
	if err := xml.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "MalformedXML", err.Error())
		return
	}
	var data []byte
	for i, p := range req.Parts {
		b, ok := parts[p.PartNumber]
		if !ok || p.PartNumber != i+1 || p.ETag != etagOf(b) {
			writeError(w, http.StatusBadRequest, "InvalidPart", fmt.Sprintf("part %d", p.PartNumber))
			return
		}
		if i < len(req.Parts)-1 && len(b) < f.minPartSize {
			writeError(w, http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
			return
		}
		data = append(data, b...)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n   \n  ")
	if f.completeError != "" {
		fmt.Fprintf(w, "<Error><Code>%s</Code><Message>failed late</Message></Error>", f.completeError)
		return
	}
	delete(f.uploads, id)
	f.objects[name] = data
	fmt.Fprintf(w, "<CompleteMultipartUploadResult><Key>%s</Key><ETag>\"x-%d\"</ETag></CompleteMultipartUploadResult>", name, len(req.Parts))
}
