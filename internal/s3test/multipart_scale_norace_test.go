//go:build !race

package s3test_test

// listScale is how many parts and uploads the listing tests create; see
// multipart_scale_race_test.go.
const listScale = 10000

// bigObjectSize is the size of the big-object client tests: just over
// 2 GiB, so that sizes and offsets overflow any 32-bit arithmetic on the
// way (see multipart_scale_race_test.go for the race build).
const bigObjectSize = 2<<30 + 123
