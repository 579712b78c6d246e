package s3api

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/cairn-s3/cairn/internal/s3"
)

// writeError renders err as S3's XML error document. It is the only place
// that turns an error into a response (Complete's keep-alive, which has
// already sent its status, embeds the same element in its body).
func (h *Handler) writeError(req *request, err error) {
	e := h.clientError(req, err)
	if req.w.wroteHeader {
		// The status line is gone; all that is left is to cut the body
		// short so the client sees a failed transfer, not a silent one.
		h.log.Warn("error after response started", "request_id", req.id, "op", string(req.op), "err", err)
		panic(http.ErrAbortHandler)
	}
	req.dialect.fail(req, e)
}

// writeXMLError sends e as S3's XML error document, with the headers it
// carries. HEAD responses and 304s carry no body.
func writeXMLError(req *request, e *s3.Error) {
	hdr := req.w.Header()
	for k, v := range e.Header {
		hdr.Set(k, v)
	}
	status := e.Status()
	if status == http.StatusNotModified || req.r.Method == http.MethodHead {
		hdr.Del("Content-Length")
		req.w.WriteHeader(status)
		return
	}
	body := errorDocument(e, req.resource(), req.id, req.hostID)
	hdr.Set("Content-Type", "application/xml")
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	req.w.WriteHeader(status)
	_, _ = req.w.Write(body)
}

// clientError is the S3 error to send for err. An error that carries no
// S3 code is a bug or an I/O failure: the client gets InternalError and the
// log gets the detail, which never reaches the client.
func (h *Handler) clientError(req *request, err error) *s3.Error {
	e, ok := s3.AsError(err)
	switch {
	case !ok || !e.Code.Known():
		h.log.Error("internal error", "request_id", req.id, "op", string(req.op), "method", req.r.Method, "path", req.r.URL.Path, "err", err)
		return &s3.Error{Code: s3.ErrInternalError}
	case e.Code == s3.ErrNotImplemented:
		h.log.Debug("not implemented", "request_id", req.id, "op", string(req.op), "err", err)
	case e.Code.Status() >= 500:
		h.log.Warn("server error", "request_id", req.id, "op", string(req.op), "err", err)
	}
	return e
}

// errorDocument renders the XML error document: the declaration and the
// <Error> element.
func errorDocument(e *s3.Error, resource, requestID, hostID string) []byte {
	return append([]byte(xml.Header), errorElement(e, resource, requestID, hostID)...)
}

// errorElement renders <Error> with the code, message, extra fields in
// order, resource and request IDs.
func errorElement(e *s3.Error, resource, requestID, hostID string) []byte {
	var b bytes.Buffer
	b.WriteString("<Error>")
	element(&b, "Code", string(e.Code))
	element(&b, "Message", e.Text())
	for _, f := range e.Fields {
		element(&b, f.Name, f.Value)
	}
	if resource != "" {
		element(&b, "Resource", resource)
	}
	element(&b, "RequestId", requestID)
	element(&b, "HostId", hostID)
	b.WriteString("</Error>")
	return b.Bytes()
}

func element(b *bytes.Buffer, name, value string) {
	b.WriteByte('<')
	b.WriteString(name)
	b.WriteByte('>')
	_ = xml.EscapeText(b, []byte(value))
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}
