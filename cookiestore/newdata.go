package cookiestore

import (
	"reflect"
	"unsafe"
)

// newDataFunc returns what fills a new session's Data: a made map when
// T is a map type (so that the first write to it cannot panic on a
// nil map), then Options.NewData. It returns nil when there is nothing
// to do, and a new session's Data stays T's zero value.
func newDataFunc[T any](newData func(*T)) func(*T) {
	mt := mapType[T]()
	if mt == nil && newData == nil {
		return nil
	}
	return func(d *T) {
		if mt != nil {
			makeMap(mt, unsafe.Pointer(d))
		}
		if newData != nil {
			newData(d)
		}
	}
}

// mapType returns T when T is a map type, else nil.
func mapType[T any]() reflect.Type {
	if t := reflect.TypeFor[T](); t.Kind() == reflect.Map {
		return t
	}
	return nil
}

// makeMap stores a new empty map of the map type t in the variable of
// type t that p points to. A map value is a single pointer, the one
// reflect.Value.UnsafePointer returns (in Go and TinyGo alike), so it
// is stored as one; reflect.Value.Set would do the same after checks
// that link some 40 KB of reflection (assignability, method values)
// into every store, map-typed or not, the edge gate's included.
func makeMap(t reflect.Type, p unsafe.Pointer) {
	*(*unsafe.Pointer)(p) = reflect.MakeMap(t).UnsafePointer()
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
	if st.mapType != nil && *(*unsafe.Pointer)(unsafe.Pointer(&s.Data)) == nil {
		makeMap(st.mapType, unsafe.Pointer(&s.Data))
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
