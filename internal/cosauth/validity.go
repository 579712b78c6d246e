package cosauth

import (
	"strconv"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// serverTimeLayout is how times appear in error documents.
const serverTimeLayout = "2006-01-02T15:04:05Z"

// checkValidity checks that now lies in both the sign-time and the
// key-time period (the SDK makes them equal), allowing the start to lie up
// to maxSkew ahead of now for a client clock that runs fast: start <=
// now+maxSkew and now <= end. A start too far ahead is RequestTimeTooSkewed
// for a header signature, which the client made just now, and "not valid
// yet" for a presigned URL, which may be made for later.
func checkValidity(a authorization, now time.Time, maxSkew time.Duration, presigned bool) error {
	start, end := max(a.sign.start, a.key.start), min(a.sign.end, a.key.end)
	startTime := time.Unix(start, 0)
	if startTime.Sub(now) > maxSkew {
		if presigned {
			return s3.Errorf(s3.ErrAccessDenied, "Request is not valid yet").With(
				"SignTime", a.signTime,
				"ServerTime", now.UTC().Format(serverTimeLayout),
			)
		}
		return s3.ErrRequestTimeTooSkewed.With(
			"RequestTime", startTime.UTC().Format(serverTimeLayout),
			"ServerTime", now.UTC().Format(serverTimeLayout),
			"MaxAllowedSkewMilliseconds", strconv.FormatInt(maxSkew.Milliseconds(), 10),
		)
	}
	if endTime := time.Unix(end, 0); now.After(endTime) {
		return s3.Errorf(s3.ErrAccessDenied, "Request has expired").With(
			"SignTime", a.signTime,
			"Expires", endTime.UTC().Format(serverTimeLayout),
			"ServerTime", now.UTC().Format(serverTimeLayout),
		)
	}
	return nil
}
