package cookiestore

import "time"

// Lifetime is one session's lifetime. It is sealed into the session's
// record, so whichever Store opens the session (the origin, or an edge
// gate whose Store has default Options) enforces and renews it the
// same way: the Options of the Store only decide the lifetime of
// sessions it creates, and of records written before lifetimes were
// sealed.
type Lifetime struct {
	// Idle is the idle timeout: every request that uses the session
	// keeps it valid for at least this long.
	Idle time.Duration
	// Absolute ends the session this long after Created, however
	// active.
	Absolute time.Duration
	// RenewAfter is how long after its cookie was issued an unchanged
	// session is re-issued to slide its expiry (RenewFraction of
	// Idle). The cookie is sealed to last Idle+RenewAfter, capped at
	// the absolute end.
	RenewAfter time.Duration
	// BrowserSession: the cookie carries no Max-Age, so the browser
	// drops it when it closes. The timeouts still apply in the token.
	BrowserSession bool
}

// lives are the lifetimes a Store hands out.
type lives struct {
	def      Lifetime // a new session, per Options
	remember Lifetime // Session.Remember(true)
	forget   Lifetime // Session.Remember(false)
}

// newLifetime builds a Lifetime from validated options, in the whole
// seconds a record carries, so that the Store that seals a session and
// the one that opens it compute the same expiries.
func newLifetime(idle, abs time.Duration, fraction float64, browser bool) Lifetime {
	idle = max(idle.Truncate(time.Second), time.Second)
	abs = max(abs.Truncate(time.Second), idle)
	renew := time.Duration(float64(idle) * fraction).Truncate(time.Second)
	return Lifetime{Idle: idle, Absolute: abs, RenewAfter: renew, BrowserSession: browser}
}

// putLifetime writes l into the record of a session created at created.
func putLifetime(w *Envelope, l Lifetime, created time.Time) {
	w.Idle = int64(l.Idle / time.Second)
	w.Renew = int64(l.RenewAfter / time.Second)
	w.Deadline = created.Add(l.Absolute).Unix()
	w.Browser = l.BrowserSession
}

// maxTimeoutSecs bounds the lifetime fields of a record.
const maxTimeoutSecs = int64(MaxTimeout / time.Second)

// recordLifetime reads the lifetime a record carries. A record without
// one (written before lifetimes were sealed) gets def, the opening
// Store's. A lifetime out of the bounds New enforces is refused: the
// record is authenticated, so it can only come from a Store with other
// rules (or a bug), and honouring it could keep a session alive
// longer than any Store allows.
func recordLifetime(w *Envelope, def Lifetime) (Lifetime, bool) {
	if w.Idle == 0 && w.Renew == 0 && w.Deadline == 0 && !w.Browser {
		return def, true
	}
	abs := w.Deadline - w.Created
	if w.Idle < 1 || w.Idle > maxTimeoutSecs || w.Renew < 0 || w.Renew > w.Idle || abs < 1 || abs > maxTimeoutSecs {
		return Lifetime{}, false
	}
	return Lifetime{
		Idle:           time.Duration(w.Idle) * time.Second,
		Absolute:       time.Duration(abs) * time.Second,
		RenewAfter:     time.Duration(w.Renew) * time.Second,
		BrowserSession: w.Browser,
	}, true
}

// Lifetime returns the session's lifetime: the one its record carried,
// the Store's for a new session, or what Remember chose.
func (s *Session[T]) Lifetime() Lifetime { return s.life }

// Remember chooses the session's lifetime, for a "remember me" box at
// login. Remember(true) makes the cookie persistent with
// Options.Remember's timeouts (30 days idle, 90 days absolute by
// default); Remember(false) makes a browser-session cookie (no Max-Age
// or Expires: the browser drops it when it closes) with IdleTimeout and
// AbsoluteTimeout. The choice is sealed into the session, so it holds
// for its later requests, through Regenerate, and at an edge gate,
// until Remember is called again or Destroy. The absolute lifetime
// counts from Created, so call Regenerate at login as usual.
func (s *Session[T]) Remember(on bool) {
	if s.lives == nil {
		return // not from a Store; Commit has nothing to apply it to
	}
	if on {
		s.life = s.lives.remember
	} else {
		s.life = s.lives.forget
	}
	s.gen++
}

// RenewalDue reports whether the session's cookie is due to be
// re-issued even if nothing changed: its idle expiry can slide (the
// cookie is at least Lifetime().RenewAfter old and the absolute end
// is not reached), or it was sealed with a key other than the primary.
// Commit then re-issues it. An edge worker uses it to renew exactly as
// the origin would, from the lifetime sealed in the session, without
// configuration of its own. It is judged at the time the session was
// loaded, and is false for a new session and after a Commit.
func (s *Session[T]) RenewalDue() bool {
	if s.isNew || s.settled {
		return false
	}
	return s.rotated ||
		(s.loadedAt.Sub(s.issuedAt) >= s.life.RenewAfter && s.expiryAt(s.loadedAt).After(s.expires))
}

// expiryAt is the expiry a cookie issued at now carries: the earlier
// of the idle expiry and the absolute one.
func (s *Session[T]) expiryAt(now time.Time) time.Time {
	idle := now.Add(s.life.Idle + s.life.RenewAfter)
	created := s.created
	if created.IsZero() {
		created = now
	}
	if abs := created.Add(s.life.Absolute); abs.Before(idle) {
		return abs
	}
	return idle
}
