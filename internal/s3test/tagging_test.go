package s3test_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/tags"
)

// tagSet renders a Tagging document.
func tagSet(kv ...string) []byte {
	var b strings.Builder
	b.WriteString("<Tagging><TagSet>")
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, "<Tag><Key>%s</Key><Value>%s</Value></Tag>", kv[i], kv[i+1])
	}
	b.WriteString("</TagSet></Tagging>")
	return []byte(b.String())
}

func (f *fixture) tags(t *testing.T, bucket, key string) map[string]string {
	t.Helper()
	out, err := f.aws.GetObjectTagging(bg, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	mustOK(t, err, "GetObjectTagging")
	m := map[string]string{}
	var keys []string
	for _, tg := range out.TagSet {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		keys = append(keys, aws.ToString(tg.Key))
	}
	if !slices.IsSorted(keys) {
		t.Errorf("tags not sorted by key: %q", keys)
	}
	return m
}

func TestTagging(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)

	t.Run("PutObjectHeader", func(t *testing.T) {
		t.Parallel()
		_, err := f.aws.PutObject(bg, &s3.PutObjectInput{
			Bucket: aws.String(b), Key: aws.String("hdr"), Body: strings.NewReader("x"),
			Tagging: aws.String("project=cairn&empty=&sp%20ace=a%2Bb"),
		})
		mustOK(t, err, "PutObject with tags")
		got := f.tags(t, b, "hdr")
		if len(got) != 3 || got["project"] != "cairn" || got["empty"] != "" || got["sp ace"] != "a+b" {
			t.Errorf("tags %v", got)
		}
		head, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("hdr")})
		mustOK(t, err, "HeadObject")
		if aws.ToInt32(head.TagCount) != 3 {
			t.Errorf("x-amz-tagging-count %d", aws.ToInt32(head.TagCount))
		}
		_, err = f.minio.PutObject(bg, b, "hdr-minio", strings.NewReader("y"), 1, minio.PutObjectOptions{UserTags: map[string]string{"via": "minio"}})
		mustOK(t, err, "minio PutObject with tags")
		if got := f.tags(t, b, "hdr-minio"); got["via"] != "minio" || len(got) != 1 {
			t.Errorf("minio tags %v", got)
		}
	})

	t.Run("PutGetDelete", func(t *testing.T) {
		t.Parallel()
		f.put(t, b, "api", []byte("x"))
		if got := f.tags(t, b, "api"); len(got) != 0 {
			t.Errorf("fresh object tags %v", got)
		}
		_, err := f.aws.PutObjectTagging(bg, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("api"), Tagging: &types.Tagging{TagSet: []types.Tag{
			{Key: aws.String("z"), Value: aws.String("last")}, {Key: aws.String("a"), Value: aws.String("first")},
		}}})
		mustOK(t, err, "PutObjectTagging")
		if got := f.tags(t, b, "api"); len(got) != 2 || got["a"] != "first" || got["z"] != "last" {
			t.Errorf("tags %v", got)
		}
		// Replaces, not merges.
		tg, err := tags.NewTags(map[string]string{"only": "one"}, true)
		mustOK(t, err, "NewTags")
		mustOK(t, f.minio.PutObjectTagging(bg, b, "api", tg, minio.PutObjectTaggingOptions{}), "minio PutObjectTagging")
		mt, err := f.minio.GetObjectTagging(bg, b, "api", minio.GetObjectTaggingOptions{})
		mustOK(t, err, "minio GetObjectTagging")
		if m := mt.ToMap(); len(m) != 1 || m["only"] != "one" {
			t.Errorf("after replace %v", m)
		}
		_, err = f.aws.DeleteObjectTagging(bg, &s3.DeleteObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("api")})
		mustOK(t, err, "DeleteObjectTagging")
		if got := f.tags(t, b, "api"); len(got) != 0 {
			t.Errorf("after delete %v", got)
		}
		mustOK(t, f.minio.RemoveObjectTagging(bg, b, "api", minio.RemoveObjectTaggingOptions{}), "minio RemoveObjectTagging")
		resp := f.raw.do(t, rawRequest{method: http.MethodDelete, path: objectPath(b, "api"), query: "tagging"})
		resp.wantStatus(t, http.StatusNoContent)
		// The object itself is untouched.
		if string(f.get(t, b, "api")) != "x" {
			t.Error("object changed by tagging calls")
		}
	})

	t.Run("Limits", func(t *testing.T) {
		t.Parallel()
		f.put(t, b, "limits", []byte("x"))
		var ten, eleven []string
		for i := range 11 {
			kv := []string{fmt.Sprintf("k%02d", i), "v"}
			if i < 10 {
				ten = append(ten, kv...)
			}
			eleven = append(eleven, kv...)
		}
		ok := [][]byte{
			tagSet(ten...),
			tagSet(strings.Repeat("k", 128), strings.Repeat("v", 256)),
			tagSet(strings.Repeat("ü", 128), strings.Repeat("é", 256)), // limits count characters
			tagSet("+-=._:/@ 9", ""),
			[]byte("<Tagging><TagSet></TagSet></Tagging>"),
		}
		for _, body := range ok {
			f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "limits"), query: "tagging", body: body}).wantStatus(t, http.StatusOK)
		}
		bad := [][]byte{
			tagSet(eleven...),
			tagSet(strings.Repeat("k", 129), "v"),
			tagSet("k", strings.Repeat("v", 257)),
			tagSet("dup", "1", "dup", "2"),
			tagSet("", "v"),
			tagSet("star*", "v"),
			tagSet("k", "hash#"),
		}
		for _, body := range bad {
			f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "limits"), query: "tagging", body: body}).wantError(t, "InvalidTag", http.StatusBadRequest)
		}
		// The same limits on x-amz-tagging.
		q := url.Values{}
		for i := range 11 {
			q.Set(fmt.Sprintf("k%02d", i), "v")
		}
		_, err := f.aws.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("limits-hdr"), Body: strings.NewReader("x"), Tagging: aws.String(q.Encode())})
		wantAWSError(t, err, "InvalidTag", http.StatusBadRequest)
		_, err = f.aws.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("limits-hdr"), Body: strings.NewReader("x"), Tagging: aws.String(strings.Repeat("k", 129) + "=v")})
		wantAWSError(t, err, "InvalidTag", http.StatusBadRequest)
		for _, v := range []string{"a=1&a=2", "bad%zz=1"} {
			f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "limits-hdr"), body: []byte("x"), header: hdr("X-Amz-Tagging", v)}).
				wantError(t, "InvalidArgument", http.StatusBadRequest)
		}
		_, err = f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("limits-hdr")})
		wantAWSError(t, err, "", http.StatusNotFound)
		// The SDK's typed call reaches the same check.
		var set []types.Tag
		for i := range 11 {
			set = append(set, types.Tag{Key: aws.String(fmt.Sprintf("t%d", i)), Value: aws.String("v")})
		}
		_, err = f.aws.PutObjectTagging(bg, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("limits"), Tagging: &types.Tagging{TagSet: set}})
		wantAWSError(t, err, "InvalidTag", http.StatusBadRequest)
	})

	t.Run("Errors", func(t *testing.T) {
		t.Parallel()
		_, err := f.aws.GetObjectTagging(bg, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("absent")})
		wantAWSError(t, err, "NoSuchKey", http.StatusNotFound)
		_, err = f.aws.PutObjectTagging(bg, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("absent"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
		wantAWSError(t, err, "NoSuchKey", http.StatusNotFound)
		_, err = f.aws.DeleteObjectTagging(bg, &s3.DeleteObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("absent")})
		wantAWSError(t, err, "NoSuchKey", http.StatusNotFound)
		_, err = f.minio.GetObjectTagging(bg, "absent-"+randomHex(3), "k", minio.GetObjectTaggingOptions{})
		wantMinioError(t, err, "NoSuchBucket", http.StatusNotFound)
		f.put(t, b, "malformed", []byte("x"))
		for _, body := range []string{"", "<Tagging>", "<Tagging><TagSet><Tag><Key>k</Key>", "{}"} {
			f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "malformed"), query: "tagging", body: []byte(body)}).
				wantError(t, "MalformedXML", http.StatusBadRequest)
		}
	})
}
