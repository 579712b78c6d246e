package s3api

import (
	"net/http"

	"github.com/cairn-s3/cairn/internal/s3"
)

// maxDeleteBody bounds a DeleteObjects document: 1,000 keys of up to 1 KiB
// each, with their XML.
const maxDeleteBody = 2 << 20

func (h *Handler) deleteObject(req *request) error {
	if vid := req.r.URL.Query().Get("versionId"); vid != "" && vid != "null" {
		return s3.Errorf(s3.ErrInvalidArgument, "Invalid version id specified").With("ArgumentName", "versionId", "ArgumentValue", vid)
	}
	if err := h.svc.DeleteObject(req.ctx, req.addr.bucket, req.addr.key); err != nil {
		return err
	}
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) deleteObjects(req *request) error {
	var in deleteRequest
	if err := req.decodeXML(maxDeleteBody, true, &in); err != nil {
		return err
	}
	if len(in.Objects) == 0 || len(in.Objects) > s3.MaxDeleteObjects {
		return s3.ErrMalformedXML
	}
	keys := make([]string, len(in.Objects))
	for i, o := range in.Objects {
		keys[i] = o.Key
	}
	results, err := h.svc.DeleteObjects(req.ctx, req.addr.bucket, keys)
	if err != nil {
		return err
	}
	out := deleteResult{Xmlns: s3Namespace}
	for i, r := range results {
		if r.Err != nil {
			e, _ := s3.AsError(r.Err)
			if e == nil {
				e = &s3.Error{Code: s3.ErrInternalError}
			}
			out.Errors = append(out.Errors, deleteError{Key: r.Key, Code: string(e.Code), Message: e.Text()})
			continue
		}
		if !in.Quiet {
			out.Deleted = append(out.Deleted, deletedResult{Key: r.Key, VersionID: in.Objects[i].VersionID})
		}
	}
	return req.reply(http.StatusOK, out)
}
