package sealopt

import (
	"crypto/rand"
	"io"
	"time"
)

// Defaults. The skew covers clocks that disagree between the machine
// that sealed a value and the one that opens it (an origin and an edge,
// say); the length cap bounds the work an attacker can make us do.
const (
	DefaultSkew        = 30 * time.Second
	DefaultMaxValueLen = 16 << 10
)

// Options are the resolved settings of one sealer.
type Options struct {
	Now         func() time.Time
	Skew        time.Duration
	MaxValueLen int
	Rand        io.Reader
	// OpenCache is the encrypted sealer's cache size
	// (encrypted.WithOpenCache); -1 means its default. Other sealers
	// ignore it.
	OpenCache int
}

// Resolve applies opts over the defaults.
func Resolve[O ~func(*Options)](opts []O) Options {
	o := Options{Now: time.Now, Skew: DefaultSkew, MaxValueLen: DefaultMaxValueLen, Rand: rand.Reader, OpenCache: -1}
	for _, f := range opts {
		f(&o)
	}
	return o
}
