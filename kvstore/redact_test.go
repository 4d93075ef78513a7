package kvstore_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/kvstore"
)

// leaks reports which form of id's 32 bytes out holds, if any: the
// cookie text, hex either case, standard base64, or fmt's list of byte
// values (in decimal, or any base: the first four bytes printed as
// separate numbers would be there).
func leaks(id kvstore.SessionID, out string) string {
	raw := [32]byte(id)
	forms := map[string]string{
		"cookie text":   id.Encode(),
		"hex":           hex.EncodeToString(raw[:]),
		"HEX":           strings.ToUpper(hex.EncodeToString(raw[:])),
		"base64":        base64.StdEncoding.EncodeToString(raw[:]),
		"decimal bytes": strings.Trim(fmt.Sprint(raw[:]), "[]"),
		"raw bytes":     string(raw[:]),
	}
	for _, base := range []int{2, 8, 10, 16} {
		var parts []string
		for _, b := range raw[:4] {
			parts = append(parts, strconv.FormatInt(int64(b), base))
		}
		forms["bytes in base "+strconv.Itoa(base)] = strings.Join(parts, " ")
	}
	for name, f := range forms {
		if strings.Contains(out, f) {
			return name
		}
	}
	return ""
}

// TestSessionIDRedactedEverywhere: a SessionID is a bearer credential;
// no fmt verb, slog handler or encoder may print its bytes.
func TestSessionIDRedactedEverywhere(t *testing.T) {
	id := kvstore.NewSessionID()
	// Make the byte-list forms unambiguous: distinct values, none of
	// them a single digit that could occur by chance.
	for i := range id {
		id[i] = byte(100 + i)
	}
	redacted := id.String()
	if !strings.HasPrefix(redacted, "SessionID(") || leaks(id, redacted) != "" {
		t.Fatalf("String() = %q", redacted)
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%o", "%O", "%b", "%c", "%U", "%e", "%f", "%t",
		"%08d", "%-40x", "% x", "%#x", "%+d", "%.3s", "%10v", "%q", "%#q"}
	for _, verb := range verbs {
		for name, arg := range map[string]any{"value": id, "pointer": &id} {
			out := fmt.Sprintf(verb, arg)
			want := redacted
			if strings.Contains(verb, "q") {
				want = strconv.Quote(redacted)
			}
			if out != want {
				t.Errorf("Sprintf(%q, %s) = %q, want %q", verb, name, out, want)
			}
		}
	}
	// Inside containers and exported struct fields fmt reaches the
	// methods too. (It cannot in an unexported field, nor for %p of a
	// non-pointer, which go vet reports: fmt then prints by reflection.
	// docs/kvstore.md says so.)
	type withID struct{ ID kvstore.SessionID }
	for _, out := range []string{
		fmt.Sprintf("%d", []kvstore.SessionID{id}),
		fmt.Sprintf("%x", map[string]kvstore.SessionID{"k": id}),
		fmt.Sprintf("%+v", withID{id}),
		fmt.Sprintf("%#v", withID{id}),
		fmt.Sprint(id, &id),
		fmt.Sprintln(id),
	} {
		if l := leaks(id, out); l != "" || !strings.Contains(out, redacted) {
			t.Errorf("%q: leaks %s or lacks the redacted form", out, l)
		}
	}

	t.Run("slog", func(t *testing.T) {
		for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
			"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
			"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		} {
			var buf bytes.Buffer
			slog.New(h(&buf)).Info("session", "sid", id, "ptr", &id, slog.Any("any", id), slog.Group("g", "sid", id))
			out := buf.String()
			if l := leaks(id, out); l != "" || strings.Count(out, "SessionID(") != 4 {
				t.Errorf("slog %s handler: %q leaks %s or lacks the redacted form", name, out, l)
			}
		}
	})
	t.Run("encoders", func(t *testing.T) {
		js, err := json.Marshal(map[string]any{"id": id, "ptr": &id, "s": withID{id}, "list": []kvstore.SessionID{id}})
		if err != nil {
			t.Fatal(err)
		}
		keyed, err := json.Marshal(map[kvstore.SessionID]int{id: 1}) // map keys use MarshalText
		if err != nil {
			t.Fatal(err)
		}
		text, err := id.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		x, err := xml.Marshal(withID{id})
		if err != nil {
			t.Fatal(err)
		}
		for name, out := range map[string]string{"json": string(js), "json map key": string(keyed), "MarshalText": string(text), "xml": string(x)} {
			if l := leaks(id, out); l != "" || !strings.Contains(out, redacted) {
				t.Errorf("%s: %q leaks %s or lacks the redacted form", name, out, l)
			}
		}
		var back map[string]any
		if err := json.Unmarshal(js, &back); err != nil || back["id"] != redacted {
			t.Errorf("JSON is not a valid string of the redacted form: %s, %v", js, err)
		}
	})
}
