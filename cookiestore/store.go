package cookiestore

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"reflect"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/crumbkit/crumb"
)

// maxClockAhead is how far in the future a record's creation time may
// lie before the record is refused; it absorbs clock skew between
// servers.
const maxClockAhead = time.Minute

// Store turns a crumb.Sealer into typed sessions. It is safe for
// concurrent use; create one per cookie at start-up.
//
// The engine (New, LoadHeader, Commit) takes Cookie header text and
// returns Set-Cookie lines, and does not import net/http, so it builds
// with TinyGo for edge workers. Middleware, Get, Load and Save adapt it
// to net/http (files left out by the tinygo and crumb_nohttp tags).
type Store[T any] struct {
	sealer   crumb.Sealer
	cfg      config[T]
	zeroData []byte
	// remote is set when records live in a server-side Backend.
	remote bool
	// plain is set when values of T can be compared field by field
	// instead of by encoding them (see plainType), which makes the
	// check "did the handler change the data?" cheap.
	plain bool
	// zero is T's zero value, for that comparison.
	zero T
	// ops compares and copies values of T (see dataOps); set when
	// plain is, or when the decode cache is on.
	ops dataOps
	// parseRecord is JSONCodec's fast path for the record
	// (parseJSONRecord); nil for other Codecs.
	parseRecord func(b []byte, alias bool) (Envelope, bool)
	// scratch holds *jsonScratch buffers (as scratchEncoder) for
	// encodings that are only compared, never kept.
	scratch sync.Pool
	// decoders holds *jsonDecoder values (as pooledDecoder).
	decoders sync.Pool
	// initData fills a new session's Data (see newDataFunc); nil
	// leaves it T's zero value.
	initData func(*T)
	// mapType is T when T is a map type, else nil (see fixMap).
	mapType reflect.Type
	// decoded is the decode cache (Options.DecodeCache); nil when off
	// or when T or the Codec does not qualify.
	decoded dataCache
}

// New returns a Store sealing with sealer. It checks opts and fails
// with an error wrapping ErrConfig for a combination that would give
// an unsafe or unusable cookie (see Options).
func New[T any](sealer crumb.Sealer, opts Options[T]) (*Store[T], error) {
	if sealer == nil {
		return nil, configErr("nil Sealer")
	}
	cfg, err := opts.validate()
	if err != nil {
		return nil, err
	}
	var zero T
	zb, err := cfg.Codec.Marshal(&zero)
	if err != nil {
		return nil, newErr("new", ErrConfig, "the Codec cannot encode the zero value of the session data type", err)
	}
	st := &Store[T]{sealer: sealer, cfg: cfg, zeroData: zb, remote: opts.Backend != nil, initData: newDataFunc(cfg.NewData), mapType: mapType[T]()}
	n := opts.DecodeCache
	if n == 0 {
		n = DefaultDecodeCache
	}
	if n > maxDecodeCache {
		return nil, configErr("DecodeCache above 2^20 entries")
	}
	// The shortcuts come through an interface JSONCodec implements, so
	// that a store with another Codec links none of their reflection.
	if js, ok := cfg.Codec.(jsonShortcuts); ok {
		if f, ok := js.jsonShortcuts(cfg.Codec, reflect.TypeFor[T](), n); ok {
			st.scratch.New, st.decoders.New, st.parseRecord = f.newScratch, f.newDecoder, f.parseRecord
			st.plain, st.ops, st.decoded = f.plain, f.ops, f.cache
		}
	}
	return st, nil
}

// Name returns the cookie name.
func (st *Store[T]) Name() string { return st.cfg.Name }

func (st *Store[T]) now() time.Time { return st.cfg.Now().Truncate(time.Second) }

// LoadHeader returns the session the Cookie header text carries (the
// value of the Cookie request header; several headers joined with
// "; "). It always returns a usable session: when the header has no
// valid session, a fresh one (IsNew) with the reason as the error,
// wrapping ErrNoCookie, ErrInvalid, ErrExpired, ErrUnknownKey,
// ErrTooLarge, ErrRejected, ErrMissing, ErrRevoked or ErrBackend. Only ErrBackend
// means the answer is uncertain (the record may exist): callers should
// not treat the user as logged out then.
func (st *Store[T]) LoadHeader(ctx context.Context, cookieHeader string) (*Session[T], error) {
	s := new(Session[T])
	return s, st.loadInto(ctx, s, cookieHeader)
}

