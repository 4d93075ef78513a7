package dynamostore

import (
	"context"
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crumbkit/crumb/kvstore"
)

// API is the part of *dynamodb.Client the store uses, so that the
// client is configured the usual way (config.LoadDefaultConfig: on
// Lambda, credentials and region come from the environment) and so that
// a test can wrap it.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// Options configures a Store. Only Table is required.
type Options struct {
	// Table is the table's name (or ARN).
	Table string
	// KeyAttribute is the partition key, of type S (string); "id" when
	// empty. The table must have no sort key.
	KeyAttribute string
	// ValueAttribute holds the value, of type B (binary); "v" when empty.
	ValueAttribute string
	// TTLAttribute holds the expiry in Unix seconds, of type N; "expires"
	// when empty. Enable DynamoDB's Time to Live on this attribute so
	// that expired items are eventually removed; the store itself treats
	// an item as gone from the second it names, whether or not DynamoDB
	// has deleted it yet.
	TTLAttribute string
	// Prefix is prepended to every key, to share one table between
	// applications.
	Prefix string
	// MaxValueBytes is the largest value accepted. It defaults to, and
	// cannot exceed, what fits in DynamoDB's 400 KB item limit next to
	// the key and the attribute names. Larger values fail with
	// kvstore.ErrTooLarge before any request.
	MaxValueBytes int
	// Now is the clock that TTLs are computed from and expiry is checked
	// against; time.Now when nil. DynamoDB's own TTL deletion uses the
	// service's clock, which only ever deletes later, never earlier.
	Now func() time.Time
}

// maxItemBytes is DynamoDB's item size limit: attribute names plus
// values, 400 KB.
const maxItemBytes = 400 * 1024

// numberBytes bounds the size DynamoDB counts for the TTL number.
const numberBytes = 21

// Store is a kvstore.Store (and kvstore.Toucher and
// kvstore.ConditionalSetter) over a DynamoDB table. It is safe for
// concurrent use.
type Store struct {
	api                   API
	table                 string
	keyAttr, valAttr, ttl string
	prefix                string
	maxVal                int
	now                   func() time.Time
}

var (
	_ kvstore.Store             = (*Store)(nil)
	_ kvstore.Toucher           = (*Store)(nil)
	_ kvstore.ConditionalSetter = (*Store)(nil)
)

// New returns a Store over the table opts.Table reached through api. It
// does not contact DynamoDB.
func New(api API, opts Options) (*Store, error) {
	if api == nil {
		return nil, errors.New("dynamostore: nil client")
	}
	if opts.Table == "" {
		return nil, errors.New("dynamostore: Options.Table is empty")
	}
	s := &Store{api: api, table: opts.Table, keyAttr: opts.KeyAttribute, valAttr: opts.ValueAttribute,
		ttl: opts.TTLAttribute, prefix: opts.Prefix, now: opts.Now}
	if s.keyAttr == "" {
		s.keyAttr = "id"
	}
	if s.valAttr == "" {
		s.valAttr = "v"
	}
	if s.ttl == "" {
		s.ttl = "expires"
	}
	if s.keyAttr == s.valAttr || s.keyAttr == s.ttl || s.valAttr == s.ttl {
		return nil, errors.New("dynamostore: key, value and TTL attributes must have different names")
	}
	if s.now == nil {
		s.now = time.Now
	}
	room := maxItemBytes - len(s.keyAttr) - kvstore.MaxKeyLen - len(s.valAttr) - len(s.ttl) - numberBytes
	if len(opts.Prefix) >= kvstore.MaxKeyLen {
		return nil, errors.New("dynamostore: Prefix leaves no room for keys")
	}
	s.maxVal = opts.MaxValueBytes
	if s.maxVal <= 0 || s.maxVal > room {
		s.maxVal = room
	}
	return s, nil
}

func (s *Store) key(op, key string) (map[string]types.AttributeValue, error) {
	full := s.prefix + key
	switch {
	case key == "":
		return nil, newErr(op, kvstore.ErrBadKey, 0, "empty key", nil)
	case len(full) > kvstore.MaxKeyLen:
		return nil, newErr(op, kvstore.ErrBadKey, 0, "key longer than 512 bytes", nil)
	case !utf8.ValidString(full):
		// The partition key is a DynamoDB string, which must be UTF-8.
		// Session keys are hex.
		return nil, newErr(op, kvstore.ErrBadKey, 0, "key is not valid UTF-8", nil)
	}
	return map[string]types.AttributeValue{s.keyAttr: &types.AttributeValueMemberS{Value: full}}, nil
}

// ttlSeconds rounds ttl up to whole seconds.
func ttlSeconds(op string, ttl time.Duration) (int64, error) {
	if ttl <= 0 {
		return 0, newErr(op, kvstore.ErrBadTTL, 0, "", nil)
	}
	secs := int64(ttl / time.Second)
	if ttl%time.Second != 0 {
		secs++
	}
	return secs, nil
}

