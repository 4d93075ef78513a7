package cookiestore

import "reflect"

// newDataFunc returns what fills a new session's Data: a made map when
// T is a map type (so that the first write to it cannot panic on a
// nil map), then Options.NewData. It returns nil when there is nothing
// to do, and a new session's Data stays T's zero value.
func newDataFunc[T any](newData func(*T)) func(*T) {
	isMap := reflect.TypeFor[T]().Kind() == reflect.Map
	if !isMap && newData == nil {
		return nil
	}
	return func(d *T) {
		if isMap {
			v := reflect.ValueOf(d).Elem()
			v.Set(reflect.MakeMap(v.Type()))
		}
		if newData != nil {
			newData(d)
		}
	}
}

// initNew fills a new session's Data and takes its encoding as the
// session's baseline, so that a request that only reads the defaults
// sends no Set-Cookie: only a change from them is saved.
func (st *Store[T]) initNew(s *Session[T]) {
	if st.initData == nil {
		return
	}
	st.initData(&s.Data)
	s.setFresh()
	s.loadedData = s.fresh
	if st.plain {
		s.base = s.Data
	}
}

// setFresh records the encoding of the freshly filled Data.
func (s *Session[T]) setFresh() {
	b, err := s.codec().Marshal(&s.Data)
	if err != nil {
		// Commit reports it as ErrCodec rather than save a session
		// whose defaults cannot be encoded.
		if s.encErr == nil {
			s.encErr = err
		}
		return
	}
	s.fresh = b
}

// fixMap makes a loaded map-typed Data that decoded to nil (a record
// holding null) a usable empty map.
func (st *Store[T]) fixMap(s *Session[T]) {
	if st.initData == nil {
		return
	}
	if v := reflect.ValueOf(&s.Data).Elem(); v.Kind() == reflect.Map && v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
}

// isFresh reports whether a new or destroyed session's Data is still
// what it started with: T's zero value, or what NewData filled in.
func (st *Store[T]) isFresh(s *Session[T]) (bool, []byte, error) {
	if s.fresh == nil {
		same, err := st.sameData(&s.Data, &st.zero, st.zeroData)
		return same, st.zeroData, err
	}
	b, err := st.cfg.Codec.Marshal(&s.Data)
	if err != nil {
		return false, nil, err
	}
	return string(b) == string(s.fresh), s.fresh, nil
}
