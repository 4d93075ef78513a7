package keys_test

import (
	"bytes"
	"fmt"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed448"
)

func ExampleParseRing() {
	// As read from SESSION_KEYS: the new primary first, then the key
	// it replaced, which still opens existing cookies.
	ring, err := keys.ParseRing("SESSION_KEYS=K0vx1XybWsc4iiA8r-kyTTeKv7gs2Ad9nFnd8dH-LIo,7AHJOKrXJ7ktN-aILgZDnLFfjYUUyxVG4ZGQpjdNHTE")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ring.Len(), "keys")
	fmt.Println(ring) // key IDs only, never the keys

	_, err = keys.ParseRing("SESSION_KEYS=c2hvcnQ")
	fmt.Println(err) // the position, never the text
	// Output:
	// 2 keys
	// keys.Ring[da259a21(primary) b6638bad]
	// keys: a key must be exactly 32 bytes (got 5 bytes) (key 1)
}

func ExampleRing_Rotate() {
	old, _ := keys.ParseRing("K0vx1XybWsc4iiA8r-kyTTeKv7gs2Ad9nFnd8dH-LIo,7AHJOKrXJ7ktN-aILgZDnLFfjYUUyxVG4ZGQpjdNHTE")
	// keygen does this with crypto/rand; a fixed reader keeps the
	// example's output stable.
	fresh, _ := keys.Generate(bytes.NewReader(bytes.Repeat([]byte("0123456789abcdef"), 2)))
	// The fresh key seals from now on; keep one old key so cookies it
	// sealed still open (and are re-sealed) until they expire.
	ring, err := old.Rotate(fresh, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ring)
	// Output:
	// keys.Ring[422617ad(primary) da259a21]
}

func ExampleGeneratePrivateKey() {
	// At the origin: a private ring signs. Generate reads crypto/rand.
	k, err := keys.GeneratePrivateKey(ed448.Scheme(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	private, _ := keys.NewPrivateRing(k)

	// At the edge: only the public ring, as text in an environment
	// variable. It verifies sessions but can never mint one.
	text := private.Public().Export()
	public, err := keys.ParsePublicRing(ed448.Scheme(), text)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(public.Primary().ID() == private.Primary().ID())
	fmt.Println(text[:len("ed448-public:")])
	// Output:
	// true
	// ed448-public:
}
