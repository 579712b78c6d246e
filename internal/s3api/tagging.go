package s3api

import (
	"net/http"

	"github.com/cairn-s3/cairn/internal/s3"
)

func (h *Handler) getObjectTagging(req *request) error {
	tags, err := h.svc.GetObjectTagging(req.ctx, req.addr.bucket, req.addr.key)
	if err != nil {
		return err
	}
	out := tagging{Xmlns: s3Namespace, TagSet: make([]tagXML, 0, len(tags))}
	for _, t := range tags {
		out.TagSet = append(out.TagSet, tagXML{Key: t.Key, Value: t.Value})
	}
	return req.reply(http.StatusOK, out)
}

func (h *Handler) putObjectTagging(req *request) error {
	var in tagging
	if err := req.decodeXML(maxConfigBody, false, &in); err != nil {
		return err
	}
	tags := make([]s3.Tag, 0, len(in.TagSet))
	for _, t := range in.TagSet {
		tags = append(tags, s3.Tag{Key: t.Key, Value: t.Value})
	}
	if err := h.svc.PutObjectTagging(req.ctx, req.addr.bucket, req.addr.key, tags); err != nil {
		return err
	}
	req.w.Header().Set("Content-Length", "0")
	req.w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) deleteObjectTagging(req *request) error {
	if err := h.svc.DeleteObjectTagging(req.ctx, req.addr.bucket, req.addr.key); err != nil {
		return err
	}
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}