// loadInto is LoadHeader into a Session the caller allocated (the
// middleware keeps it inside its per-request state).
func (st *Store[T]) loadInto(ctx context.Context, s *Session[T], cookieHeader string) error {
	in := parseCookieHeader(cookieHeader, st.cfg.Name, max(1, st.cfg.MaxChunks))
	st.reset(s, in.seen)
	if err := st.load(ctx, s, &in); err != nil {
		// Whatever partial state load reached is dropped.
		st.reset(s, in.seen)
		st.initNew(s)
		s.loadErr = err
		if err != ErrNoCookie && !errors.Is(err, ErrBackend) {
			st.event(ctx, EventRefused, err, Lifetime{})
		}
		return err
	}
	return nil
}

// reset makes s a fresh session for a request that carried the chunk
// cookies in present (none of which it uses).
func (st *Store[T]) reset(s *Session[T], present uint16) {
	*s = Session[T]{isNew: true, c: st.cfg.Codec, now: st.cfg.Now, loadedData: st.zeroData, present: present,
		life: st.cfg.lives.def, lives: &st.cfg.lives, newData: st.initData}
}

func (st *Store[T]) load(ctx context.Context, s *Session[T], in *incoming) error {
	if in.seen == 0 {
		return ErrNoCookie
	}
	if in.seen&1 == 0 {
		return newErr("load", ErrInvalid, "chunk cookie without its first chunk", nil)
	}
	// Every chunk but the last fills its Set-Cookie line, so the first
	// chunk shorter than that is the last one. Chunk cookies after it
	// are stale (left by a larger session whose deletion was lost) and
	// are expired by the next Commit rather than spoiling the session.
	// The sealed chunk count still decides: a missing, added or
	// reordered chunk fails to open.
	n, total := 1, len(in.chunks[0])
	for n < MaxChunksLimit && in.seen&(1<<n) != 0 && len(in.chunks[n-1]) >= st.cfg.fullChunk(n-1) {
		total += len(in.chunks[n])
		n++
	}
	// Refuse before any crypto what could never have been issued.
	if total > MaxCookieLine*max(1, st.cfg.MaxChunks) {
		return newErr("load", ErrTooLarge, "cookie larger than this store ever issues", nil)
	}
	value := in.chunks[0]
	if n > 1 {
		var b strings.Builder
		b.Grow(total)
		for i := 0; i < n; i++ {
			b.WriteString(in.chunks[i])
		}
		value = b.String()
	}
	opened, err := st.sealer.Open(sealName(st.cfg.Name, n), value)
	if err != nil {
		e := openErr(err)
		if n > 1 && errors.Is(err, crumb.ErrWrongName) {
			e.Detail = "chunk count does not match the sealed one"
		}
		return e
	}
	return st.loadRecord(ctx, s, opened, n)
}

