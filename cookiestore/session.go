package cookiestore

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// idLen is the session ID's size in bytes: 256 random bits.
const idLen = 32

// idText is the length of the session ID's text form.
const idText = 43

// Session is one request's view of a session. Data is the typed session
// data: change it in place. A Session belongs to the request that
// loaded it and is not safe for use by several goroutines at once.
type Session[T any] struct {
	// Data is the session data. Changes are saved when the response
	// starts (middleware) or on Commit/Save.
	Data T

	id string
	// idSaved is true when id is known to the Backend: it came from
	// the request's cookie, or a Save under it succeeded. A Save under
	// an id not yet saved is Record.New, which lets a server-side store
	// skip its revocation checks: a 256-bit ID drawn in this request
	// cannot have been revoked.
	idSaved bool
	created time.Time
	// life is the session's lifetime; lives the Store's, for Remember
	// and Destroy.
	life  Lifetime
	lives *lives
	// newData fills a new session's Data (Options.NewData, a map for
	// a map type); fresh is the encoding of what it filled in, the
	// baseline below which a new session is not saved.
	newData func(*T)
	fresh   []byte
	isNew   bool
	loadErr error

	// What the request carried, or what the last Commit saved.
	// loadedData is the encoded data (the zero value's encoding for a
	// new session); base is the value it decoded to, kept only for
	// plain types (see plainType) to detect changes without encoding.
	loadedData []byte
	base       T
	ref        []byte    // opened payload: the backend's reference
	loadedAt   time.Time // the store's clock when the request loaded it
	issuedAt   time.Time
	expires    time.Time
	rotated    bool
	// present is the set of the store's cookies (bit i: chunk i, the
	// cookie itself for 0) the client holds: those the request carried,
	// then those the last Commit set. held is the part the session's
	// value occupies; the rest are stale chunks, expired by Commit.
	present, held uint16

	inFlash  map[string][]Raw
	keepAll  bool
	kept     map[string]bool
	outFlash map[string][]Raw

	oldRef    []byte // ref of the identity Regenerate or Destroy replaced; deleted on Commit
	destroyed bool
	forced    bool
	encErr    error

	c   Codec
	now func() time.Time

	// gen counts calls that change the session other than through
	// Data, so a change after the headers went out is noticed without
	// re-encoding flashes.
	gen     int
	baseGen int  // gen when last loaded or committed
	settled bool // a Commit succeeded: incoming flashes are dealt with
}

// ID returns the session ID: 43 characters of base64url encoding 256
// random bits, sealed inside the cookie. It is stable for the life of a
// session and changes on Regenerate and Destroy, so it can bind CSRF
// tokens to the session. Treat it as a secret, like the cookie.
//
// Asking for the ID of a session not yet saved (a new one, or one
// whose identity Regenerate or Destroy just replaced) makes the next
// Commit save it, even with zero Data: a token bound to the ID on a
// login page must still match on submit, so the ID cannot be allowed
// to vanish with an unsaved session. Reading the ID of a session the
// request loaded changes nothing.
func (s *Session[T]) ID() string {
	if s.id == "" {
		s.id, s.idSaved = newID(), false
	}
	if !s.idSaved && !s.forced {
		s.forced = true
		s.gen++
	}
	return s.id
}

// IsNew reports whether the request carried no usable session: no
// cookie, or one that was refused (Err says why).
func (s *Session[T]) IsNew() bool { return s.isNew }

// Err returns why the request's cookie was not used, or nil when it was
// (or when there was none). It wraps one of the package's sentinels.
func (s *Session[T]) Err() error {
	if s.loadErr == ErrNoCookie {
		return nil
	}
	return s.loadErr
}

// Created returns when the session was created or last regenerated;
// the absolute lifetime counts from it.
func (s *Session[T]) Created() time.Time { return s.created }

// Expires returns when the session's cookie expires: before Commit,
// the expiry sealed into the incoming cookie (the zero time for a new
// session); after a Commit, what the response carries (a later expiry
// after a save or renewal, the zero time when the response clears the
// cookie).
func (s *Session[T]) Expires() time.Time { return s.expires }

// Regenerate gives the session a new ID and restarts its absolute
// lifetime, keeping Data and flashes. Call it when privileges change,
// such as at login, so an ID planted before login (session fixation)
// is worthless after. A server-side backend deletes the old record.
func (s *Session[T]) Regenerate() {
	s.replaceIdentity()
	s.gen++
}

