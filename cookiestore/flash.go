package cookiestore

// FlashKeys returns the keys of the flashes the previous request left,
// sorted, so a page can show every message without knowing the keys
// in advance (with Flashes, FlashValues or AllFlashes).
func (s *Session[T]) FlashKeys() []string {
	keys := make([]string, 0, len(s.inFlash))
	for k := range s.inFlash {
		keys = append(keys, k)
	}
	// Insertion sort: a session holds a handful of flash keys, and
	// package sort would grow edge modules for nothing.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// AllFlashes decodes every flash the previous request left into values
// of type V, by key (V any takes whatever the Codec decodes: with JSON,
// strings, float64 numbers, maps). A value that does not decode as V
// is not skipped: the result holds the others and the error wraps
// ErrCodec.
func AllFlashes[V, T any](s *Session[T]) (map[string][]V, error) {
	out := make(map[string][]V, len(s.inFlash))
	var err error
	for k := range s.inFlash {
		vs, e := FlashValues[V](s, k)
		out[k] = vs
		if e != nil && err == nil {
			err = e
		}
	}
	return out, err
}

// ReflashExcept carries every flash this request received over to the
// next request, except those under keys.
func (s *Session[T]) ReflashExcept(keys ...string) {
	if s.kept == nil {
		s.kept = make(map[string]bool)
	}
	for k := range s.inFlash {
		s.kept[k] = true
	}
	for _, k := range keys {
		delete(s.kept, k)
	}
	s.keepAll = false
	s.gen++
}

// FlashForm flashes a submitted form (an http.Request's PostForm or
// Form: url.Values is a map[string][]string) under key, without the
// fields named in except, to fill the form again after a validation
// error, as Adonis's flashExcept(['password']) does:
//
//	s.FlashForm("form", r.PostForm, "password", "csrf")
//	// next request
//	old, _ := s.FlashedForm("form")
//
// Leave secrets (passwords, tokens) out with except: a flash is stored
// in the session like its data, so a signed-only cookie shows it to
// the client.
func (s *Session[T]) FlashForm(key string, form map[string][]string, except ...string) {
	kept := make(map[string][]string, len(form))
	for name, vals := range form {
		kept[name] = vals
	}
	for _, name := range except {
		delete(kept, name)
	}
	s.Flash(key, kept)
}

// FlashedForm returns the form the previous request flashed under key
// with FlashForm (nil when none), merged if it flashed several. An
// error wraps ErrCodec: a flash under key that is not a form.
func (s *Session[T]) FlashedForm(key string) (map[string][]string, error) {
	forms, err := FlashValues[map[string][]string](s, key)
	if len(forms) == 0 {
		return nil, err
	}
	out := forms[0]
	for _, f := range forms[1:] {
		if out == nil {
			// A flash of null decodes to a nil map.
			out = make(map[string][]string, len(f))
		}
		for name, vals := range f {
			out[name] = append(out[name], vals...)
		}
	}
	return out, err
}
