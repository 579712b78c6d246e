package loadgen

import "testing"

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    Size
		wantErr bool
	}{
		{in: "0", want: 0},
		{in: "4096", want: 4096},
		{in: "1B", want: 1},
		{in: "4KiB", want: 4 << 10},
		{in: "64MiB", want: 64 << 20},
		{in: "1GiB", want: 1 << 30},
		{in: "2TiB", want: 2 << 40},
		{in: "16M", want: 16 << 20},
		{in: "16m", want: 16 << 20},
		{in: "1k", want: 1 << 10},
		{in: "10MB", want: 10_000_000},
		{in: "1kb", want: 1000},
		{in: "5GB", want: 5_000_000_000},
		{in: "64mib", want: 64 << 20},
		{in: " 64 MiB ", want: 64 << 20},
		{in: "", wantErr: true},
		{in: "MiB", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "1.5MiB", wantErr: true},
		{in: "64XiB", wantErr: true},
		{in: "64MiBs", wantErr: true},
		{in: "99999999999999999999", wantErr: true},
		{in: "9000000TiB", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseSize(%q) = %d, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestSizeString(t *testing.T) {
	tests := []struct {
		in   Size
		want string
	}{
		{0, "0B"},
		{1, "1B"},
		{1000, "1000B"},
		{4 << 10, "4KiB"},
		{1536, "1536B"},
		{3 << 19, "1536KiB"},
		{64 << 20, "64MiB"},
		{1 << 30, "1GiB"},
		{5 << 40, "5TiB"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("Size(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
		// What String prints parses back to the same size.
		if back, err := ParseSize(tt.want); err != nil || back != tt.in {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.want, back, err, int64(tt.in))
		}
	}
}

func TestSizeUnmarshalText(t *testing.T) {
	var z Size
	if err := z.UnmarshalText([]byte("16MiB")); err != nil || z != 16<<20 {
		t.Fatalf("UnmarshalText(16MiB) = %d, %v", z, err)
	}
	if err := z.UnmarshalText([]byte("lots")); err == nil {
		t.Fatal("UnmarshalText(lots) succeeded")
	}
	if z != 16<<20 {
		t.Errorf("a failed UnmarshalText changed the value to %d", z)
	}
}

// FuzzParseSize checks that ParseSize never panics and that whatever it
// accepts formats back to the same size.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "4KiB", "64MiB", "1GiB", "10MB", "16m", " 1 tib ", "9223372036854775807", "8EiB", "1.5G", "-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		z, err := ParseSize(s)
		if err != nil {
			return
		}
		if z < 0 {
			t.Fatalf("ParseSize(%q) = %d, negative", s, z)
		}
		back, err := ParseSize(z.String())
		if err != nil || back != z {
			t.Fatalf("ParseSize(%q) = %d, formatted %q, parsed back %d, %v", s, z, z.String(), back, err)
		}
	})
}
