// Command benchtable runs bench's cases in one process with
// testing.Benchmark and prints a markdown table of ns/op, B/op and
// allocs/op, with the ratios against gorilla/securecookie and against
// the bare primitives taken from that same run, followed by the cookie
// capacity of each format and crumb's performance targets.
//
//	cd bench && go run ./cmd/benchtable [-benchtime 100ms] [-count 5] [-o file.md]
//
// Every case runs once per round and the rounds are interleaved; the
// table keeps each case's fastest round, which is the one least
// disturbed by other work on the machine. Allocation counts do not
// depend on the round.
//
// Exit status: 0 when the table printed, 1 when a benchmark or an
// encoding failed, 2 on bad flags. The goals are reported, never
// enforced: a goal that is not met does not change the exit status.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/bench"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchtable", flag.ContinueOnError)
	fs.SetOutput(stderr)
	benchtime := fs.Duration("benchtime", 100*time.Millisecond, "target run time of each benchmark in each round (as go test -benchtime)")
	rounds := fs.Int("count", 5, "rounds: every case runs once per round, rounds interleaved, and the table keeps each case's fastest round")
	out := fs.String("o", "", "also write the table to this `file`")
	quiet := fs.Bool("q", false, "do not print progress on stderr")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: benchtable [-benchtime D] [-count N] [-o file] [-q]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *benchtime <= 0 || *rounds < 1 || *rounds > 20 {
		fs.Usage()
		return 2
	}

	// testing.Benchmark reads its target time from the testing flags;
	// outside a test binary they exist only after testing.Init.
	testing.Init()
	if err := flag.Set("test.benchtime", benchtime.String()); err != nil {
		fmt.Fprintln(stderr, "benchtable:", err)
		return 1
	}

	k, err := bench.NewKeys()
	if err != nil {
		fmt.Fprintln(stderr, "benchtable: generating keys:", err)
		return 1
	}
	cases, err := bench.Cases(k)
	if err != nil {
		fmt.Fprintln(stderr, "benchtable: preparing cases:", err)
		return 1
	}
	storeCases, storeNote, err := bench.StoreCases(k)
	if err != nil {
		fmt.Fprintln(stderr, "benchtable: preparing cookie-store cases:", err)
		return 1
	}
	cases = append(cases, storeCases...)

	rep := &bench.Report{StoreNote: storeNote}
	start := time.Now()
	// Rounds run every case in turn rather than one case N times, so a
	// burst of load from another process hits all subjects alike; the
	// cheapest round (by CPU time) is the one least disturbed by it.
	best := make([]bench.Result, len(cases))
	for round := range *rounds {
		for i, c := range cases {
			if !*quiet {
				fmt.Fprintf(stderr, "[round %d/%d, %2d/%d] %s: %s %s\n", round+1, *rounds, i+1, len(cases), c.Section, c.Subject, c.Op)
			}
			r := testing.Benchmark(bench.WithCPUTime(c.F))
			if r.N == 0 {
				fmt.Fprintf(stderr, "benchtable: %s %s failed (see above)\n", c.Subject, c.Op)
				return 1
			}
			if m := bench.Measure(c, r); round == 0 || m.Cost() < best[i].Cost() {
				best[i] = m
			}
		}
	}
	rep.Results = best
	if rep.Capacities, err = bench.Capacities(k); err != nil {
		fmt.Fprintln(stderr, "benchtable: measuring capacity:", err)
		return 1
	}
	rep.Env = fmt.Sprintf("%s, %s/%s, GOMAXPROCS=%d, %s. %d cases, %d interleaved rounds of %s each, fastest round kept; %s in all.",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), cpuName(),
		len(cases), *rounds, *benchtime, time.Since(start).Round(100*time.Millisecond))

	var b strings.Builder
	if err := bench.WriteMarkdown(&b, rep); err != nil {
		fmt.Fprintln(stderr, "benchtable:", err)
		return 1
	}
	io.WriteString(stdout, b.String())
	if *out != "" {
		if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
			fmt.Fprintln(stderr, "benchtable:", err)
			return 1
		}
	}
	return 0
}

// cpuName reads the CPU model on Linux, for the table's caption.
func cpuName() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
