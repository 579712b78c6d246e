//go:build !race

package sqlmeta_test

import "github.com/cairn-s3/cairn/internal/meta/metatest"

// scaleOptions keep the conformance suite's full sizes; see race_test.go.
func scaleOptions() []metatest.Option { return nil }
