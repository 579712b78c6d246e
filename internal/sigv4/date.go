package sigv4

import (
	"net/http"
	"strconv"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

const (
	// amzDateLayout is the ISO 8601 basic format of x-amz-date and X-Amz-Date.
	amzDateLayout = "20060102T150405Z"
	// serverTimeLayout is how AWS renders times in error documents.
	serverTimeLayout = "2006-01-02T15:04:05Z"
)

// requestDate is the signing time of a header-authenticated request.
type requestDate struct {
	t time.Time
	// amzDate is the time as it enters the string to sign (yyyymmddThhmmssZ).
	amzDate string
	// raw is the header value as sent, for error documents.
	raw string
}

// parseRequestDate reads x-amz-date, or Date when x-amz-date is absent. A
// present but unparsable x-amz-date is not rescued by Date, as AWS does not.
func parseRequestDate(h http.Header) (requestDate, error) {
	if raw := headerGet(h, "X-Amz-Date"); raw != "" {
		t, err := time.Parse(amzDateLayout, raw)
		if err != nil || len(raw) != len(amzDateLayout) {
			return requestDate{}, errNoValidDate()
		}
		return requestDate{t: t, amzDate: raw, raw: raw}, nil
	}
	raw := headerGet(h, "Date")
	if raw == "" {
		return requestDate{}, errNoValidDate()
	}
	// RFC 1123 as HTTP sends it, with a numeric zone as some clients send
	// it, and the two obsolete HTTP forms.
	for _, layout := range [...]string{http.TimeFormat, time.RFC1123Z, time.RFC1123, time.RFC850, time.ANSIC} {
		if t, err := time.Parse(layout, raw); err == nil {
			t = t.UTC()
			return requestDate{t: t, amzDate: t.Format(amzDateLayout), raw: raw}, nil
		}
	}
	return requestDate{}, errNoValidDate()
}

func errNoValidDate() error {
	return s3.Errorf(s3.ErrAccessDenied, "AWS authentication requires a valid Date or x-amz-date header")
}

// checkSkew rejects a request dated more than maxSkew away from now.
func checkSkew(d requestDate, now time.Time, maxSkew time.Duration) error {
	diff := now.Sub(d.t)
	if diff < 0 {
		diff = -diff
	}
	if diff <= maxSkew {
		return nil
	}
	return s3.ErrRequestTimeTooSkewed.With(
		"RequestTime", d.raw,
		"ServerTime", now.UTC().Format(serverTimeLayout),
		"MaxAllowedSkewMilliseconds", strconv.FormatInt(maxSkew.Milliseconds(), 10),
	)
}
