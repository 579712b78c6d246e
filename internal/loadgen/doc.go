// Package loadgen is the load generator behind `cairn bench`: a lean S3
// client (net/http, SigV4 header auth with UNSIGNED-PAYLOAD, no per-request
// allocation of object data) and the phases it measures: PUT and GET of
// fixed-size objects at a fixed concurrency, a multipart upload of one large
// object, and CompleteMultipartUpload/ListParts over an upload of many tiny
// parts.
//
// The client shares the machine with the server it measures, so it spends as
// little CPU per byte as it can and reports what it spent (getrusage), next
// to the server's CPU time and peak RSS read from /proc.
//
// It is a client tool: it imports nothing of the server's but the shared
// vocabulary in internal/s3.
package loadgen