// loadRecord loads the record the opened cookie (of n chunks) refers
// to into s, checking it against the session's sealed lifetime.
func (st *Store[T]) loadRecord(ctx context.Context, s *Session[T], opened crumb.Opened, n int) error {
	now := st.now()
	rec, err := st.cfg.Backend.Load(ctx, opened.Payload)
	if err != nil {
		if errors.Is(err, ErrMissing) {
			return newErr("load", ErrMissing, "", err)
		}
		return newErr("load", ErrBackend, "", err)
	}
	w, err := st.decodeRecord(rec)
	if err != nil {
		return err
	}
	if len(w.ID) != idText || w.Created <= 0 || len(w.Data) == 0 {
		return newErr("load", ErrInvalid, "record lacks an ID, a creation time or data", nil)
	}
	// A server-side record must be the one the cookie names: a store
	// that answers with another session's record (a key collision, a
	// bug, a tampered store) must not hand that session over.
	if st.remote && subtle.ConstantTimeCompare(opened.Payload, []byte(w.ID)) != 1 {
		return newErr("load", ErrInvalid, "record belongs to another session ID", nil)
	}
	created := time.Unix(w.Created, 0)
	if created.After(now.Add(maxClockAhead)) {
		return newErr("load", ErrInvalid, "record created in the future", nil)
	}
	life, ok := recordLifetime(&w, st.cfg.lives.def)
	if !ok {
		return newErr("load", ErrInvalid, "record lifetime out of bounds", nil)
	}
	// Both timeouts end a session at exactly their end, as the sealer
	// treats the sealed expiry: valid before it, expired from it on.
	// They are the record's own: the sealed expiry may come from a
	// Store with longer timeouts (a key shared with an older setup).
	if !now.Before(opened.IssuedAt.Add(life.Idle + life.RenewAfter)) {
		return newErr("load", ErrExpired, "idle timeout passed", nil)
	}
	if !now.Before(created.Add(life.Absolute)) {
		return newErr("load", ErrExpired, "absolute lifetime passed", nil)
	}
	if err := st.loadData(s, w.Data); err != nil {
		return &Error{Op: "load", Kind: ErrInvalid, Detail: "session data does not decode", Cause: err, hideCause: true}
	}
	st.fixMap(s)
	if st.plain {
		// The snapshot is taken before Validate, so a Validate that
		// normalises the data counts as a change and is saved.
		s.base = s.Data
	}
	if st.cfg.Validate != nil {
		if err := st.cfg.Validate(ctx, &s.Data); err != nil {
			// A validator's message may quote the data it refused.
			return &Error{Op: "load", Kind: ErrRejected, Cause: err, hideCause: true}
		}
	}
	if st.cfg.Revocation != nil {
		info := st.revocationInfo(s, w.ID, created, life.Absolute)
		if err := st.checkRevoked(ctx, s, info); err != nil {
			return err
		}
		s.revInfo = &info
	}
	s.isNew = false
	s.loadedAt = now
	s.id, s.idSaved = w.ID, true
	s.created = created
	s.life = life
	s.loadedData = w.Data
	s.ref = opened.Payload
	s.issuedAt, s.expires, s.rotated = opened.IssuedAt, opened.Expires, opened.Rotated
	s.inFlash = w.Flashes
	s.held = 1<<n - 1
	return nil
}

// loadData fills s.Data from data, the encoded data of an authenticated
// record: a copy of the decode cache's value when it has one, else a
// decode, whose result then enters the cache. Only a decode into T's
// zero value (as reset leaves s.Data) is a function of data alone; into
// anything else (data prefilled with defaults, say) it bypasses the
// cache.
func (st *Store[T]) loadData(s *Session[T], data []byte) error {
	if st.decoded == nil || !st.ops.isZero(reflect.ValueOf(&s.Data).Elem()) {
		return st.decodeData(data, &s.Data)
	}
	if p := st.decoded.get(data); p != nil {
		f := (*T)(p)
		s.Data = *f
		st.ops.cloneSlices(reflect.ValueOf(&s.Data).Elem())
		s.frozen = f
		return nil
	}
	if err := st.decodeData(data, &s.Data); err != nil {
		return err
	}
	f := new(T)
	*f = s.Data
	st.ops.cloneSlices(reflect.ValueOf(f).Elem())
	st.decoded.put(data, unsafe.Pointer(f))
	s.frozen = f
	return nil
}

// decodeData decodes the session data with the Codec, through a pooled
// decoder for JSONCodec.
func (st *Store[T]) decodeData(data []byte, v *T) error {
	d, ok := st.decoders.Get().(pooledDecoder)
	if !ok {
		return st.cfg.Codec.Unmarshal(data, v)
	}
	reusable, err := d.decode(data, v)
	if reusable && len(data) <= maxScratch {
		st.decoders.Put(d)
	}
	return err
}

// decodeRecord decodes the record around the data. The common JSON
// record goes through parseJSONRecord, without reflection; the result
// aliases rec, which the session keeps. Without a server-side Backend,
// rec is the sealer's payload, which nothing else holds, so even the
// ID may alias it; a Backend's buffer gets no such trust.
func (st *Store[T]) decodeRecord(rec []byte) (Envelope, error) {
	if st.parseRecord != nil {
		if w, ok := st.parseRecord(rec, !st.remote); ok {
			return w, nil
		}
	}
	return decodeWithCodec(st.cfg.Codec, rec)
}

// decodeWithCodec is separate so that the record only escapes to the
// heap (through the Codec interface) on this slow path.
func decodeWithCodec(c Codec, rec []byte) (Envelope, error) {
	var w Envelope
	if err := c.Unmarshal(rec, &w); err != nil {
		return Envelope{}, &Error{Op: "load", Kind: ErrInvalid, Detail: "record does not decode", Cause: err, hideCause: true}
	}
	return w, nil
}

