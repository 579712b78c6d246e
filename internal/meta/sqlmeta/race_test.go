//go:build race

package sqlmeta_test

import "github.com/cairn-s3/cairn/internal/meta/metatest"

// scaleOptions size the conformance suite's large cases down under the
// race detector, where each statement costs about ten times as much and the
// full sizes would take most of the package's time budget. Builds without
// -race (and the benchmarks) run the full 10,000 parts and 2,500 uploads.
func scaleOptions() []metatest.Option {
	return []metatest.Option{metatest.WithLargeUploadParts(1000), metatest.WithPagedUploads(1000)}
}
