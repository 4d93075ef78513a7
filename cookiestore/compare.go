package cookiestore

import (
	"encoding"
	"encoding/json"
	"reflect"
)

// plainType reports whether two values of t that compare equal field by
// field (plainEqual) always have the same JSON encoding. That holds for
// booleans, integers, strings, and arrays and structs of them, with no
// custom marshaling anywhere. It excludes:
//   - pointers, interfaces, maps, slices, channels and functions, whose
//     contents are not part of the value;
//   - floats, since 0 and -0 compare equal yet encode differently (and
//     NaN never compares equal);
//   - any type with a MarshalJSON or MarshalText method, whose output
//     need not depend on the value alone.
//
// For such types Commit and the middleware tell whether the handler
// changed the data by comparing with a copy taken at load, and encode
// only when it differs; other types are encoded and compared with the
// loaded bytes on every request.
func plainType(t reflect.Type) bool {
	// reflect.New(t).Interface() is a *t, whose method set holds the
	// methods of both t and *t.
	switch reflect.New(t).Interface().(type) {
	case json.Marshaler, encoding.TextMarshaler:
		return false
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	case reflect.Array:
		return plainType(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if !plainType(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// plainEqual compares two values of a type plainType or cloneType
// accepted. It reads
// unexported fields too (without Interface, which reflect forbids for
// them): a change there is then caught by the encoding that follows.
func plainEqual(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.String:
		return a.String() == b.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.Slice:
		// Only for cloneType values: nil and empty encode differently.
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		fallthrough
	case reflect.Array:
		for i := 0; i < a.Len(); i++ {
			if !plainEqual(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !plainEqual(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return false
}