// sameData reports whether v encodes to enc, where enc is the encoding
// of snap. For plain types it compares v with snap field by field and
// encodes only when they differ (a change to a field the codec skips
// still encodes to enc); otherwise it encodes v into a scratch buffer.
func (st *Store[T]) sameData(v, snap *T, enc []byte) (bool, error) {
	if st.plain && st.ops.equal(reflect.ValueOf(v).Elem(), reflect.ValueOf(snap).Elem()) {
		return true, nil
	}
	sc, ok := st.scratch.Get().(scratchEncoder)
	if !ok {
		b, err := st.cfg.Codec.Marshal(v)
		return err == nil && bytes.Equal(b, enc), err
	}
	same, keep, err := sc.encodesTo(v, enc)
	if keep {
		st.scratch.Put(sc)
	}
	return same, err
}

// unchanged reports whether s.Data is what the request loaded or what
// the last Commit saved.
func (st *Store[T]) unchanged(s *Session[T]) (bool, error) {
	if s.frozen != nil && !st.plain && st.ops.equal(reflect.ValueOf(&s.Data).Elem(), reflect.ValueOf(s.frozen).Elem()) {
		// Equal to the value loadedData decoded to: it encodes the
		// same (cloneType), so it is unchanged without encoding.
		return true, nil
	}
	return st.sameData(&s.Data, &s.base, s.loadedData)
}

