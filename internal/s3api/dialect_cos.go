package s3api

import (
	"errors"
	"net/http"
	"time"
)

// cosDialect is the Tencent COS dialect. This placeholder speaks plain S3
// under the dialect's name; the dialect's own file replaces it.
type cosDialect struct{ s3Dialect }

func newCOSDialect(Config) dialect { return &cosDialect{} }

func (*cosDialect) name() string { return "cos" }

var _ = http.MethodGet

// noScheme matches no request: the placeholder of a vendor's signature
// scheme until it is implemented.
type noScheme struct{}

func (noScheme) matches(*http.Request) bool                { return false }
func (noScheme) verify(*http.Request) (*credential, error) { return nil, errNoScheme }
func (noScheme) implied() dialect                          { return nil }

func newCOSScheme(credentials, func() time.Time, dialect) scheme { return noScheme{} }

var errNoScheme = errors.New("s3api: signature scheme not implemented")
