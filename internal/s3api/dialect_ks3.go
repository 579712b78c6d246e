package s3api

import (
	"net/http"
	"time"
)

// ks3Dialect is the Kingsoft KS3 dialect. This placeholder speaks plain S3
// under the dialect's name; the dialect's own file replaces it.
type ks3Dialect struct{ s3Dialect }

func newKS3Dialect(Config) dialect { return &ks3Dialect{} }

func (*ks3Dialect) name() string { return "ks3" }

var _ = http.MethodGet

func newSigV2Scheme(credentials, func() time.Time, []string) scheme { return noScheme{} }
