package s3api

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/cairn-s3/cairn/internal/s3"
)

// maxConfigBody bounds small configuration documents.
const maxConfigBody = 64 << 10

func (h *Handler) listBuckets(req *request) error {
	p, _ := s3.PrincipalFrom(req.ctx)
	buckets, err := h.svc.ListBuckets(req.ctx)
	if err != nil {
		return err
	}
	q := req.r.URL.Query()
	prefix := q.Get("prefix")
	region := q.Get("bucket-region")
	maxBuckets := 10000
	if v := q.Get("max-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return s3.Errorf(s3.ErrInvalidArgument, "Provided max-buckets not an integer or within integer range").With("ArgumentName", "max-buckets", "ArgumentValue", v)
		}
		maxBuckets = n
	}
	after := ""
	if tok := q.Get("continuation-token"); tok != "" {
		var err error
		if after, err = decodeToken(tok); err != nil {
			return err
		}
	}
	res := listAllMyBucketsResult{Xmlns: s3Namespace, Owner: owner{ID: p.UserID, DisplayName: p.DisplayName}, Prefix: prefix}
	for _, b := range buckets {
		if b.Name <= after || !hasPrefix(b.Name, prefix) || (region != "" && b.Region != region) {
			continue
		}
		if len(res.Buckets) == maxBuckets {
			res.ContinuationToken = encodeToken(res.Buckets[len(res.Buckets)-1].Name)
			break
		}
		res.Buckets = append(res.Buckets, bucketResult{Name: b.Name, CreationDate: isoTime(b.Created), BucketRegion: b.Region})
	}
	return req.reply(http.StatusOK, res)
}

func (h *Handler) createBucket(req *request) error {
	var region string
	body, err := req.readSmallBody(maxConfigBody, false)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) > 0 {
		var cfg createBucketConfiguration
		if err := xml.Unmarshal(body, &cfg); err != nil {
			return s3.ErrMalformedXML
		}
		region = cfg.LocationConstraint
	}
	if err := h.svc.CreateBucket(req.ctx, req.addr.bucket, region); err != nil {
		return err
	}
	req.w.Header().Set("Location", "/"+req.addr.bucket)
	req.w.Header().Set("Content-Length", "0")
	req.w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) headBucket(req *request) error {
	b, err := h.svc.HeadBucket(req.ctx, req.addr.bucket)
	if err != nil {
		return err
	}
	req.w.Header().Set("x-amz-bucket-region", b.Region)
	req.w.Header().Set("Content-Length", "0")
	req.w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) deleteBucket(req *request) error {
	if err := h.svc.DeleteBucket(req.ctx, req.addr.bucket); err != nil {
		return err
	}
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) getBucketLocation(req *request) error {
	b, err := h.svc.HeadBucket(req.ctx, req.addr.bucket)
	if err != nil {
		return err
	}
	// us-east-1 is reported as an empty constraint, as S3 does.
	loc := b.Region
	if loc == "us-east-1" {
		loc = ""
	}
	return req.reply(http.StatusOK, locationConstraint{Xmlns: s3Namespace, Value: loc})
}

// getBucketVersioning answers that versioning was never enabled, which is
// true: Cairn does not version objects yet.
func (h *Handler) getBucketVersioning(req *request) error {
	if _, err := h.svc.HeadBucket(req.ctx, req.addr.bucket); err != nil {
		return err
	}
	return req.reply(http.StatusOK, versioningConfiguration{Xmlns: s3Namespace})
}
