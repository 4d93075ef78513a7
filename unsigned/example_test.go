package unsigned_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/unsigned"
)

func ExampleNew() {
	// The client can write anything into an unsigned cookie, so the
	// validation function is the only defence: accept known shapes and
	// values only.
	validate := func(p []byte) error {
		var v struct {
			Theme string `json:"theme"`
		}
		if err := json.Unmarshal(p, &v); err != nil {
			return err
		}
		if v.Theme != "dark" && v.Theme != "light" {
			return errors.New("unknown theme")
		}
		return nil
	}
	s := unsigned.New(validate)

	value, _ := s.Seal("prefs", []byte(`{"theme":"dark"}`), time.Now().Add(24*time.Hour))
	opened, err := s.Open("prefs", value)
	fmt.Println(string(opened.Payload), err)

	bad, _ := s.Seal("prefs", []byte(`{"theme":"<script>"}`), time.Now().Add(24*time.Hour))
	_, err = s.Open("prefs", bad)
	fmt.Println(errors.Is(err, crumb.ErrInvalid))
	// Output:
	// {"theme":"dark"} <nil>
	// true
}