// Destroy ends the session: Data is reset to its zero value (or what
// Options.NewData fills in), flashes
// are dropped, and the response expires the cookie and all its chunks
// (and a server-side backend deletes the record). If the handler sets
// Data or adds a flash afterwards, a new session with a new ID is saved
// instead.
func (s *Session[T]) Destroy() {
	var zero T
	s.Data = zero
	s.fresh = nil
	if s.newData != nil {
		s.newData(&s.Data)
		s.setFresh()
	}
	s.inFlash, s.outFlash, s.kept, s.keepAll = nil, nil, nil, false
	s.destroyed = true
	s.forced = false
	if s.lives != nil {
		s.life = s.lives.def
	}
	s.replaceIdentity()
	s.gen++
}

func (s *Session[T]) replaceIdentity() {
	if s.ref != nil && s.oldRef == nil {
		s.oldRef = s.ref
	}
	s.id, s.idSaved = newID(), false
	s.created = s.clock()
}

func (s *Session[T]) clock() time.Time {
	if s.now == nil {
		return time.Now().Truncate(time.Second)
	}
	return s.now().Truncate(time.Second)
}

// MarkChanged saves the session on this response even if nothing
// changed, for example to re-issue the cookie. (ID already does so for
// a session not yet saved.)
func (s *Session[T]) MarkChanged() {
	s.forced = true
	s.gen++
}

// Flash adds a value under key for the next request only. value is
// encoded with the store's Codec; an encoding error is reported at
// save time as ErrCodec.
func (s *Session[T]) Flash(key string, value any) {
	b, err := s.codec().Marshal(value)
	if err != nil {
		if s.encErr == nil {
			s.encErr = err
		}
		return
	}
	if s.outFlash == nil {
		s.outFlash = make(map[string][]Raw)
	}
	s.outFlash[key] = append(s.outFlash[key], Raw(b))
	s.gen++
}

// Flashes returns the flashes the previous request left under key, as
// strings. A value that is not a string is not skipped: it comes back
// as its encoding with the store's Codec (3, {"a":1} with JSON); use
// FlashValues or AllFlashes to decode it as its type. Every flash is
// gone after this request unless Keep or Reflash is called.
func (s *Session[T]) Flashes(key string) []string {
	var out []string
	for _, raw := range s.inFlash[key] {
		var v string
		if s.codec().Unmarshal(raw, &v) == nil {
			out = append(out, v)
		} else {
			out = append(out, string(raw))
		}
	}
	return out
}

// Keep carries the flashes under keys, as this request received them,
// over to the next request.
func (s *Session[T]) Keep(keys ...string) {
	if s.kept == nil {
		s.kept = make(map[string]bool)
	}
	for _, k := range keys {
		s.kept[k] = true
	}
	s.gen++
}

// Reflash carries every flash this request received over to the next
// request.
func (s *Session[T]) Reflash() {
	s.keepAll = true
	s.gen++
}

// FlashValues decodes the flashes the previous request left under key
// into values of type V.
func FlashValues[V, T any](s *Session[T], key string) ([]V, error) {
	raws := s.inFlash[key]
	out := make([]V, 0, len(raws))
	for _, raw := range raws {
		var v V
		if err := s.codec().Unmarshal(raw, &v); err != nil {
			return out, newErr("flash", ErrCodec, "flash value does not decode as the requested type", nil)
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Session[T]) codec() Codec {
	if s.c != nil {
		return s.c
	}
	c, _ := defaultCodec()
	return c
}

// outgoing returns the flashes the saved record should hold.
func (s *Session[T]) outgoing() map[string][]Raw {
	var m map[string][]Raw
	add := func(k string, v []Raw) {
		if len(v) == 0 {
			return
		}
		if m == nil {
			m = make(map[string][]Raw)
		}
		m[k] = append(m[k], v...)
	}
	for k, v := range s.inFlash {
		if s.keepAll || s.kept[k] {
			add(k, v)
		}
	}
	for k, v := range s.outFlash {
		add(k, v)
	}
	return m
}

func newID() string {
	var b [idLen]byte
	// crypto/rand.Read never returns an error on supported platforms;
	// it crashes the program when the OS cannot supply randomness.
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
