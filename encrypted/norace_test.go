//go:build !race

package encrypted_test

const raceEnabled = false
