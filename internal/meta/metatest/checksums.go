package metatest

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// crc64ECMA is the CRC-64/XZ algorithm the COS, BOS and KS3 dialects keep
// as an extra checksum, named as package checksum names it.
const crc64ECMA s3.ChecksumAlgorithm = "CRC64ECMA"

// extraChecksums returns extra checksums of several algorithms, with
// values varied by n.
func extraChecksums(n int) map[s3.ChecksumAlgorithm]string {
	value := func(size int) string {
		b := make([]byte, 0, size+8)
		for len(b) < size {
			b = binary.BigEndian.AppendUint64(b, uint64(n+len(b))*0x9e3779b97f4a7c15)
		}
		return base64.StdEncoding.EncodeToString(b[:size])
	}
	return map[s3.ChecksumAlgorithm]string{
		crc64ECMA:          value(8),
		s3.ChecksumCRC32:   value(4),
		s3.ChecksumSHA256:  value(32),
		s3.ChecksumSHA1:    value(20),
		s3.ChecksumCRC32C:  value(4),
		s3.ChecksumXXHASH3: value(8),
	}
}

// extraChecksumCases are the extra checksums every record kind must keep:
// want is what reads back, nil for none.
func extraChecksumCases() []struct {
	name      string
	put, want map[s3.ChecksumAlgorithm]string
} {
	one := map[s3.ChecksumAlgorithm]string{crc64ECMA: "Ab+/cdEFgh0="}
	odd := map[s3.ChecksumAlgorithm]string{"ünknown": "😀", `q"<&>\`: "nul\x00 and \n", "": ""}
	return []struct {
		name      string
		put, want map[s3.ChecksumAlgorithm]string
	}{
		{"several", extraChecksums(1), extraChecksums(1)},
		{"one", one, one},
		{"odd strings", odd, odd},
		{"empty", map[s3.ChecksumAlgorithm]string{}, nil},
		{"nil", nil, nil},
	}
}

// wantNoExtras fails t unless a record with no extra checksums reads back
// with a nil map, as the records promise.
func wantNoExtras(t *testing.T, what string, got map[s3.ChecksumAlgorithm]string) {
	t.Helper()
	if got != nil {
		t.Errorf("%s: extra checksums %#v, want nil", what, got)
	}
}

// testExtraChecksumsObjects checks that objects keep their extra checksums
// through every call that returns them.
func testExtraChecksumsObjects(t *testing.T, s *suite) {
	st := s.store(t)
	cases := extraChecksumCases()
	bs := newBlobs(len(cases))
	var objs []meta.Object
	for i, tc := range cases {
		o := fullObject("b", tc.name, bs[i].ID)
		o.ExtraChecksums = tc.put
		objs = append(objs, o)
	}
	putObjects(t, st, bs, objs...)
	check := func(when string) {
		t.Helper()
		view(t, st, func(tx meta.ReadTx) error {
			listed, err := tx.ListObjects(meta.ObjectRange{Bucket: "b", Limit: 100})
			if err != nil {
				return err
			}
			byKey := make(map[string]meta.Object)
			for _, o := range listed {
				byKey[o.Key] = o
			}
			for _, tc := range cases {
				got, err := tx.GetObject("b", tc.name)
				if err != nil {
					return err
				}
				if d := diff(tc.want, got.ExtraChecksums); d != "" {
					t.Errorf("%s: GetObject(%s) extra checksums (-want +got):\n%s", when, tc.name, d)
				}
				if d := diff(tc.want, byKey[tc.name].ExtraChecksums); d != "" {
					t.Errorf("%s: ListObjects' %s extra checksums (-want +got):\n%s", when, tc.name, d)
				}
				if tc.want == nil {
					wantNoExtras(t, when+": GetObject("+tc.name+")", got.ExtraChecksums)
					wantNoExtras(t, when+": ListObjects' "+tc.name, byKey[tc.name].ExtraChecksums)
				}
			}
			return nil
		})
	}
	check("after PutObject")
	for i := range objs {
		objs[i].ExtraChecksums = cases[i].want
		checkObject(t, st, objs[i])
	}

	// Changing the tags keeps them.
	update(t, st, func(tx meta.Tx) error {
		for _, tc := range cases {
			if err := tx.SetObjectTags("b", tc.name, []s3.Tag{{Key: "new", Value: "tag"}}); err != nil {
				return err
			}
		}
		return nil
	})
	check("after SetObjectTags")

	// The records returned by a replacement and a deletion carry them.
	var replaced *meta.Object
	var deleted meta.Object
	update(t, st, func(tx meta.Tx) (err error) {
		repl := inlineObject("b", "several", []byte("x"))
		repl.ExtraChecksums = extraChecksums(2)
		if replaced, err = tx.PutObject(repl); err != nil {
			return err
		}
		deleted, err = tx.DeleteObject("b", "one")
		return err
	})
	if replaced == nil {
		t.Fatalf("PutObject over an object returned no previous record")
	}
	if d := diff(extraChecksums(1), replaced.ExtraChecksums); d != "" {
		t.Errorf("PutObject's previous record's extra checksums (-want +got):\n%s", d)
	}
	if d := diff(cases[1].want, deleted.ExtraChecksums); d != "" {
		t.Errorf("DeleteObject's record's extra checksums (-want +got):\n%s", d)
	}
	view(t, st, func(tx meta.ReadTx) error {
		got, err := tx.GetObject("b", "several")
		if err != nil {
			return err
		}
		if d := diff(extraChecksums(2), got.ExtraChecksums); d != "" {
			t.Errorf("replaced object's extra checksums (-want +got):\n%s", d)
		}
		return nil
	})

	// Invalid UTF-8 is refused, as in other attributes.
	bad := meta.Object{Bucket: "b", Key: "bad", ExtraChecksums: map[s3.ChecksumAlgorithm]string{crc64ECMA: "\xff"}}
	err := st.Update(t.Context(), func(tx meta.Tx) error {
		_, err := tx.PutObject(bad)
		return err
	})
	if err == nil {
		t.Errorf("PutObject with an invalid UTF-8 extra checksum succeeded")
	}
}

// testExtraChecksumsParts checks that parts keep their extra checksums in
// every listing and as the part a PutPart replaces.
func testExtraChecksumsParts(t *testing.T, s *suite) {
	st := s.store(t)
	createUploads(t, st, fullUpload("b", "k", "u"))
	cases := extraChecksumCases()
	bs := newBlobs(len(cases))
	var parts []meta.Part
	for i, tc := range cases {
		p := newPart("u", i+1, bs[i].ID)
		p.ExtraChecksums = tc.put
		parts = append(parts, p)
	}
	putParts(t, st, bs, parts...)
	check := func(when string, want []meta.Part) {
		t.Helper()
		view(t, st, func(tx meta.ReadTx) error {
			for _, withExtents := range []bool{true, false} {
				w := want
				if !withExtents {
					w = withoutExtents(want)
				}
				got := listParts(t, tx, "u", 0, 0, withExtents)
				if d := diff(w, got); d != "" {
					t.Errorf("%s: ListParts(extents %v) (-want +got):\n%s", when, withExtents, d)
					continue
				}
				for i, p := range got {
					if w[i].ExtraChecksums == nil {
						wantNoExtras(t, fmt.Sprintf("%s: ListParts(extents %v) part %d", when, withExtents, p.Number), p.ExtraChecksums)
					}
				}
				// A page starting in the middle carries them too.
				page := listParts(t, tx, "u", 1, 2, withExtents)
				if d := diff(w[1:3], page); d != "" {
					t.Errorf("%s: ListParts(after 1, limit 2, extents %v) (-want +got):\n%s", when, withExtents, d)
				}
			}
			return nil
		})
	}
	want := make([]meta.Part, len(parts))
	for i, p := range parts {
		p.ExtraChecksums = cases[i].want
		want[i] = p
	}
	check("after PutPart", want)

	// Replacing part 1 returns it with its checksums; the replacement's
	// take their place, and a replacement without any clears them.
	repl := newPart("u", 1)
	repl.ExtraChecksums = extraChecksums(7)
	cleared := newPart("u", 2)
	cleared.ExtraChecksums = nil
	var prev1, prev2 *meta.Part
	update(t, st, func(tx meta.Tx) (err error) {
		if prev1, err = tx.PutPart(repl); err != nil {
			return err
		}
		prev2, err = tx.PutPart(cleared)
		return err
	})
	for _, r := range []struct {
		prev *meta.Part
		want meta.Part
	}{{prev1, want[0]}, {prev2, want[1]}} {
		if r.prev == nil {
			t.Errorf("PutPart over part %d returned no previous part", r.want.Number)
		} else if d := diff(r.want, *r.prev); d != "" {
			t.Errorf("PutPart over part %d returned (-want +got):\n%s", r.want.Number, d)
		}
	}
	want[0], want[1] = repl, cleared
	check("after replacing parts", want)

	bad := newPart("u", 9)
	bad.ExtraChecksums = map[s3.ChecksumAlgorithm]string{"\xff": "AAAA"}
	err := st.Update(t.Context(), func(tx meta.Tx) error {
		_, err := tx.PutPart(bad)
		return err
	})
	if err == nil {
		t.Errorf("PutPart with an invalid UTF-8 extra checksum succeeded")
	}
}

// testExtraChecksumsCompletion checks that a Complete reads the parts'
// extra checksums and records the object's in the completion.
func testExtraChecksumsCompletion(t *testing.T, s *suite) {
	st := s.store(t)
	cases := extraChecksumCases()
	for i, tc := range cases {
		id := fmt.Sprintf("u%d", i)
		createUploads(t, st, fullUpload("b", tc.name, id))
		bs := newBlobs(2)
		p1, p2 := newPart(id, 1, bs[0].ID), newPart(id, 2, bs[1].ID)
		p1.ExtraChecksums, p2.ExtraChecksums = map[s3.ChecksumAlgorithm]string{crc64ECMA: "AAAAAAAAAAE="}, tc.put
		putParts(t, st, bs, p1, p2)

		c := completion(id, "b", tc.name)
		c.ExtraChecksums = tc.put
		o := fullObject("b", tc.name)
		o.UploadID, o.ExtraChecksums = id, tc.put
		var obj meta.Object
		update(t, st, func(tx meta.Tx) error {
			// What the object layer combines is what Complete lists.
			parts, err := tx.ListParts(id, 0, 0, true)
			if err != nil {
				return err
			}
			if len(parts) != 2 {
				return fmt.Errorf("ListParts before Complete: %d parts, want 2", len(parts))
			}
			if d := diff(p1.ExtraChecksums, parts[0].ExtraChecksums); d != "" {
				t.Errorf("%s: part 1 extra checksums listed for Complete (-want +got):\n%s", tc.name, d)
			}
			if d := diff(tc.want, parts[1].ExtraChecksums); d != "" {
				t.Errorf("%s: part 2 extra checksums listed for Complete (-want +got):\n%s", tc.name, d)
			}
			obj, _, err = completeParts(tx, c, o, nil)
			return err
		})
		obj.ExtraChecksums, c.ExtraChecksums = tc.want, tc.want
		checkObject(t, st, obj)
		view(t, st, func(tx meta.ReadTx) error {
			got, err := tx.GetCompletion(id)
			if err != nil {
				return err
			}
			if d := diff(c, got); d != "" {
				t.Errorf("%s: GetCompletion (-want +got):\n%s", tc.name, d)
			}
			if tc.want == nil {
				wantNoExtras(t, tc.name+": GetCompletion", got.ExtraChecksums)
				o, err := tx.GetObject("b", tc.name)
				if err != nil {
					return err
				}
				wantNoExtras(t, tc.name+": GetObject of the completed upload", o.ExtraChecksums)
			}
			return nil
		})
	}

	createUploads(t, st, meta.Upload{ID: "bad", Bucket: "b", Key: "bad"})
	c := completion("bad", "b", "bad")
	c.ExtraChecksums = map[s3.ChecksumAlgorithm]string{crc64ECMA: "\xff"}
	err := st.Update(t.Context(), func(tx meta.Tx) error {
		_, _, err := completeParts(tx, c, meta.Object{Bucket: "b", Key: "bad"}, nil)
		return err
	})
	if err == nil {
		t.Errorf("CompleteUpload with an invalid UTF-8 extra checksum succeeded")
	}
	if _, err := getUpload(t, st, "bad"); err != nil {
		t.Errorf("GetUpload after a refused Complete: %v", err)
	}
}
