//go:build !race

package signed_test

const raceEnabled = false
