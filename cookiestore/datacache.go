package cookiestore

import (
	"encoding"
	"encoding/json"
	"reflect"
	"sync"
	"unsafe"
)

// DefaultDecodeCache is the number of decoded session values a Store
// keeps unless Options.DecodeCache says otherwise.
const DefaultDecodeCache = 1024

// maxDecodeCache bounds Options.DecodeCache.
const maxDecodeCache = 1 << 20

// maxDecodeCacheData is the largest encoded data the decode cache
// keeps, so that a full cache stays within a few MiB whatever the
// sessions hold.
const maxDecodeCacheData = 2048

// decodeShards is the most shards a decode cache uses.
const decodeShards = 8

// decodeCache maps the encoding of session data (the bytes inside an
// authenticated record) to the value JSONCodec decoded it to, so that
// a request carrying data an earlier request decoded copies the value
// instead of decoding it, and later tells whether the handler changed
// it by comparing with that value instead of encoding. A decode is a
// function of the bytes alone for the types that qualify (cloneType),
// so a hit gives what a decode would.
//
// The values in the cache are frozen: they are only ever copied from,
// deep enough (cloneSlices) that no handler can reach them. Entries are
// only added for a record the sealer authenticated (or, with a
// server-side Backend, the record an authenticated cookie names), so
// filling the cache takes genuine cookies. Like encrypted's Open cache it is bounded
// and evicts with CLOCK: data presented again survives data seen once.
//
// It holds each value as an unsafe.Pointer to the Store's *T, and the
// Store reaches it through dataCache: only JSONCodec.jsonShortcuts
// makes one, so a module whose Codec is not JSONCodec (the edge gate)
// links none of it.
type decodeCache struct {
	shards []decodeShard
}

// dataCache is the decode cache as the Store calls it.
type dataCache interface {
	// get returns the frozen *T data decoded to, or nil.
	get(data []byte) unsafe.Pointer
	// put adds the *T data decoded to, which nothing else may
	// reference, unless data is too large to keep.
	put(data []byte, v unsafe.Pointer)
}

type decodeShard struct {
	mu    sync.Mutex
	index map[string]int
	slots []decodeSlot
	hand  int
}

type decodeSlot struct {
	key  string
	v    unsafe.Pointer
	used bool
}

func newDecodeCache(n int) *decodeCache {
	ns := min(n, decodeShards)
	c := &decodeCache{shards: make([]decodeShard, ns)}
	for i := range c.shards {
		size := n / ns
		if i < n%ns {
			size++
		}
		c.shards[i].index = make(map[string]int, size)
		c.shards[i].slots = make([]decodeSlot, 0, size)
	}
	return c
}

// shard picks a shard from the data's length and last bytes, which
// differ between sessions more than their first bytes (field names).
func (c *decodeCache) shard(data []byte) *decodeShard {
	h := uint32(2166136261) ^ uint32(len(data))
	for _, b := range data[max(0, len(data)-16):] {
		h = (h ^ uint32(b)) * 16777619
	}
	return &c.shards[h%uint32(len(c.shards))]
}

func (c *decodeCache) get(data []byte) unsafe.Pointer {
	sh := c.shard(data)
	sh.mu.Lock()
	var v unsafe.Pointer
	// The map does not keep the lookup key, so viewing data as a string
	// without a copy is safe.
	if i, ok := sh.index[unsafe.String(unsafe.SliceData(data), len(data))]; ok {
		sh.slots[i].used = true
		v = sh.slots[i].v
	}
	sh.mu.Unlock()
	return v
}

