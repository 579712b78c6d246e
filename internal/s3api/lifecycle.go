package s3api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-s3/cairn/internal/object"
	"github.com/cairn-s3/cairn/internal/s3"
)

// maxLifecycleBody bounds a lifecycle configuration: 1,000 rules.
const maxLifecycleBody = 1 << 20

func (h *Handler) putBucketLifecycle(req *request) error {
	var cfg lifecycleConfiguration
	if err := req.decodeXML(maxLifecycleBody, true, &cfg); err != nil {
		return err
	}
	lc, err := cfg.toLifecycle()
	if err != nil {
		return err
	}
	if err := h.svc.PutBucketLifecycle(req.ctx, req.addr.bucket, lc); err != nil {
		return err
	}
	req.w.Header().Set("Content-Length", "0")
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// toLifecycle maps the XML onto the rules Cairn honours. A rule with an
// action Cairn does not carry out is refused with NotImplemented: storing it
// would promise an expiration that never happens.
func (c lifecycleConfiguration) toLifecycle() (object.Lifecycle, error) {
	var lc object.Lifecycle
	for _, r := range c.Rules {
		rule := object.LifecycleRule{ID: r.ID}
		switch r.Status {
		case "Enabled":
			rule.Enabled = true
		case "Disabled":
		default:
			return lc, s3.ErrMalformedXML
		}
		if r.Expiration != nil || len(r.Transitions) > 0 || r.NoncurrentVersionExpiration != nil || len(r.NoncurrentVersionTransitions) > 0 {
			return lc, s3.Errorf(s3.ErrNotImplemented, "Cairn supports only the AbortIncompleteMultipartUpload lifecycle action")
		}
		if r.AbortIncompleteMultipartUpload == nil || r.AbortIncompleteMultipartUpload.DaysAfterInitiation == nil {
			return lc, s3.ErrMalformedXML
		}
		days, err := strconv.Atoi(strings.TrimSpace(*r.AbortIncompleteMultipartUpload.DaysAfterInitiation))
		if err != nil || days <= 0 {
			return lc, s3.Errorf(s3.ErrInvalidArgument, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
		}
		rule.AbortAfterDays = days
		switch {
		case r.Filter != nil && r.Prefix != nil:
			return lc, s3.ErrMalformedXML
		case r.Prefix != nil:
			rule.Prefix, rule.LegacyPrefix = *r.Prefix, true
		case r.Filter != nil:
			f := r.Filter
			if f.Tag != nil || (f.And != nil && len(f.And.Tags) > 0) {
				return lc, s3.Errorf(s3.ErrInvalidRequest, "AbortIncompleteMultipartUpload cannot be specified with Tags.")
			}
			if f.ObjectSizeGreaterThan != nil || f.ObjectSizeLessThan != nil {
				return lc, s3.Errorf(s3.ErrNotImplemented, "Cairn does not support object size filters in lifecycle rules")
			}
			switch {
			case f.Prefix != nil:
				rule.Prefix = *f.Prefix
			case f.And != nil && f.And.Prefix != nil:
				rule.Prefix = *f.And.Prefix
			}
		}
		lc.Rules = append(lc.Rules, rule)
	}
	return lc, nil
}

func (h *Handler) getBucketLifecycle(req *request) error {
	lc, err := h.svc.GetBucketLifecycle(req.ctx, req.addr.bucket)
	if err != nil {
		return err
	}
	out := lifecycleConfiguration{Xmlns: s3Namespace}
	for _, r := range lc.Rules {
		x := lifecycleRule{ID: r.ID, Status: "Disabled"}
		if r.Enabled {
			x.Status = "Enabled"
		}
		prefix := r.Prefix
		if r.LegacyPrefix {
			x.Prefix = &prefix
		} else {
			x.Filter = &lifecycleFilter{Prefix: &prefix}
		}
		days := strconv.Itoa(r.AbortAfterDays)
		x.AbortIncompleteMultipartUpload = &struct {
			DaysAfterInitiation *string `xml:"DaysAfterInitiation"`
		}{&days}
		out.Rules = append(out.Rules, x)
	}
	return req.reply(http.StatusOK, out)
}

func (h *Handler) deleteBucketLifecycle(req *request) error {
	if err := h.svc.DeleteBucketLifecycle(req.ctx, req.addr.bucket); err != nil {
		return err
	}
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}
