package servicetest

import "sync"

// restartable holds the process of a service that a test kills and
// starts again on the same port (Redis, dynalite), so each service's
// Kill and Log are one line over the same locking.
type restartable struct {
	mu     sync.Mutex
	proc   *Process
	starts int
}

// kill stops the current process abruptly (SIGKILL), as a crash would.
func (s *restartable) kill() {
	s.mu.Lock()
	p := s.proc
	s.mu.Unlock()
	if p != nil {
		p.Stop()
	}
}

// log returns the tail of the current process's log.
func (s *restartable) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return ""
	}
	return s.proc.Tail(2000)
}
