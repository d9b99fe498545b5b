//go:build race

package sync

// raceEnabled scales the simulated-day test down under the race detector,
// which makes every HTTP round trip several times slower.
const raceEnabled = true
