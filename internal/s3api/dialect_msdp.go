package s3api

import (
	"net/http"
)

// msdpDialect is the NetBackup MSDP dialect. This placeholder speaks plain S3
// under the dialect's name; the dialect's own file replaces it.
type msdpDialect struct{ s3Dialect }

func newMSDPDialect(Config) dialect { return &msdpDialect{} }

func (*msdpDialect) name() string { return "msdp" }

var _ = http.MethodGet
