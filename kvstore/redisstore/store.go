package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"time"

	"github.com/crumbkit/crumb/kvstore"
	"github.com/redis/go-redis/v9"
)

// Options configures a Store.
type Options struct {
	// Client is the connection to Redis: a *redis.Client (one node), a
	// *redis.ClusterClient (Redis Cluster) or a Sentinel failover client,
	// configured with TLS, username and password as the deployment needs
	// (redis.ParseURL and redis.ParseClusterURL read them from a URL).
	// Required. The Store never closes it.
	//
	// Set ContextTimeoutEnabled in the client's options: without it
	// go-redis ignores context deadlines and waits for its own read and
	// write timeouts (3 s by default), so a Lambda's or a handler's
	// deadline would not bound a call to a stalled Redis. New refuses a
	// *redis.Client or *redis.ClusterClient that lacks it.
	Client redis.UniversalClient
	// Prefix is prepended to every key, to share one Redis between
	// applications. It must not contain '{' or '}': see Store.
	Prefix string
	// MaxValueBytes is the largest value accepted, on write and on read
	// (default 1 MiB). Redis's own limit is 512 MB.
	MaxValueBytes int
}

// Store is a kvstore.Store over a Redis client: one node, Cluster or
// Sentinel. It implements kvstore.Toucher and kvstore.ConditionalSetter,
// so kvstore.Sessions over it keeps a deleted session deleted against
// any concurrent request.
//
// Each operation is one command: GET; SET with EX for Set, and with XX
// or NX for SetIfExists and SetIfAbsent; DEL; EXPIRE for Touch. A Redis
// ACL user for the store needs exactly those commands on the prefix's
// keys: +get +set +del +expire ~<prefix>*, and +zadd +zrange +zrem for
// the per-user session index (kvstore.UserIndex; GetMulti pipelines
// GETs).
//
// Values are stored as one format byte (0x01) followed by the value,
// the layout kvstore.Webdis uses, so a value not written by crumb is
// recognised (ErrProtocol) rather than handed to the session decoder.
//
// A key that ends in a session's store key (64 lowercase hex digits, as
// kvstore.Sessions writes both a session's record and its revocation
// marker) has those digits in a Redis Cluster hash tag:
// "crumb:s:{<hash>}" and "crumb:s:r:{<hash>}". A session's record and
// its marker therefore share a hash slot: they live on the same primary
// and move together when slots are resharded, so a session is either
// wholly reachable or wholly not. This is why Prefix must not contain
// braces (Redis would take the first {...} as the tag); a prefix that
// does is refused.
//
// Errors are *kvstore.Error values: a missing key is ErrNotFound; a node
// that cannot be reached, a closed client, a cluster that is down
// (CLUSTERDOWN) or a Redis that is loading, read-only or out of memory
// is ErrUnavailable; WRONGPASS, NOAUTH and NOPERM are ErrUnauthorized;
// an ended context or a network timeout is ErrTimeout. Error texts
// carry the Redis error code and host:port, never a key or a value.
//
// Retries are the client's: go-redis retries a command after a network
// error (Options.MaxRetries, 3 by default). That is safe for these
// commands: a repeated SET, SET XX, DEL or EXPIRE has the same effect,
// and a repeated SET NX that finds its own first write reports "not
// stored", which kvstore.Sessions handles as a session that exists.
type Store struct {
	c      redis.UniversalClient
	prefix string
	maxVal int
}

var (
	_ kvstore.Store             = (*Store)(nil)
	_ kvstore.Toucher           = (*Store)(nil)
	_ kvstore.ConditionalSetter = (*Store)(nil)
)

// format is the byte that starts every value this store writes.
const format = 0x01

// storeName names this store in errors.
const storeName = "redis"

// New returns a Store over opts.Client. It does not contact Redis.
func New(opts Options) (*Store, error) {
	if opts.Client == nil {
		return nil, errors.New("redisstore: Options.Client is nil")
	}
	if !contextTimeouts(opts.Client) {
		return nil, errors.New("redisstore: the client ignores context deadlines; set ContextTimeoutEnabled: true in its options")
	}
	if strings.ContainsAny(opts.Prefix, "{}") {
		return nil, errors.New("redisstore: Options.Prefix must not contain '{' or '}' (Redis Cluster hash tags)")
	}
	if opts.MaxValueBytes <= 0 {
		opts.MaxValueBytes = 1 << 20
	}
	return &Store{c: opts.Client, prefix: opts.Prefix, maxVal: opts.MaxValueBytes}, nil
}

