package bench

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/gorilla/sessions"
)

// Store request kinds.
const (
	OpUnchanged = "unchanged session"
	OpChanged   = "changed session"
)

// StoreFlow is a cookie session store behind an http.Handler. The
// handler reads the session into a Session (and answers 500 unless it
// is the expected user); on a request to /change it also sets LastSeen,
// so the response must carry a new cookie.
type StoreFlow struct {
	Name    string
	Kind    Kind
	Handler http.Handler
	// Login returns the cookie ("name=value") of a fresh session
	// holding Typical, made through the same store.
	Login func() (string, error)
}

// Handler paths.
const (
	pathRead   = "/"
	pathChange = "/change"
	pathLogin  = "/login"
)

// Names of crumb's store rows. The second turns the encrypted sealer's
// Open cache off, so the table shows what the cache saves in the same
// run.
const (
	StoreCrumb        = "crumb cookiestore (encrypted, JSON)"
	StoreCrumbNoCache = "crumb cookiestore (encrypted, JSON, Open cache off)"
)

// crumbStoreFlow is crumb's cookiestore over the encrypted sealer, with
// its middleware. seen, when set, receives the session each request read.
func crumbStoreFlow(k *Keys, seen func(Session), name string, opts ...crumb.Option) (StoreFlow, error) {
	st, err := cookiestore.New(encrypted.New(k.Ring, opts...), cookiestore.Options[Session]{
		Name:        CookieName,
		IdleTimeout: Lifetime,
	})
	if err != nil {
		return StoreFlow{}, err
	}
	want := Typical()
	h := st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := st.Get(r.Context())
		switch r.URL.Path {
		case pathLogin:
			s.Data = want
		case pathChange:
			s.Data.LastSeen++
		}
		if seen != nil {
			seen(s.Data)
		}
		if s.Data.UserID != want.UserID {
			http.Error(w, "wrong session", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	return StoreFlow{Name: name, Kind: KindCrumb, Handler: h, Login: loginVia(h)}, nil
}

// gorillaStoreFlow is gorilla/sessions' CookieStore with hash and block
// keys, used as its documentation shows: Get in the handler, Values
// holding one entry per field, Save after a change. Its codec is gob,
// the only one its map[interface{}]interface{} Values can use.
func gorillaStoreFlow(k *Keys, seen func(Session)) StoreFlow {
	store := sessions.NewCookieStore(k.HashKey, k.BlockKey)
	store.Options = &sessions.Options{
		Path: "/", MaxAge: int(Lifetime / time.Second),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	}
	want := Typical()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := store.Get(r, CookieName)
		if err != nil && r.URL.Path != pathLogin {
			http.Error(w, "bad session", http.StatusInternalServerError)
			return
		}
		if r.URL.Path == pathLogin {
			v := sess.Values
			v["uid"], v["email"], v["roles"], v["csrf"] = want.UserID, want.Email, want.Roles, want.CSRF
			v["created"], v["seen"], v["locale"] = want.CreatedAt, want.LastSeen, want.Locale
		}
		var s Session
		s.UserID, _ = sess.Values["uid"].(string)
		s.Email, _ = sess.Values["email"].(string)
		s.Roles, _ = sess.Values["roles"].([]string)
		s.CSRF, _ = sess.Values["csrf"].(string)
		s.CreatedAt, _ = sess.Values["created"].(int64)
		s.LastSeen, _ = sess.Values["seen"].(int64)
		s.Locale, _ = sess.Values["locale"].(string)
		if r.URL.Path == pathChange {
			s.LastSeen++
			sess.Values["seen"] = s.LastSeen
		}
		if r.URL.Path != pathRead {
			if err := sess.Save(r, w); err != nil {
				http.Error(w, "save failed", http.StatusInternalServerError)
				return
			}
		}
		if seen != nil {
			seen(s)
		}
		if s.UserID != want.UserID {
			http.Error(w, "wrong session", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	return StoreFlow{Name: "gorilla/sessions CookieStore (hash+block, gob)", Kind: KindGorilla, Handler: h, Login: loginVia(h)}
}

// harnessFlow runs the same requests through a handler with no session
// at all: the cost of httptest's request and recorder, which every
// store row includes.
func harnessFlow() StoreFlow {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	return StoreFlow{Name: "no session (request and recorder only)", Kind: KindBare, Handler: h,
		Login: func() (string, error) { return CookieName + "=x", nil }}
}

func loginVia(h http.Handler) func() (string, error) {
	return func() (string, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "https://example.com"+pathLogin, nil))
		if rec.Code != http.StatusOK {
			return "", errors.New("login request failed")
		}
		for _, c := range rec.Result().Cookies() {
			if c.Name == CookieName && c.Value != "" {
				return c.Name + "=" + c.Value, nil
			}
		}
		return "", errors.New("login set no session cookie")
	}
}

// Do sends one request with cookie to path and returns the recorder.
func (f StoreFlow) Do(path, cookie string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "https://example.com"+path, nil)
	r.Header.Set("Cookie", cookie)
	rec := httptest.NewRecorder()
	f.Handler.ServeHTTP(rec, r)
	return rec
}

// StoreFlows returns the store subjects: crumb (as configured by
// default, then with the Open cache off), gorilla, and the harness
// baseline. seen is passed to the stores' handlers (nil in benchmarks).
func StoreFlows(k *Keys, seen func(Session)) ([]StoreFlow, error) {
	c, err := crumbStoreFlow(k, seen, StoreCrumb)
	if err != nil {
		return nil, err
	}
	off, err := crumbStoreFlow(k, seen, StoreCrumbNoCache, encrypted.WithOpenCache(0))
	if err != nil {
		return nil, err
	}
	return []StoreFlow{c, off, gorillaStoreFlow(k, seen), harnessFlow()}, nil
}

func storeBench(f StoreFlow, path, cookie string, wantCookie bool) func(*testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rec := f.Do(path, cookie)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
			if wantCookie && len(rec.Header()["Set-Cookie"]) == 0 {
				b.Fatal("a changed session set no cookie")
			}
		}
	}
}

// StoreCases returns the cookie-store comparison, gorilla/sessions
// CookieStore against crumb's cookiestore, each request a fresh
// http.Request through the handler.
func StoreCases(k *Keys) ([]Case, string, error) {
	flows, err := StoreFlows(k, nil)
	if err != nil {
		return nil, "", err
	}
	var cs []Case
	for _, f := range flows {
		cookie, err := f.Login()
		if err != nil {
			return nil, "", err
		}
		cs = append(cs,
			Case{SectionStore, "", f.Name, f.Kind, OpUnchanged, storeBench(f, pathRead, cookie, false)},
			Case{SectionStore, "", f.Name, f.Kind, OpChanged, storeBench(f, pathChange, cookie, f.Kind != KindBare)},
		)
	}
	return cs, "", nil
}