func (c *decodeCache) put(data []byte, v unsafe.Pointer) {
	if len(data) > maxDecodeCacheData {
		return
	}
	sh := c.shard(data)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.index[string(data)]; ok {
		return
	}
	key := string(data)
	if len(sh.slots) < cap(sh.slots) {
		sh.index[key] = len(sh.slots)
		sh.slots = append(sh.slots, decodeSlot{key: key, v: v})
		return
	}
	for sh.slots[sh.hand].used {
		sh.slots[sh.hand].used = false
		sh.hand = (sh.hand + 1) % len(sh.slots)
	}
	old := &sh.slots[sh.hand]
	delete(sh.index, old.key)
	*old = decodeSlot{key: key, v: v}
	sh.index[key] = sh.hand
	sh.hand = (sh.hand + 1) % len(sh.slots)
}

// dataOps compares and copies values of the session data type, given
// as addressable reflect.Values, for JSONCodec's shortcuts: field by
// field comparison of plain types (see plainType) and the decode
// cache's copies. Only JSONCodec.jsonShortcuts makes one (reflectOps),
// so the reflection behind it is linked only into modules that use
// JSONCodec.
type dataOps interface {
	// equal compares a and b with plainEqual.
	equal(a, b reflect.Value) bool
	// isZero reports whether v is its type's zero value.
	isZero(v reflect.Value) bool
	// cloneSlices gives v copies of the slices it holds (cloneSlices).
	cloneSlices(v reflect.Value)
}

// reflectOps is dataOps; slices is set when the type holds slices
// (hasSlice), which cloneSlices then copies.
type reflectOps struct {
	slices bool
}

func (reflectOps) equal(a, b reflect.Value) bool { return plainEqual(a, b) }

func (reflectOps) isZero(v reflect.Value) bool { return v.IsZero() }

func (o reflectOps) cloneSlices(v reflect.Value) {
	if o.slices {
		cloneSlices(v)
	}
}

// cloneType reports whether values of t can live in the decode cache:
// JSONCodec decodes them as a function of the bytes alone, cloneSlices
// copies them so that no memory is shared, and two of them that
// valuesEqual calls equal encode the same. That holds for booleans,
// integers, strings, and arrays, slices and structs of them, with no
// custom (un)marshaling anywhere, and no slice in an unexported field
// (which reflect cannot replace). It excludes pointers, maps and
// interfaces, whose decode reuses or shares memory, and floats (0 and
// -0 compare equal yet encode differently).
func cloneType(t reflect.Type) bool {
	switch reflect.New(t).Interface().(type) {
	case json.Marshaler, encoding.TextMarshaler, json.Unmarshaler, encoding.TextUnmarshaler:
		return false
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	case reflect.Array, reflect.Slice:
		return cloneType(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !cloneType(f.Type) || !f.IsExported() && hasSlice(f.Type) {
				return false
			}
		}
		return true
	}
	return false
}

// hasSlice reports whether values of t (a cloneType) hold a slice.
func hasSlice(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice:
		return true
	case reflect.Array:
		return hasSlice(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if hasSlice(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// cloneSlices replaces every slice in v (addressable, of a cloneType,
// so every slice in it is reachable through exported fields, just
// assigned from another value) with a copy, so that v shares no
// memory with the value it was assigned from. Strings are immutable and
// stay shared.
func cloneSlices(v reflect.Value) {
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		// The common element types without reflect.MakeSlice, which
		// allocates the slice header as well as the array. A slice of
		// length 0 stays non-nil (nil and empty encode differently).
		switch p := v.Addr().Interface().(type) {
		case *[]string:
			*p = append((*p)[:0:0], *p...)
			return
		case *[]byte:
			*p = append((*p)[:0:0], *p...)
			return
		case *[]int:
			*p = append((*p)[:0:0], *p...)
			return
		case *[]int64:
			*p = append((*p)[:0:0], *p...)
			return
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(n, v)
		if hasSlice(v.Type().Elem()) {
			for i := 0; i < n.Len(); i++ {
				cloneSlices(n.Index(i))
			}
		}
		v.Set(n)
	case reflect.Array:
		if hasSlice(v.Type().Elem()) {
			for i := 0; i < v.Len(); i++ {
				cloneSlices(v.Index(i))
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); hasSlice(f.Type()) {
				cloneSlices(f)
			}
		}
	}
}