// contextTimeouts reports whether c honours context deadlines, for the
// client types whose options can be read.
func contextTimeouts(c redis.UniversalClient) bool {
	switch c := c.(type) {
	case *redis.Client:
		return c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	}
	return true
}

// sessionHashLen is the length of kvstore.SessionID.StoreKey.
const sessionHashLen = 64

// key returns the Redis key for key, after checking it like every
// kvstore store does.
func (s *Store) key(op, key string) (string, error) {
	full := s.prefix + key
	if key == "" {
		return "", kvstore.NewError(storeName, op, kvstore.ErrBadKey, "empty key", nil)
	}
	if len(full) > kvstore.MaxKeyLen {
		return "", kvstore.NewError(storeName, op, kvstore.ErrBadKey, "key longer than 512 bytes", nil)
	}
	if n := len(full); n >= sessionHashLen && isLowerHex(full[n-sessionHashLen:]) && !strings.ContainsAny(full[:n-sessionHashLen], "{}") {
		return full[:n-sessionHashLen] + "{" + full[n-sessionHashLen:] + "}", nil
	}
	return full, nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ttl rounds ttl up to whole seconds; Redis's EX takes seconds. It
// divides rather than adds: d plus a second would overflow for the
// longest TTLs and turn negative, which go-redis sends as no expiry
// at all (SET) or as one in the past (EXPIRE deletes the key).
func ttl(op string, d time.Duration) (time.Duration, error) {
	if d <= 0 {
		return 0, kvstore.NewError(storeName, op, kvstore.ErrBadTTL, "", nil)
	}
	secs := d / time.Second
	if d%time.Second != 0 && secs < math.MaxInt64/time.Second {
		secs++
	}
	return secs * time.Second, nil
}

// prepare checks key, value and TTL of a write before any network call.
func (s *Store) prepare(ctx context.Context, op, key string, value []byte, d time.Duration) (string, []byte, time.Duration, error) {
	k, err := s.key(op, key)
	if err != nil {
		return "", nil, 0, err
	}
	exp, err := ttl(op, d)
	if err != nil {
		return "", nil, 0, err
	}
	if len(value) > s.maxVal {
		return "", nil, 0, kvstore.NewError(storeName, op, kvstore.ErrTooLarge, fmt.Sprintf("value over %d bytes", s.maxVal), nil)
	}
	if err := ctxErr(ctx, op); err != nil {
		return "", nil, 0, err
	}
	v := make([]byte, 1+len(value))
	v[0] = format
	copy(v[1:], value)
	return k, v, exp, nil
}

// Get implements kvstore.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	const op = "get"
	k, err := s.key(op, key)
	if err != nil {
		return nil, err
	}
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	v, err := s.c.Get(ctx, k).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, kvstore.NewError(storeName, op, kvstore.ErrNotFound, "", nil)
	case err != nil:
		return nil, classify(ctx, op, err)
	case len(v) == 0 || v[0] != format:
		return nil, kvstore.NewError(storeName, op, kvstore.ErrProtocol, "value not written by crumb's stores", nil)
	case len(v)-1 > s.maxVal:
		return nil, kvstore.NewError(storeName, op, kvstore.ErrTooLarge, fmt.Sprintf("stored value over %d bytes", s.maxVal), nil)
	}
	return v[1:], nil
}

// Set implements kvstore.Store: SET key value EX ttl.
func (s *Store) Set(ctx context.Context, key string, value []byte, d time.Duration) error {
	const op = "set"
	k, v, exp, err := s.prepare(ctx, op, key, value, d)
	if err != nil {
		return err
	}
	if err := s.c.Set(ctx, k, v, exp).Err(); err != nil {
		return classify(ctx, op, err)
	}
	return nil
}

// SetIfExists implements kvstore.ConditionalSetter: SET ... XX EX ttl.
func (s *Store) SetIfExists(ctx context.Context, key string, value []byte, d time.Duration) (bool, error) {
	const op = "set"
	k, v, exp, err := s.prepare(ctx, op, key, value, d)
	if err != nil {
		return false, err
	}
	stored, err := s.c.SetXX(ctx, k, v, exp).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, classify(ctx, op, err)
	}
	return stored, nil
}

