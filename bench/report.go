package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
)

// Result is a measured Case.
type Result struct {
	Case
	NsPerOp     float64 // wall-clock time per op
	CPUNsPerOp  float64 // process CPU time per op, 0 when not measured
	BytesPerOp  int64
	AllocsPerOp int64
}

// Cost is what ratios compare: CPU time per op when it was measured,
// wall time otherwise.
func (r Result) Cost() float64 {
	if r.CPUNsPerOp > 0 {
		return r.CPUNsPerOp
	}
	return r.NsPerOp
}

// Measure turns a testing.BenchmarkResult into a Result.
func Measure(c Case, r testing.BenchmarkResult) Result {
	ns := 0.0
	if r.N > 0 {
		ns = float64(r.T.Nanoseconds()) / float64(r.N)
	}
	return Result{Case: c, NsPerOp: ns, CPUNsPerOp: r.Extra[CPUMetric], BytesPerOp: r.AllocedBytesPerOp(), AllocsPerOp: r.AllocsPerOp()}
}

// Report is everything the table shows, from one run.
type Report struct {
	Env        string // Go version, GOMAXPROCS, CPU, benchtime: one line
	Results    []Result
	Capacities []Capacity
	// StoreNote explains a missing cookie-store comparison, if any.
	StoreNote string
}

// Goal limits, reported and never asserted.
const (
	GoalVsGorilla   = 3.0 // crumb encrypted at least this many times faster
	GoalVsBare      = 1.5 // crumb encrypted at most this many times slower
	GoalLayerAllocs = 4   // sealer-layer allocations per op, at most
)

func (rep *Report) find(sec Section, group string, kind Kind, op string) (Result, bool) {
	for _, r := range rep.Results {
		if r.Section == sec && r.Group == group && r.Kind == kind && r.Op == op {
			return r, true
		}
	}
	return Result{}, false
}

func (rep *Report) findSubject(sec Section, subject, op string) (Result, bool) {
	for _, r := range rep.Results {
		if r.Section == sec && r.Subject == subject && r.Op == op {
			return r, true
		}
	}
	return Result{}, false
}

func ratio(num, den float64) string {
	if num <= 0 || den <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", num/den)
}

func ns(v float64) string {
	if v <= 0 {
		return "–"
	}
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// Ratio returns a ÷ b rounded to two decimals, as the table prints it,
// so that a goal's verdict always agrees with the figure shown. It is 0
// when either is missing.
func Ratio(a, b float64) float64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	return math.Round(a/b*100) / 100
}

