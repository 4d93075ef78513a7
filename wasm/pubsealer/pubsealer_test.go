package pubsealer_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed448"
	"github.com/crumbkit/crumb/signed"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/pubsealer"
)

// An edge worker that checks Ed448-signed sessions holds only the public
// ring, as text in its environment.
func ExampleNew() {
	k, _ := keys.GeneratePrivateKey(ed448.Scheme(), nil)
	private, _ := keys.NewPrivateRing(k)
	value, _ := signed.NewPublic(private).Seal("session", []byte("alice"), time.Now().Add(time.Hour))

	edge, err := pubsealer.New(wasm.ModeEd448Verify, private.Public().Export())
	if err != nil {
		fmt.Println(err)
		return
	}
	o, err := edge.Open("session", value)
	fmt.Println(string(o.Payload), err)
	_, err = edge.Seal("session", []byte("mallory"), time.Now().Add(time.Hour))
	fmt.Println(errors.Is(err, signed.ErrVerifyOnly))
	// Output:
	// alice <nil>
	// true
}

// TestNewEveryMode: pubsealer.New serves all four modes, where
// wasm.NewSymmetricSealer refuses the Ed448 ones, and a sealer from each
// opens what its counterpart sealed.
func TestNewEveryMode(t *testing.T) {
	sym, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.GeneratePrivateKey(ed448.Scheme(), nil)
	if err != nil {
		t.Fatal(err)
	}
	private, err := keys.NewPrivateRing(k)
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	for _, tc := range []struct {
		mode       wasm.Mode
		text       string
		sealerText string // the ring of the sealer that makes the value
		sealMode   wasm.Mode
		symmetric  bool
	}{
		{wasm.ModeEncrypted, sym.Export(), sym.Export(), wasm.ModeEncrypted, true},
		{wasm.ModeHMAC, sym.Export(), sym.Export(), wasm.ModeHMAC, true},
		{wasm.ModeEd448Sign, private.Export(), private.Export(), wasm.ModeEd448Sign, false},
		{wasm.ModeEd448Verify, private.Public().Export(), private.Export(), wasm.ModeEd448Sign, false},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			s, err := pubsealer.New(tc.mode, tc.text)
			if err != nil {
				t.Fatal(err)
			}
			maker, err := pubsealer.New(tc.sealMode, tc.sealerText)
			if err != nil {
				t.Fatal(err)
			}
			v, err := maker.Seal("session", []byte("alice"), exp)
			if err != nil {
				t.Fatal(err)
			}
			if o, err := s.Open("session", v); err != nil || string(o.Payload) != "alice" {
				t.Fatalf("open: %q, %v", o.Payload, err)
			}
			_, err = wasm.NewSymmetricSealer(tc.mode, tc.text)
			if tc.symmetric != (err == nil) {
				t.Fatalf("NewSymmetricSealer: %v", err)
			}
			if !tc.symmetric && !errors.Is(err, wasm.ErrConfig) {
				t.Fatalf("NewSymmetricSealer's error does not wrap ErrConfig: %v", err)
			}
		})
	}
}

// TestNewRefuses: an unknown mode, or ring text of the wrong kind for
// the mode, wraps wasm.ErrConfig, maps to CodeConfig and never echoes
// the ring.
func TestNewRefuses(t *testing.T) {
	sym, _ := keys.GenerateRing(nil)
	k, _ := keys.GeneratePrivateKey(ed448.Scheme(), nil)
	private, _ := keys.NewPrivateRing(k)
	for _, tc := range []struct {
		name string
		mode wasm.Mode
		text string
	}{
		{"unknown mode", 99, sym.Export()},
		{"zero mode", 0, sym.Export()},
		{"symmetric ring for ed448-verify", wasm.ModeEd448Verify, sym.Export()},
		{"public ring for ed448-sign", wasm.ModeEd448Sign, private.Public().Export()},
		{"private ring for encrypted", wasm.ModeEncrypted, private.Export()},
		{"garbage for ed448-sign", wasm.ModeEd448Sign, "ed448-private:!!!"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pubsealer.New(tc.mode, tc.text)
			if !errors.Is(err, wasm.ErrConfig) {
				t.Fatalf("err = %v, want one wrapping wasm.ErrConfig", err)
			}
			if wasm.CodeOf(err) != wasm.CodeConfig {
				t.Fatalf("code %d, want CodeConfig", wasm.CodeOf(err))
			}
			for _, part := range strings.Split(tc.text, ",") {
				if i := strings.IndexByte(part, ':'); i >= 0 && len(part) > i+8 && strings.Contains(err.Error(), part[i+1:]) {
					t.Fatalf("error holds key material: %v", err)
				}
			}
		})
	}
}

// TestReactorModes: a reactor given pubsealer.New configures the Ed448
// modes; one given nil (and the zero Reactor) refuses them with
// CodeConfig, since it links only the symmetric sealers.
func TestReactorModes(t *testing.T) {
	k, _ := keys.GeneratePrivateKey(ed448.Scheme(), nil)
	private, _ := keys.NewPrivateRing(k)
	pub := []byte(private.Public().Export())
	if c := wasm.NewReactor(pubsealer.New).Configure(uint32(wasm.ModeEd448Verify), pub, []byte("session")); c != 0 {
		t.Fatalf("with pubsealer.New: %d", c)
	}
	for name, r := range map[string]*wasm.Reactor{"nil": wasm.NewReactor(nil), "zero": new(wasm.Reactor)} {
		if c := r.Configure(uint32(wasm.ModeEd448Verify), pub, []byte("session")); c != wasm.CodeConfig {
			t.Fatalf("%s: Configure(ed448-verify) = %d, want CodeConfig", name, c)
		}
	}
}
