//go:build race

package vectors

// RaceEnabled reports a -race build.
const RaceEnabled = true