// WriteMarkdown prints the report as markdown tables.
func WriteMarkdown(w io.Writer, rep *Report) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("## crumb vs gorilla/securecookie vs bare primitives\n\n")
	if rep.Env != "" {
		p("%s\n\n", rep.Env)
	}
	p("Session: %d bytes of JSON, cookie name %q. Every row includes the JSON encoding (seal) or decoding (open).\n", TypicalJSONLen(), CookieName)
	p("\"gorilla ÷ this\" > 1 means faster than gorilla; \"this ÷ bare\" is the cost over the bare primitives. ")
	p("Ratios compare CPU ns/op (process CPU time, garbage collection included), which stays steady when other work shares the machine; ns/op is wall-clock time.\n\n")
	p("| group | subject | op | ns/op | CPU ns/op | B/op | allocs/op | gorilla ÷ this | this ÷ bare |\n")
	p("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range rep.Results {
		if r.Section != SectionSealOpen {
			continue
		}
		g, _ := rep.find(SectionSealOpen, r.Group, KindGorilla, r.Op)
		bare, _ := rep.find(SectionSealOpen, r.Group, KindBare, r.Op)
		p("| %s | %s | %s | %s | %s | %d | %d | %s | %s |\n", r.Group, r.Subject, r.Op, ns(r.NsPerOp), ns(r.CPUNsPerOp), r.BytesPerOp, r.AllocsPerOp,
			ratio(g.Cost(), r.Cost()), ratio(r.Cost(), bare.Cost()))
	}

	if rot := rep.sectionResults(SectionRotation); len(rot) > 0 {
		p("\n### Rotation: opening a value whose key is the 3rd of 3\n\n")
		p("gorilla's DecodeMulti tries each codec in turn; crumb looks the key up by the ID in the value.\n\n")
		p("| subject | key 1st: CPU ns/op | key 3rd: CPU ns/op | 3rd ÷ 1st | allocs/op (3rd) |\n")
		p("| --- | ---: | ---: | ---: | ---: |\n")
		seen := map[string]bool{}
		for _, r := range rot {
			if seen[r.Subject] {
				continue
			}
			seen[r.Subject] = true
			first, _ := rep.findSubject(SectionRotation, r.Subject, OpKeyFirst)
			third, _ := rep.findSubject(SectionRotation, r.Subject, OpKeyThird)
			p("| %s | %s | %s | %s | %d |\n", r.Subject, ns(first.Cost()), ns(third.Cost()), ratio(third.Cost(), first.Cost()), third.AllocsPerOp)
		}
		g3, gok := rep.find(SectionRotation, "", KindGorilla, OpKeyThird)
		c3, cok := rep.find(SectionRotation, "", KindCrumb, OpKeyThird)
		if gok && cok {
			p("\nWith the key 3rd of 3, crumb opens %s faster than gorilla.\n", ratio(g3.Cost(), c3.Cost()))
		}
	}

	if store := rep.sectionResults(SectionStore); len(store) > 0 {
		p("\n### Cookie session stores through an http.Handler\n\n")
		p("One request through the middleware and a handler that reads the session; \"changed\" also writes it, so the response carries a new Set-Cookie.\n\n")
		p("| subject | request | ns/op | CPU ns/op | B/op | allocs/op | gorilla ÷ this |\n")
		p("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n")
		for _, r := range store {
			g, _ := rep.find(SectionStore, "", KindGorilla, r.Op)
			p("| %s | %s | %s | %s | %d | %d | %s |\n", r.Subject, r.Op, ns(r.NsPerOp), ns(r.CPUNsPerOp), r.BytesPerOp, r.AllocsPerOp, ratio(g.Cost(), r.Cost()))
		}
	}
	if rep.StoreNote != "" {
		p("\n%s\n", rep.StoreNote)
	}

	if layer := rep.sectionResults(SectionLayer); len(layer) > 0 {
		p("\n### Sealer layer alone (payload already JSON)\n\n")
		p("| subject | op | ns/op | CPU ns/op | B/op | allocs/op |\n")
		p("| --- | --- | ---: | ---: | ---: | ---: |\n")
		for _, r := range layer {
			p("| %s | %s | %s | %s | %d | %d |\n", r.Subject, r.Op, ns(r.NsPerOp), ns(r.CPUNsPerOp), r.BytesPerOp, r.AllocsPerOp)
		}
	}

	if len(rep.Capacities) > 0 {
		p("\n### Cookie capacity\n\n")
		p("Largest JSON payload whose Set-Cookie value `%s=<value>%s` fits in %d bytes, found by encoding.\n\n", CookieName, CookieAttrs, MaxCookieLine)
		p("| subject | JSON payload (bytes) | cookie value (bytes) | Set-Cookie line (bytes) | payload ÷ gorilla hash+block |\n")
		p("| --- | ---: | ---: | ---: | ---: |\n")
		var gorilla float64
		for _, c := range rep.Capacities {
			if strings.HasPrefix(c.Subject, "gorilla") && strings.Contains(c.Subject, "block") {
				gorilla = float64(c.Payload)
			}
		}
		for _, c := range rep.Capacities {
			p("| %s | %d | %d | %d | %s |\n", c.Subject, c.Payload, c.ValueLen, c.LineLen, ratio(float64(c.Payload), gorilla))
		}
	}

	p("\n### Goals (reported, not asserted)\n\n")
	for _, g := range rep.Goals() {
		p("- %s\n", g)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (rep *Report) sectionResults(sec Section) []Result {
	var out []Result
	for _, r := range rep.Results {
		if r.Section == sec {
			out = append(out, r)
		}
	}
	return out
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// Goals states each performance target with the figure measured for it.
func (rep *Report) Goals() []string {
	var out []string
	for _, op := range []string{OpSeal, OpOpen} {
		c, ok1 := rep.find(SectionSealOpen, "encrypted", KindCrumb, op)
		g, ok2 := rep.find(SectionSealOpen, "encrypted", KindGorilla, op)
		bare, ok3 := rep.find(SectionSealOpen, "encrypted", KindBare, op)
		if ok1 && ok2 {
			r := Ratio(g.Cost(), c.Cost())
			line := fmt.Sprintf("encrypted %s ≥ %.0f× faster than gorilla hash+block: %.2f× — %s", op, GoalVsGorilla, r, met(r >= GoalVsGorilla))
			if j, ok := rep.find(SectionSealOpen, "reference", KindJSON, op); ok {
				line += fmt.Sprintf(" (ceiling for anything that encodes the same JSON: gorilla ÷ JSON alone = %.2f×)", Ratio(g.Cost(), j.Cost()))
			}
			out = append(out, line)
		}
		if ok1 && ok3 {
			r := Ratio(c.Cost(), bare.Cost())
			out = append(out, fmt.Sprintf("encrypted %s within %.1f× of bare JSON+AES-256-GCM+base64: %.2f× — %s", op, GoalVsBare, r, met(r <= GoalVsBare)))
		}
	}
	for _, r := range rep.sectionResults(SectionLayer) {
		out = append(out, fmt.Sprintf("sealer layer ≤ %d allocs/op, %s %s: %d — %s", GoalLayerAllocs, r.Subject, r.Op, r.AllocsPerOp, met(r.AllocsPerOp <= GoalLayerAllocs)))
	}
	return out
}
