package fsblob_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/cairn-s3/cairn/internal/blob/fsblob"
	"github.com/cairn-s3/cairn/internal/s3"
)

// TestServeOverHTTP copies ranges of a blob into an http.ResponseWriter,
// the path on which the reader's WriteTo hands the file to sendfile(2),
// and checks the bytes that arrive.
func TestServeOverHTTP(t *testing.T) {
	ctx := context.Background()
	s, err := fsblob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	id := s3.NewBlobID()
	data := bytes.Repeat([]byte("0123456789abcdef"), 256<<10) // 4 MiB
	if err := writeChunked(ctx, s, id, data, 1<<20); err != nil {
		t.Fatal(err)
	}
	ranges := [][2]int64{{0, int64(len(data))}, {12345, 1 << 20}, {int64(len(data)) - 7, 7}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		i, err := strconv.Atoi(req.URL.Query().Get("range"))
		if err != nil || i < 0 || i >= len(ranges) {
			http.Error(w, "bad range index", http.StatusBadRequest)
			return
		}
		rng := ranges[i]
		r, err := s.Open(req.Context(), id, rng[0], rng[1])
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer r.Close()
		// A known length (no chunking) and type (no sniffing) are what let
		// net/http pass the reader on to the connection's ReadFrom.
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(rng[1], 10))
		if _, err := io.Copy(w, r); err != nil {
			t.Errorf("io.Copy to the response: %v", err)
		}
	}))
	defer srv.Close()
	for i, rng := range ranges {
		resp, err := http.Get(srv.URL + "/?range=" + strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(got, data[rng[0]:rng[0]+rng[1]]) {
			t.Errorf("range %v: got %d bytes, %v", rng, len(got), err)
		}
	}
}
