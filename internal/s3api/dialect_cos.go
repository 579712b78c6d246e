package s3api

import (
	"net/http"
	"time"
)

// cosDialect is the Tencent COS dialect. This placeholder speaks plain S3
// under the dialect's name; the dialect's own file replaces it.
type cosDialect struct{ s3Dialect }

func newCOSDialect(Config) dialect { return &cosDialect{} }

func (*cosDialect) name() string { return "cos" }

var _ = http.MethodGet

func newCOSScheme(credentials, func() time.Time, dialect) scheme { return noScheme{} }