// Commit saves s and returns the Set-Cookie lines (header values,
// without "Set-Cookie: ") the response must carry, in order; nil when
// nothing needs to be sent. It saves when the session changed, when its
// idle expiry is due for renewal, or when it was sealed with a key
// other than the primary; it expires the cookie and every chunk after
// Destroy, clears a cookie the store refused, and expires stale chunk
// cookies beside a valid one. A response carrying the lines must also
// carry "Vary: Cookie" and the Cache-Control value from CacheControl; a
// response without lines that used a session loaded from a cookie
// (IsNew false) must carry "Vary: Cookie" and PrivateCacheControl.
//
// A session whose absolute lifetime ends between its load and Commit
// is over: Commit returns the lines expiring its cookies, with a nil
// error, and reports ErrExpired to Options.OnError. The response may
// go out as the handler wrote it; the next request starts a fresh
// session.
//
// Commit may be called again after more changes: it acts on what the
// previous call sent, and a call with no change since returns nil. On
// error the lines are nil and the response must not claim success: the
// client keeps the cookies it held before the failed call. (A
// server-side Backend may by then hold a record under a new ID that no
// cookie names; it expires with its TTL.)
func (st *Store[T]) Commit(ctx context.Context, s *Session[T]) ([]string, error) {
	if s == nil {
		return nil, nil
	}
	if s.encErr != nil {
		return nil, flashErr(s.encErr)
	}
	if s.revokeOld != nil && st.cfg.Revocation != nil {
		// Destroy on a session loaded from a cookie: copies of that
		// cookie must open nothing from now on.
		if err := st.cfg.Revocation.Revoke(ctx, *s.revokeOld); err != nil {
			return nil, newErr("commit", ErrBackend, "revoking the destroyed session", err)
		}
		s.revokeOld = nil
	}
	flashes := s.outgoing()

	// Nothing worth a cookie: a new or destroyed session still at its
	// zero value. Clear whatever cookies the client holds.
	if (s.isNew || s.destroyed) && len(flashes) == 0 && !s.forced {
		empty, fresh, err := st.isFresh(s)
		if err != nil {
			return nil, dataErr(err)
		}
		if empty {
			if s.destroyed && s.oldRef != nil {
				if err := st.cfg.Backend.Delete(ctx, s.oldRef); err != nil {
					return nil, newErr("commit", ErrBackend, "deleting the destroyed record", err)
				}
			}
			if s.destroyed && (s.oldRef != nil || s.present != 0) {
				defer st.event(ctx, EventDestroyed, nil, Lifetime{})
			}
			lines := st.deletes(nil, s.present)
			s.present, s.held, s.oldRef, s.ref = 0, 0, nil, nil
			s.expires = time.Time{}
			st.settle(s, fresh)
			return lines, nil
		}
	}

	same, err := st.unchanged(s)
	if err != nil {
		return nil, dataErr(err)
	}
	changed := !same || s.gen != s.baseGen || (!s.settled && len(s.inFlash) > 0)
	// The renewal is judged at the time the request loaded the
	// session, which spares reading the clock again for the common
	// unchanged session; a renewal falling due during the request
	// waits for the next one.
	renew := s.RenewalDue()
	if s.unverified {
		// Accepted by RevocationFailOpen without a check: it may be
		// revoked, so nothing extends or rewrites it.
		if changed || s.forced {
			return nil, newErr("commit", ErrBackend, "session not verified against the revocation list (RevocationFailOpen); not saved", nil)
		}
		renew = false
	}
	if !changed && !renew && !s.forced {
		// The session's own cookies stay; stale chunk cookies beside
		// them go.
		lines := st.deletes(nil, s.present&^s.held)
		s.present = s.held
		st.settle(s, nil)
		return lines, nil
	}

	if err := st.beforeSave(ctx, s); err != nil {
		return nil, err
	}
	if st.cfg.BeforeSave != nil {
		// BeforeSave may have added flashes: save what it left.
		if s.encErr != nil {
			return nil, flashErr(s.encErr)
		}
		flashes = s.outgoing()
	}
	now := st.now()
	if s.id == "" {
		s.id, s.idSaved = newID(), false
	}
	if s.created.IsZero() {
		s.created = now
	}
	expires := s.expiryAt(now)
	if !expires.After(now) {
		return st.end(ctx, s, newErr("commit", ErrExpired, "absolute lifetime ended during the request", nil)), nil
	}
	data, err := st.cfg.Codec.Marshal(&s.Data)
	if err != nil {
		return nil, dataErr(err)
	}
	env := Envelope{ID: s.id, Created: s.created.Unix(), Data: data, Flashes: flashes}
	putLifetime(&env, s.life, s.created)
	rec, err := st.cfg.Codec.Marshal(&env)
	if err != nil {
		return nil, &Error{Op: "commit", Kind: ErrCodec, Detail: "session record does not encode", Cause: err, hideCause: true}
	}
	// Changed is exact: a renewal whose data still encodes as loaded
	// lets a server-side store extend the entry instead of rewriting it.
	changed = changed || !bytes.Equal(data, s.loadedData)
	saved := Record{ID: s.id, Payload: rec, Changed: changed, New: !s.idSaved, Expires: expires}
	if saved.New && !s.destroyed {
		saved.Replaces = s.oldRef
	}
	if st.cfg.User != nil {
		saved.User = st.cfg.User(&s.Data)
	}
	event := saveEvent(s, changed, renew)
	destroyed := s.destroyed && s.oldRef != nil
	ref, err := st.cfg.Backend.Save(ctx, saved)
	if err != nil {
		// idSaved stays as it was: a failed save of a new ID may or may
		// not have landed, and the retry still says New (the Backend
		// must cope with finding its own earlier write).
		return nil, newErr("commit", ErrBackend, "saving the record", err)
	}
	s.idSaved = true
	lines, n, err := st.seal(ref, now, expires, s.present, s.life.BrowserSession)
	if err != nil {
		if errors.Is(err, ErrExpired) {
			// The sealer's clock read a later second than the store's,
			// past the absolute end: the session is over all the same.
			return st.end(ctx, s, err), nil
		}
		return nil, err
	}
	if s.oldRef != nil {
		if err := st.cfg.Backend.Delete(ctx, s.oldRef); err != nil {
			return nil, newErr("commit", ErrBackend, "deleting the replaced record", err)
		}
		s.oldRef = nil
	}
	s.ref = ref
	s.forced = false
	s.issuedAt, s.expires, s.rotated = now, expires, false
	// The client now holds exactly the cookies these lines set: a
	// later Commit expires what it no longer needs from them, not from
	// the request's cookies.
	s.present, s.held = 1<<n-1, 1<<n-1
	st.settle(s, data)
	if destroyed {
		st.event(ctx, EventDestroyed, nil, Lifetime{})
	}
	if event != 0 {
		st.event(ctx, event, nil, s.life)
	}
	return lines, nil
}

// end clears the cookies of a session whose lifetime ended during the
// request and reports why. A server-side record needs no deleting: it
// was saved with an expiry no later than this one.
func (st *Store[T]) end(ctx context.Context, s *Session[T], why error) []string {
	st.report(ctx, why)
	lines := st.deletes(nil, s.present)
	s.present, s.held, s.ref, s.forced = 0, 0, nil, false
	s.expires = time.Time{}
	st.settle(s, nil)
	return lines
}

func flashErr(err error) error {
	return &Error{Op: "commit", Kind: ErrCodec, Detail: "a flash value does not encode", Cause: err, hideCause: true}
}

