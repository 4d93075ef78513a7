package cookiestore

import "context"

// EventKind says what happened to a session.
type EventKind int

const (
	// EventCreated: a new session was saved for the first time.
	EventCreated EventKind = iota + 1
	// EventRenewed: an unchanged session was re-issued to slide its
	// idle expiry.
	EventRenewed
	// EventRegenerated: the session was saved under a new ID
	// (Regenerate), and its old record deleted.
	EventRegenerated
	// EventDestroyed: Destroy's cookie deletion (and record deletion)
	// went out.
	EventDestroyed
	// EventRotated: an unchanged session was re-sealed because its key
	// is no longer the primary.
	EventRotated
	// EventRefused: the request's cookie was not used (Event.Err says
	// why: ErrInvalid, ErrExpired, ErrUnknownKey, ErrTooLarge,
	// ErrRejected or ErrMissing); the request got a fresh session.
	EventRefused
)

var eventNames = [...]string{"", "created", "renewed", "regenerated", "destroyed", "rotated", "refused"}

// String returns the kind's name: "created", "renewed", ...
func (k EventKind) String() string {
	if k > 0 && int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "unknown"
}

// Event is what Options.OnEvent receives. It never holds the session's
// ID, data or cookie, nor key material, so it can be logged as it is
// (it implements slog.LogValuer in the net/http build).
type Event struct {
	Kind EventKind
	// Err is why, for EventRefused; nil otherwise. Its message holds
	// no cookie value or session content.
	Err error
	// Lifetime is the session's lifetime after the event (zero for
	// EventRefused and EventDestroyed).
	Lifetime Lifetime
}

// String is the event's kind, and the reason for EventRefused.
func (e Event) String() string {
	if e.Err != nil {
		return e.Kind.String() + ": " + e.Err.Error()
	}
	return e.Kind.String()
}

func (st *Store[T]) event(ctx context.Context, kind EventKind, err error, life Lifetime) {
	if st.cfg.OnEvent != nil {
		st.cfg.OnEvent(ctx, Event{Kind: kind, Err: err, Lifetime: life})
	}
}

// saveEvent is the event of a Commit that saved s: computed before the
// save changes s's state.
func saveEvent[T any](s *Session[T], changed, renew bool) EventKind {
	switch {
	case !s.idSaved && s.oldRef != nil && !s.destroyed:
		return EventRegenerated
	case !s.idSaved:
		return EventCreated
	case renew && !changed && s.rotated:
		return EventRotated
	case renew && !changed:
		return EventRenewed
	}
	return 0
}

// beforeSave runs Options.BeforeSave; its error is ErrRejected, its
// message kept out like Validate's (it may quote the data).
func (st *Store[T]) beforeSave(ctx context.Context, s *Session[T]) error {
	if st.cfg.BeforeSave == nil {
		return nil
	}
	if err := st.cfg.BeforeSave(ctx, s); err != nil {
		return &Error{Op: "commit", Kind: ErrRejected, Detail: "BeforeSave refused the session", Cause: err, hideCause: true}
	}
	return nil
}