func num(n int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// Get implements kvstore.Store with a strongly consistent GetItem: an
// eventually consistent read could return a record that a logout has
// just deleted. An item whose expiry has passed is not found, even
// while DynamoDB's TTL has not yet deleted it.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	k, err := s.key("get", key)
	if err != nil {
		return nil, err
	}
	if err := ctxErr("get", ctx); err != nil {
		return nil, err
	}
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                &s.table,
		Key:                      k,
		ConsistentRead:           ptr(true),
		ProjectionExpression:     ptr("#v, #t"),
		ExpressionAttributeNames: map[string]string{"#v": s.valAttr, "#t": s.ttl},
	})
	if err != nil {
		return nil, classify("get", ctx, err)
	}
	if out.Item == nil {
		return nil, newErr("get", kvstore.ErrNotFound, 0, "", nil)
	}
	exp, ok := out.Item[s.ttl].(*types.AttributeValueMemberN)
	if !ok {
		return nil, newErr("get", kvstore.ErrProtocol, 0, "item has no expiry number (not written by dynamostore)", nil)
	}
	secs, err := strconv.ParseInt(exp.Value, 10, 64)
	if err != nil {
		return nil, newErr("get", kvstore.ErrProtocol, 0, "item's expiry is not an integer", nil)
	}
	if secs <= s.now().Unix() {
		return nil, newErr("get", kvstore.ErrNotFound, 0, "", nil)
	}
	v, ok := out.Item[s.valAttr].(*types.AttributeValueMemberB)
	if !ok {
		return nil, newErr("get", kvstore.ErrProtocol, 0, "item has no binary value (not written by dynamostore)", nil)
	}
	if len(v.Value) > s.maxVal {
		return nil, newErr("get", kvstore.ErrTooLarge, 0, "stored value over the configured limit", nil)
	}
	if v.Value == nil {
		return []byte{}, nil
	}
	return v.Value, nil
}

// Set implements kvstore.Store with an unconditional PutItem.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := s.put(ctx, key, value, ttl, "")
	return err
}

// SetIfExists implements kvstore.ConditionalSetter: a PutItem that
// writes only over an item that exists and has not expired.
func (s *Store) SetIfExists(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return s.put(ctx, key, value, ttl, "attribute_exists(#k) AND #t > :now")
}

// SetIfAbsent implements kvstore.ConditionalSetter: a PutItem that
// writes only when there is no item, or only an expired one that
// DynamoDB's TTL has not yet deleted.
func (s *Store) SetIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return s.put(ctx, key, value, ttl, "attribute_not_exists(#k) OR #t <= :now")
}

func (s *Store) put(ctx context.Context, key string, value []byte, ttl time.Duration, cond string) (bool, error) {
	k, err := s.key("set", key)
	if err != nil {
		return false, err
	}
	secs, err := ttlSeconds("set", ttl)
	if err != nil {
		return false, err
	}
	if len(value) > s.maxVal {
		return false, newErr("set", kvstore.ErrTooLarge, 0, "value over the item size limit", nil)
	}
	if err := ctxErr("set", ctx); err != nil {
		return false, err
	}
	now := s.now().Unix()
	item := k
	if value == nil {
		value = []byte{}
	}
	item[s.valAttr] = &types.AttributeValueMemberB{Value: value}
	item[s.ttl] = num(now + secs)
	in := &dynamodb.PutItemInput{TableName: &s.table, Item: item}
	if cond != "" {
		in.ConditionExpression = &cond
		in.ExpressionAttributeNames = map[string]string{"#k": s.keyAttr, "#t": s.ttl}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":now": num(now)}
	}
	_, err = s.api.PutItem(ctx, in, noRetry)
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return true, nil
	case cond != "" && errors.As(err, &ccf):
		return false, nil
	}
	return false, classify("set", ctx, err)
}

// Delete implements kvstore.Store. Deleting a missing key is not an
// error.
func (s *Store) Delete(ctx context.Context, key string) error {
	k, err := s.key("delete", key)
	if err != nil {
		return err
	}
	if err := ctxErr("delete", ctx); err != nil {
		return err
	}
	if _, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: k}, noRetry); err != nil {
		return classify("delete", ctx, err)
	}
	return nil
}

// Touch implements kvstore.Toucher: an UpdateItem of the expiry alone,
// conditional on the item existing and not having expired, so a touch
// never brings back a deleted or expired session. A missing item is
// kvstore.ErrNotFound.
func (s *Store) Touch(ctx context.Context, key string, ttl time.Duration) error {
	k, err := s.key("touch", key)
	if err != nil {
		return err
	}
	secs, err := ttlSeconds("touch", ttl)
	if err != nil {
		return err
	}
	if err := ctxErr("touch", ctx); err != nil {
		return err
	}
	now := s.now().Unix()
	_, err = s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       k,
		UpdateExpression:          ptr("SET #t = :exp"),
		ConditionExpression:       ptr("attribute_exists(#k) AND #t > :now"),
		ExpressionAttributeNames:  map[string]string{"#k": s.keyAttr, "#t": s.ttl},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": num(now), ":exp": num(now + secs)},
	}, noRetry)
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ccf):
		return newErr("touch", kvstore.ErrNotFound, 0, "", nil)
	}
	return classify("touch", ctx, err)
}

// noRetry turns off the SDK's retries for one write: kvstore's stores
// never retry writes (a write whose answer was lost may or may not have
// happened, and a conditional write retried after it did would report
// that its condition failed).
func noRetry(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }

func ptr[T any](v T) *T { return &v }