func dataErr(err error) error {
	return &Error{Op: "commit", Kind: ErrCodec, Detail: "session data does not encode", Cause: err, hideCause: true}
}

// settle records s's current state as saved, so a second Commit only
// acts on later changes. data is the encoding of s.Data, or nil when
// it is still s.loadedData.
func (st *Store[T]) settle(s *Session[T], data []byte) {
	if data != nil {
		s.loadedData = data
		s.frozen = nil
	}
	if st.plain {
		s.base = s.Data
	}
	s.baseGen = s.gen
	s.settled = true
}

// pending reports whether s changed since it was loaded or committed.
//
// Incoming flashes that no Commit dealt with do not count: the
// middleware asks only after the response started, and a handler that
// first reads the session then (flashes included) changed nothing. Those
// flashes stay for the next request.
func (st *Store[T]) pending(s *Session[T]) bool {
	if s.encErr != nil || s.gen != s.baseGen {
		return true
	}
	same, err := st.unchanged(s)
	return !same || err != nil
}

// seal seals ref into one cookie, or into chunks when allowed and
// needed, and returns the Set-Cookie lines, including deletions of
// chunk cookies in present (those the client holds) that the new value
// does not use, and the number of chunks the value uses.
func (st *Store[T]) seal(ref []byte, now, expires time.Time, present uint16, browser bool) ([]string, int, error) {
	name := st.cfg.Name
	value, err := st.sealer.Seal(name, ref, expires)
	if err != nil {
		return nil, 0, sealErr(err)
	}
	tail := st.cfg.attrs
	if !browser {
		tail = maxAgeAttr(now, expires) + tail
	}
	if len(name)+1+len(value)+len(tail) <= MaxCookieLine {
		return st.deletes([]string{name + "=" + value + tail}, present&^1), 1, nil
	}
	if st.cfg.MaxChunks < 2 {
		return nil, 0, newErr("commit", ErrTooLarge, "Set-Cookie line over 4096 bytes and chunking is off", nil)
	}
	n, capacity := 0, 0
	for i := 0; i < st.cfg.MaxChunks; i++ {
		capacity += MaxCookieLine - len(chunkName(name, i)) - 1 - len(tail)
		if capacity >= len(value) {
			n = i + 1
			break
		}
	}
	if n == 0 {
		return nil, 0, newErr("commit", ErrTooLarge, "session needs more chunk cookies than MaxChunks", nil)
	}
	value, err = st.sealer.Seal(sealName(name, n), ref, expires)
	if err != nil {
		return nil, 0, sealErr(err)
	}
	if len(value) > capacity {
		// A sealer whose length depends on the name; not one of crumb's.
		return nil, 0, newErr("commit", ErrTooLarge, "sealed value grew under the chunked name", nil)
	}
	lines := make([]string, 0, n)
	for i := 0; i < n; i++ {
		cn := chunkName(name, i)
		room := MaxCookieLine - len(cn) - 1 - len(tail)
		part := value
		if len(part) > room {
			part = part[:room]
		}
		value = value[len(part):]
		lines = append(lines, cn+"="+part+tail)
	}
	return st.deletes(lines, present&^(1<<n-1)), n, nil
}

// deletes appends to lines a deleting Set-Cookie line for each cookie
// in chunks (a set of chunk indexes, 0 for the cookie itself).
func (st *Store[T]) deletes(lines []string, chunks uint16) []string {
	for i := 0; i < MaxChunksLimit; i++ {
		if chunks&(1<<i) != 0 {
			lines = append(lines, chunkName(st.cfg.Name, i)+"="+st.cfg.deleteAttrs)
		}
	}
	return lines
}

func sealErr(err error) error {
	switch {
	case errors.Is(err, crumb.ErrTooLarge):
		return newErr("commit", ErrTooLarge, "the sealer refused the payload size", err)
	case errors.Is(err, crumb.ErrExpired):
		// The expiry is not after the sealer's clock, or outside the
		// times it can seal (1970..2106): nothing to do with the data.
		return newErr("commit", ErrExpired, "the sealer refused the session's expiry", err)
	}
	return newErr("commit", ErrCodec, "sealing failed", err)
}

func (st *Store[T]) report(ctx context.Context, err error) {
	if err != nil && st.cfg.OnError != nil {
		st.cfg.OnError(ctx, err)
	}
}
