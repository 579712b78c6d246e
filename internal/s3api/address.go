package s3api

import (
	"net"
	"strings"
)

// address is where a request points: a bucket and key, either from the
// path (path-style) or with the bucket in the Host (virtual-host style).
type address struct {
	bucket string
	key    string
}

func (a address) target() target {
	switch {
	case a.bucket == "":
		return targetService
	case a.key == "":
		return targetBucket
	}
	return targetObject
}

// resolveAddress splits a request into bucket and key. host is the Host
// header, path the decoded URL path. A host that is "<bucket>.<domain>" for a
// configured domain is virtual-host style; any other host is path-style.
func resolveAddress(domains []string, host, path string) address {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	for _, d := range domains {
		if strings.HasSuffix(host, "."+d) {
			b := strings.TrimSuffix(host, "."+d)
			return address{bucket: b, key: strings.TrimPrefix(path, "/")}
		}
	}
	p := strings.TrimPrefix(path, "/")
	b, k, _ := strings.Cut(p, "/")
	return address{bucket: b, key: k}
}
