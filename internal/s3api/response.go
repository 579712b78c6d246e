package s3api

import (
	"io"
	"net/http"
)

// responseWriter records whether the status line went out, so that the
// error writer knows whether it can still answer with an error document. It
// forwards ReadFrom so that copying a file to it stays sendfile, and Unwrap
// so that http.ResponseController can flush it.
type responseWriter struct {
	http.ResponseWriter
	// before, if set, adjusts the headers once, just before they go out.
	before      func(http.Header)
	wroteHeader bool
	status      int
	written     int64
}

func (w *responseWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader, w.status = true, status
	if w.before != nil {
		w.before(w.ResponseWriter.Header())
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(p)
	w.written += int64(n)
	return n, err
}

func (w *responseWriter) ReadFrom(r io.Reader) (int64, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(w.ResponseWriter, r)
	}
	w.written += n
	return n, err
}

func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
