package s3api

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/internal/object"
	"github.com/cairn-s3/cairn/internal/s3"
)

func (h *Handler) completeMultipartUpload(req *request) error {
	hdr := req.r.Header
	in := object.CompleteInput{
		Bucket:     req.addr.bucket,
		Key:        req.addr.key,
		UploadID:   req.r.URL.Query().Get("uploadId"),
		Conditions: writeConditions(hdr),
	}
	// The x-amz-checksum-* header of a Complete is the object's expected
	// checksum, not the body's: only Content-MD5 covers the body.
	t := req.traits()
	limit, parse := int64(maxCompleteBody), parseCompleteBody
	if t.completeBodyLimit > 0 {
		limit = t.completeBodyLimit
	}
	if t.parseComplete != nil {
		parse = t.parseComplete
	}
	body, err := req.readLimited(limit)
	if err != nil {
		return err
	}
	if in.Parts, err = parse(bytes.NewReader(body)); err != nil {
		return err
	}
	in.PartSizes, in.ETag = t.partSizes, t.etag
	if t.metadataOnComplete {
		in.UserMetadata = userMetadata(hdr)
	}
	for _, alg := range s3.ChecksumAlgorithms() {
		if v := hdr.Get(alg.HeaderName()); v != "" {
			if in.Checksum.Algorithm != "" {
				return s3.Errorf(s3.ErrInvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
			}
			in.Checksum = object.ChecksumInput{Algorithm: alg, Value: v}
		}
	}
	if v := hdr.Get("X-Amz-Checksum-Type"); v != "" {
		in.ChecksumType = s3.ChecksumType(strings.ToUpper(v))
		if in.ChecksumType != s3.ChecksumTypeComposite && in.ChecksumType != s3.ChecksumTypeFullObject {
			return s3.Errorf(s3.ErrInvalidRequest, "Value for x-amz-checksum-type header is invalid.")
		}
	}
	if v := hdr.Get("X-Amz-Mp-Object-Size"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return s3.Errorf(s3.ErrInvalidRequest, "Value for x-amz-mp-object-size header is invalid.").With("ArgumentName", "x-amz-mp-object-size", "ArgumentValue", v)
		}
		in.ObjectSize = &n
	}
	return h.runComplete(req, in)
}

type completeOutcome struct {
	res object.CompleteResult
	err error
}

// runComplete carries out a Complete. If it has not finished within the
// keep-alive delay, the answer is committed to 200 OK at once and the
// connection kept alive with whitespace until the result (or an embedded
// <Error>, which SDKs detect and retry) can be sent, as S3 does for slow
// Completes. The Complete itself is not cancelled when the client goes
// away: it commits or fails as a whole, and a retry replays its result.
func (h *Handler) runComplete(req *request, in object.CompleteInput) error {
	done := make(chan completeOutcome, 1)
	ctx := context.WithoutCancel(req.ctx)
	go func() {
		res, err := h.svc.CompleteMultipartUpload(ctx, in)
		done <- completeOutcome{res, err}
	}()
	var keepAlive <-chan time.Time // nil: wait for the result
	if !req.traits().noKeepAlive {
		wait := time.NewTimer(h.cfg.CompleteKeepAliveDelay)
		defer wait.Stop()
		keepAlive = wait.C
	}
	select {
	case o := <-done:
		if o.err != nil {
			return o.err
		}
		req.extra = o.res.ExtraChecksums
		return req.reply(http.StatusOK, h.completeResult(req, o.res))
	case <-keepAlive:
	}

	req.w.Header().Set("Content-Type", "application/xml")
	req.w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(req.w)
	// The declaration goes first so that the whitespace that follows keeps
	// the document well-formed.
	_, _ = req.w.Write([]byte(xml.Header))
	_ = rc.Flush()
	tick := time.NewTicker(h.cfg.CompleteKeepAliveInterval)
	defer tick.Stop()
	for {
		select {
		case o := <-done:
			var body []byte
			if o.err != nil {
				body = errorElement(h.clientError(req, o.err), req.resource(), req.id, req.hostID)
			} else {
				var err error
				if body, err = xml.Marshal(h.completeResult(req, o.res)); err != nil {
					body = errorElement(h.clientError(req, err), req.resource(), req.id, req.hostID)
				}
			}
			_, _ = req.w.Write(body)
			return nil
		case <-tick.C:
			if _, err := req.w.Write([]byte(" ")); err != nil {
				return nil // the client left; the Complete finishes anyway
			}
			_ = rc.Flush()
		case <-req.ctx.Done():
			return nil
		}
	}
}

func (h *Handler) completeResult(req *request, res object.CompleteResult) completeMultipartUploadResult {
	out := completeMultipartUploadResult{
		Xmlns:    s3Namespace,
		Location: objectLocation(req, res.Bucket, res.Key),
		Bucket:   res.Bucket,
		Key:      res.Key,
		ETag:     `"` + res.ETag + `"`,
	}
	out.checksumFields = checksumXML(res.Checksum.Algorithm, res.Checksum.Value)
	out.ChecksumType = string(res.Checksum.Type)
	return out
}

// objectLocation is the URL of an object as the request addressed the
// server, in path style.
func objectLocation(req *request, bucket, key string) string {
	scheme := "http"
	if req.r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: req.r.Host, Path: "/" + bucket + "/" + key}
	return u.String()
}
