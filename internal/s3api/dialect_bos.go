package s3api

import (
	"net/http"
	"time"
)

// bosDialect is the Baidu BOS dialect. This placeholder speaks plain S3
// under the dialect's name; the dialect's own file replaces it.
type bosDialect struct{ s3Dialect }

func newBOSDialect(Config) dialect { return &bosDialect{} }

func (*bosDialect) name() string { return "bos" }

var _ = http.MethodGet

func newBOSScheme(credentials, func() time.Time, dialect) scheme { return noScheme{} }
