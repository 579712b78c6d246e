// Package archtest holds no code, only tests that keep Cairn's architecture
// from rotting. Its layering test lists every package of the module with
// `go list` and checks each package's imports against a table of layers
// (see layering_test.go):
//
//	cmd/cairn            wiring only
//	server               listeners, TLS, shutdown, background jobs
//	s3api, console       HTTP, dialects, XML/JSON wire types, one error writer
//	object               the service (no net/http)
//	meta, blob, chunk, checksum, sigv4, iam
//	s3                   shared vocabulary
//
// Imports point down. Storage packages never import net/http, and nothing
// above the stores imports a concrete store (meta/sqlmeta, blob/fsblob,
// blob/memblob) except the composition root, the server and test-support
// packages. A package that no rule covers fails the test, so every new
// package is placed in a layer deliberately, by adding a row to the table.
package archtest