// SetIfAbsent implements kvstore.ConditionalSetter: SET ... NX EX ttl.
func (s *Store) SetIfAbsent(ctx context.Context, key string, value []byte, d time.Duration) (bool, error) {
	const op = "set"
	k, v, exp, err := s.prepare(ctx, op, key, value, d)
	if err != nil {
		return false, err
	}
	stored, err := s.c.SetNX(ctx, k, v, exp).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, classify(ctx, op, err)
	}
	return stored, nil
}

// Delete implements kvstore.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	const op = "delete"
	k, err := s.key(op, key)
	if err != nil {
		return err
	}
	if err := ctxErr(ctx, op); err != nil {
		return err
	}
	if err := s.c.Del(ctx, k).Err(); err != nil {
		return classify(ctx, op, err)
	}
	return nil
}

// Touch implements kvstore.Toucher: EXPIRE key ttl, ErrNotFound when
// the key is gone.
func (s *Store) Touch(ctx context.Context, key string, d time.Duration) error {
	const op = "touch"
	k, err := s.key(op, key)
	if err != nil {
		return err
	}
	exp, err := ttl(op, d)
	if err != nil {
		return err
	}
	if err := ctxErr(ctx, op); err != nil {
		return err
	}
	ok, err := s.c.Expire(ctx, k, exp).Result()
	switch {
	case err != nil:
		return classify(ctx, op, err)
	case !ok:
		return kvstore.NewError(storeName, op, kvstore.ErrNotFound, "", nil)
	}
	return nil
}

// ctxErr is ErrTimeout, wrapping ctx.Err(), once ctx has ended: an ended
// context never reaches Redis.
func ctxErr(ctx context.Context, op string) error {
	err := ctx.Err()
	if err == nil {
		return nil
	}
	detail := "context ended before the store answered"
	if errors.Is(err, context.Canceled) {
		detail = "context canceled"
	}
	return kvstore.NewError(storeName, op, kvstore.ErrTimeout, detail, err)
}

// classify turns a go-redis error into a *kvstore.Error. A Redis error
// reply keeps only its code (its first word): some replies, such as
// "ERR unknown command", quote the command's arguments, which hold the
// key.
func classify(ctx context.Context, op string, err error) error {
	if e := ctxErr(ctx, op); e != nil {
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return kvstore.NewError(storeName, op, kvstore.ErrTimeout, "context ended before the store answered", err)
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		code, _, _ := strings.Cut(strings.TrimSpace(rerr.Error()), " ")
		code = strings.ToUpper(code)
		return kvstore.NewError(storeName, op, replyKind(code), "Redis replied "+code, nil)
	}
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() || errors.Is(err, redis.ErrPoolTimeout) {
		return kvstore.NewError(storeName, op, kvstore.ErrTimeout, clientText(err), err)
	}
	// Refused or reset connections, a closed client, a cluster whose
	// slots this client cannot reach: the store is not serving.
	return kvstore.NewError(storeName, op, kvstore.ErrUnavailable, clientText(err), err)
}

// clientText is the text of a go-redis error that is not a Redis
// reply: a network error's (it names host and port) or one of
// go-redis's fixed errors. Any other text is withheld: go-redis quotes
// a reply it cannot parse ("redis: can't parse %q"), and a reply may
// hold a session's record, its ID first. The error still wraps err.
func clientText(err error) string {
	var nerr net.Error
	if errors.As(err, &nerr) || errors.Is(err, redis.ErrClosed) || errors.Is(err, redis.ErrPoolTimeout) || errors.Is(err, redis.ErrPoolExhausted) {
		return err.Error()
	}
	return "client error (its text is withheld: it may quote the reply)"
}

// replyKind classifies a Redis error reply by its code.
func replyKind(code string) error {
	switch code {
	case "LOADING", "OOM", "READONLY", "MISCONF", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "MOVED", "ASK":
		return kvstore.ErrUnavailable
	case "NOAUTH", "WRONGPASS", "NOPERM":
		return kvstore.ErrUnauthorized
	default:
		return kvstore.ErrProtocol
	}
}
