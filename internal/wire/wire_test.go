package wire

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
)

func TestHeaderRoundTrip(t *testing.T) {
	h := Header{Format: FormatAESGCM, KeyID: 0x01020304, NameTag: 0xa0b0c0d0, IssuedAt: 0x6955b900, Expires: 0xffffffff}
	b := make([]byte, HeaderLen)
	h.Put(b)
	want := "\x05\x01\x02\x03\x04\xa0\xb0\xc0\xd0\x69\x55\xb9\x00\xff\xff\xff\xff"
	if string(b) != want {
		t.Errorf("Put = % x", b)
	}
	if ParseHeader(b) != h {
		t.Errorf("ParseHeader = %+v", ParseHeader(b))
	}
}

// TestNameTag pins FNV-1a 32 against its published test values.
func TestNameTag(t *testing.T) {
	for name, want := range map[string]uint32{"": 0x811c9dc5, "a": 0xe40c292c, "foobar": 0xbf9cf968} {
		if got := NameTag(name); got != want {
			t.Errorf("NameTag(%q) = %08x, want %08x", name, got, want)
		}
	}
}

func TestContext(t *testing.T) {
	got := AppendContext([]byte("x"), "label", "sid")
	if string(got) != "xlabel\x00\x00\x03sid" {
		t.Errorf("AppendContext = %q", got)
	}
	if ContextLen("label", "sid") != len(got)-1 {
		t.Error("ContextLen disagrees")
	}
	long := strings.Repeat("n", 255)
	if c := AppendContext(nil, "L", long); c[2] != 0 || c[3] != 255 {
		t.Errorf("length prefix % x", c[:4])
	}
	// The length prefix keeps ("ab", "c") and ("a", "bc") apart even
	// under one label.
	if string(AppendContext(nil, "L", "ab")) == string(AppendContext(nil, "L", "a")) {
		t.Error("contexts collide")
	}
}

func TestCheckName(t *testing.T) {
	ok := []string{"sid", "__Host-session", "!#$%&'*+-.^_`|~", strings.Repeat("a", 255)}
	bad := []string{"", strings.Repeat("a", 256), "a b", "a\tb", "a;b", "a,b", "a=b", "a\"b", "a/b", "é", "a\x7f", "a\x00"}
	for _, n := range ok {
		if err := CheckName(n); err != nil {
			t.Errorf("CheckName(%q) = %v", n, err)
		}
	}
	for _, n := range bad {
		if err := CheckName(n); !errors.Is(err, crumb.ErrWrongName) {
			t.Errorf("CheckName(%q) = %v, want ErrWrongName", n, err)
		}
	}
}

func TestSealTimes(t *testing.T) {
	now := time.Unix(1000, 0)
	if iat, exp, err := SealTimes(now, now.Add(time.Second)); err != nil || iat != 1000 || exp != 1001 {
		t.Errorf("SealTimes = %d %d %v", iat, exp, err)
	}
	for _, c := range []struct{ now, exp time.Time }{
		{now, now},
		{now, now.Add(-time.Second)},
		{now, time.Unix(1<<32, 0)},
		{time.Unix(-1, 0), now},
	} {
		if _, _, err := SealTimes(c.now, c.exp); !errors.Is(err, crumb.ErrExpired) {
			t.Errorf("SealTimes(%v, %v) = %v, want ErrExpired", c.now.Unix(), c.exp.Unix(), err)
		}
	}
	// The last representable second is allowed.
	if _, exp, err := SealTimes(now, time.Unix(1<<32-1, 0)); err != nil || exp != 0xffffffff {
		t.Errorf("exp 2^32-1: %d %v", exp, err)
	}
}

func TestCheckTimes(t *testing.T) {
	h := Header{IssuedAt: 1000, Expires: 2000}
	cases := []struct {
		now  int64
		skew time.Duration
		ok   bool
	}{
		{1000, 0, true}, {999, 0, false}, {1999, 0, true}, {2000, 0, false},
		{970, 30 * time.Second, true}, {969, 30 * time.Second, false},
		{2029, 30 * time.Second, true}, {2030, 30 * time.Second, false},
		// Sub-second skew rounds down to whole seconds.
		{2000, 999 * time.Millisecond, false},
	}
	for _, c := range cases {
		err := CheckTimes(h, time.Unix(c.now, 0), c.skew)
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, crumb.ErrExpired)) {
			t.Errorf("now %d skew %v: %v, want ok=%v", c.now, c.skew, err, c.ok)
		}
	}
}

func TestDecode(t *testing.T) {
	raw := make([]byte, 20)
	raw[0] = FormatHMAC
	for i := 1; i < len(raw); i++ {
		raw[i] = byte(i * 7)
	}
	buf, _ := NewBuffer(len(raw), 0, 1000)
	copy(buf, raw)
	v := Encode(buf)
	if v != b64.EncodeToString(raw) {
		t.Fatalf("Encode = %q", v)
	}
	got, h, err := Decode(v, 1000, FormatHMAC, HeaderLen, 40)
	if err != nil || string(got) != string(raw) || h.Format != FormatHMAC || cap(got)-len(got) < 40 {
		t.Fatalf("Decode = % x %+v %v cap+%d", got, h, err, cap(got)-len(got))
	}
	last := v[len(v)-1]
	nonCanonical := v[:len(v)-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", last)|1])
	cases := []struct {
		name, value string
		max         int
		format      byte
		err         error
	}{
		{"too long", v, len(v) - 1, FormatHMAC, crumb.ErrTooLarge},
		{"too short", v[:20], 1000, FormatHMAC, crumb.ErrMalformed},
		{"bad char", "*" + v[1:], 1000, FormatHMAC, crumb.ErrMalformed},
		{"std alphabet +", v[:7] + "+" + v[8:], 1000, FormatHMAC, crumb.ErrMalformed},
		{"std alphabet /", v[:7] + "/" + v[8:], 1000, FormatHMAC, crumb.ErrMalformed},
		{"padding", v + "==", 1000, FormatHMAC, crumb.ErrMalformed},
		{"CR", v[:5] + "\r" + v[5:], 1000, FormatHMAC, crumb.ErrMalformed},
		{"LF", v[:5] + "\n" + v[5:], 1000, FormatHMAC, crumb.ErrMalformed},
		{"non-canonical", nonCanonical, 1000, FormatHMAC, crumb.ErrMalformed},
		{"wrong format", v, 1000, FormatAESGCM, crumb.ErrMalformed},
	}
	for _, c := range cases {
		_, _, err := Decode(c.value, c.max, c.format, HeaderLen, 0)
		if !errors.Is(err, c.err) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.err)
		}
	}
	if nonCanonical == v {
		t.Fatal("fixture: 20 bytes should leave unused bits in the last character")
	}
}

func TestNewBufferLimit(t *testing.T) {
	if _, err := NewBuffer(300, 0, 400); err != nil {
		t.Errorf("300 bytes encode to exactly 400 characters: %v", err)
	}
	if _, err := NewBuffer(300, 0, 399); !errors.Is(err, crumb.ErrTooLarge) {
		t.Errorf("limit 399: %v", err)
	}
	if b, err := NewBuffer(300, 0, 400); err == nil && cap(b) < 700 {
		t.Errorf("cap %d leaves no room for the encoding", cap(b))
	}
}

func TestErrorWraps(t *testing.T) {
	err := Err(crumb.ErrInvalid, "detail")
	if !errors.Is(err, crumb.ErrInvalid) || err.Error() != "crumb: invalid value: detail" {
		t.Errorf("Err = %v", err)
	}
}
