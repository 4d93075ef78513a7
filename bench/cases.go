package bench

import (
	"testing"
	"time"
)

// Section names the table a case belongs to.
type Section string

const (
	SectionSealOpen Section = "seal/open"
	SectionRotation Section = "rotation"
	SectionLayer    Section = "sealer layer"
	SectionStore    Section = "cookie store"
)

// Case is one benchmark: a subject and an operation.
type Case struct {
	Section Section
	Group   string // "encrypted" or "signed" for SectionSealOpen
	Subject string
	Kind    Kind
	// Op is "seal" or "open"; for SectionRotation "open, key 1st of 3"
	// or "open, key 3rd of 3".
	Op string
	F  func(b *testing.B)
}

// Rotation ops.
const (
	OpSeal     = "seal"
	OpOpen     = "open"
	OpKeyFirst = "open, key 1st of 3"
	OpKeyThird = "open, key 3rd of 3"
)

func sealBench(seal func(*Session) (string, error)) func(*testing.B) {
	return func(b *testing.B) {
		sess := Typical()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := seal(&sess); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func openBench(open func(string, *Session) error, value string) func(*testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			// A fresh struct each time, as a request handler has.
			var out Session
			if err := open(value, &out); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// Cases returns every benchmark in table order. Values for the open
// benchmarks are sealed here, once.
func Cases(k *Keys) ([]Case, error) {
	subjects, err := Subjects(k)
	if err != nil {
		return nil, err
	}
	sess := Typical()
	var cs []Case
	for _, s := range subjects {
		v, err := s.Seal(&sess)
		if err != nil {
			return nil, err
		}
		cs = append(cs,
			Case{SectionSealOpen, s.Group, s.Name, s.Kind, OpSeal, sealBench(s.Seal)},
			Case{SectionSealOpen, s.Group, s.Name, s.Kind, OpOpen, openBench(s.Open, v)},
		)
	}

	rots, err := Rotations(k)
	if err != nil {
		return nil, err
	}
	for _, r := range rots {
		cs = append(cs,
			Case{SectionRotation, "", r.Name, r.Kind, OpKeyFirst, openBench(r.Open, r.First)},
			Case{SectionRotation, "", r.Name, r.Kind, OpKeyThird, openBench(r.Open, r.Value)},
		)
	}

	layers, err := Layers(k)
	if err != nil {
		return nil, err
	}
	for _, l := range layers {
		v, err := l.Sealer.Seal(CookieName, l.Payload, time.Now().Add(Lifetime))
		if err != nil {
			return nil, err
		}
		cs = append(cs,
			Case{SectionLayer, "", l.Name, KindCrumb, OpSeal, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := l.Sealer.Seal(CookieName, l.Payload, time.Now().Add(Lifetime)); err != nil {
						b.Fatal(err)
					}
				}
			}},
			Case{SectionLayer, "", l.Name, KindCrumb, OpOpen, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := l.Sealer.Open(CookieName, v); err != nil {
						b.Fatal(err)
					}
				}
			}},
		)
	}
	return cs, nil
}
