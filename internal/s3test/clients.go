package s3test

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
)

// AWSOption adjusts an aws-sdk-go-v2 client.
type AWSOption func(*s3.Options)

// AWS returns an aws-sdk-go-v2 S3 client for the server, path-style, with the
// SDK's default checksum behaviour and no retries (a retry would hide a
// server error from the test).
func (s *Server) AWS(t testing.TB, c Credentials, opts ...AWSOption) *s3.Client {
	t.Helper()
	o := s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{},
	}
	fns := make([]func(*s3.Options), 0, len(opts))
	for _, opt := range opts {
		fns = append(fns, opt)
	}
	return s3.New(o, fns...)
}

// VirtualHost makes an aws-sdk-go-v2 client address buckets as
// <bucket>.<domain>, with every connection dialled to the server.
func (s *Server) VirtualHost() AWSOption {
	return func(o *s3.Options) {
		o.UsePathStyle = false
		o.BaseEndpoint = aws.String("http://" + s.Domain + ":" + port(s.Addr))
		o.HTTPClient = &http.Client{Transport: s.dialer()}
	}
}

// dialer is a transport that sends every connection to the server,
// whatever the host name, so virtual-host names need no DNS.
func (s *Server) dialer() *http.Transport {
	d := &net.Dialer{}
	return &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, s.Addr)
	}}
}

// Minio returns a minio-go client for the server.
func (s *Server) Minio(t testing.TB, c Credentials) *minio.Client {
	t.Helper()
	mc, err := minio.New(s.Addr, &minio.Options{
		Creds:  miniocreds.NewStaticV4(c.AccessKey, c.SecretKey, ""),
		Secure: false,
		Region: "us-east-1",
	})
	if err != nil {
		t.Fatalf("minio client: %v", err)
	}
	return mc
}

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
