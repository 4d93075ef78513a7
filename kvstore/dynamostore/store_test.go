package dynamostore_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/dynamostore"
	"github.com/crumbkit/crumb/kvstore/kvstoretest"
)

// TestSuite runs kvstore's shared conformance, revocation and fault
// tests against dynalite. The faults stop dynalite mid-run (SIGKILL)
// and start it again on the same port with its data.
func TestSuite(t *testing.T) {
	d := servicetest.StartDynalite(t)
	if err := createTable(context.Background(), client(d.URL), "sessions"); err != nil {
		t.Fatal(err)
	}
	kvstoretest.Run(t, kvstoretest.Harness{
		New:    func(t *testing.T) kvstore.Store { return newStore(t, d.URL, nil) },
		Prefix: "suite:",
		Caps:   kvstoretest.Caps{Touch: true, Conditional: true},
		Stop:   func(t *testing.T) { d.Kill() },
		Start: func(t *testing.T) {
			if err := d.Restart(); err != nil {
				t.Fatal(err)
			}
		},
	})
}

// clock is a settable clock, for expiry tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// rawItem reads an item behind the store's back.
func rawItem(t *testing.T, c *dynamodb.Client, key string) map[string]types.AttributeValue {
	t.Helper()
	out, err := c.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String("sessions"), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: key}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

// TestExpiryWithoutTTLDeletion: DynamoDB's TTL deletes expired items
// lazily (dynalite never does), so the store must treat an item past
// its expiry as gone on every read and in every condition.
func TestExpiryWithoutTTLDeletion(t *testing.T) {
	d := sharedDynalite(t)
	ctx := context.Background()
	clk := &clock{now: time.Now()}
	s := newStore(t, d.URL, func(o *dynamostore.Options) { o.Prefix = "expiry:"; o.Now = clk.Now })
	c := client(d.URL)

	if err := s.Set(ctx, "k", []byte("v"), 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	item := rawItem(t, c, "expiry:k")
	want := clk.Now().Unix() + 2 // rounded up to whole seconds
	if n, ok := item["expires"].(*types.AttributeValueMemberN); !ok || n.Value != strconv.FormatInt(want, 10) {
		t.Fatalf("expires attribute %#v, want %d (Unix seconds, TTL rounded up)", item["expires"], want)
	}
	if v, ok := item["v"].(*types.AttributeValueMemberB); !ok || string(v.Value) != "v" {
		t.Fatalf("value attribute %#v, want binary \"v\"", item["v"])
	}
	clk.Add(2 * time.Second)
	if rawItem(t, c, "expiry:k") == nil {
		t.Fatal("dynalite deleted the item: this test needs an item past its expiry that still exists")
	}
	if _, err := s.Get(ctx, "k"); !errors.Is(err, kvstore.ErrNotFound) {
		t.Fatalf("Get past expiry: %v, want ErrNotFound", err)
	}
	if err := s.Touch(ctx, "k", time.Hour); !errors.Is(err, kvstore.ErrNotFound) {
		t.Fatalf("Touch past expiry: %v, want ErrNotFound (an expired session is not renewed)", err)
	}
	if ok, err := s.SetIfExists(ctx, "k", []byte("w"), time.Hour); err != nil || ok {
		t.Fatalf("SetIfExists past expiry: %v, %v; want false, nil", ok, err)
	}
	if ok, err := s.SetIfAbsent(ctx, "k", []byte("new"), time.Hour); err != nil || !ok {
		t.Fatalf("SetIfAbsent over an expired item: %v, %v; want true, nil", ok, err)
	}
	if got, err := s.Get(ctx, "k"); err != nil || string(got) != "new" {
		t.Fatalf("Get after SetIfAbsent: %q, %v", got, err)
	}
}

// TestStoredLayout: the table holds the prefixed hash of a session ID,
// never the ID, in the documented attributes, and foreign items are
// refused rather than taken for sessions.
func TestStoredLayout(t *testing.T) {
	d := sharedDynalite(t)
	ctx := context.Background()
	c := client(d.URL)
	s := newStore(t, d.URL, func(o *dynamostore.Options) { o.Prefix = "layout:" })
	ss := kvstore.NewSessions(s)
	id := kvstore.NewSessionID()
	if err := ss.Save(ctx, id, []byte("data"), time.Hour); err != nil {
		t.Fatal(err)
	}
	item := rawItem(t, c, "layout:crumb:s:"+id.StoreKey())
	if item == nil {
		t.Fatal("no item under prefix + Sessions.Prefix + StoreKey")
	}
	if len(item) != 3 {
		t.Errorf("item has attributes %v, want id, v, expires", attrNames(item))
	}
	for name, v := range item {
		if s, ok := v.(*types.AttributeValueMemberS); ok && strings.Contains(s.Value, id.Encode()) {
			t.Errorf("attribute %s holds the session ID", name)
		}
	}

	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("sessions"), Item: map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: "layout:foreign"}, "v": &types.AttributeValueMemberS{Value: "text"},
		"expires": &types.AttributeValueMemberN{Value: "99999999999"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "foreign"); !errors.Is(err, kvstore.ErrProtocol) {
		t.Errorf("Get of an item with a string value: %v, want ErrProtocol", err)
	}
	if _, err := s.Get(ctx, "bad\xffkey"); !errors.Is(err, kvstore.ErrBadKey) {
		t.Errorf("Get of a key that is not UTF-8: %v, want ErrBadKey", err)
	}
}

// TestMisconfiguredAndTooLarge: a missing table is ErrConfig (a 503
// through Backend, not a logout), and values over the item limit are
// refused before sending.
func TestMisconfiguredAndTooLarge(t *testing.T) {
	d := sharedDynalite(t)
	ctx := context.Background()
	wrong := newStore(t, d.URL, func(o *dynamostore.Options) { o.Table = "no-such-table" })
	_, err := wrong.Get(ctx, "k")
	if !errors.Is(err, kvstore.ErrConfig) || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Fatalf("Get from a missing table: %v, want ErrConfig naming ResourceNotFoundException", err)
	}
	if err := wrong.Set(ctx, "k", []byte("secret-value"), time.Minute); !errors.Is(err, kvstore.ErrConfig) {
		t.Fatalf("Set to a missing table: %v, want ErrConfig", err)
	}

	s := newStore(t, d.URL, nil)
	err = s.Set(ctx, "big", make([]byte, 400*1024), time.Minute)
	if !errors.Is(err, kvstore.ErrTooLarge) {
		t.Fatalf("400 KiB value: %v, want ErrTooLarge", err)
	}
	if err := s.Set(ctx, "fits", make([]byte, 390*1024), time.Minute); err != nil {
		t.Fatalf("390 KiB value: %v", err)
	}
	small := newStore(t, d.URL, func(o *dynamostore.Options) { o.MaxValueBytes = 100 })
	if _, err := small.Get(ctx, "fits"); !errors.Is(err, kvstore.ErrTooLarge) {
		t.Fatalf("reading a value over MaxValueBytes: %v, want ErrTooLarge", err)
	}
	for _, o := range []dynamostore.Options{{}, {Table: "t", KeyAttribute: "x", TTLAttribute: "x"}, {Table: "t", Prefix: strings.Repeat("p", 512)}} {
		if _, err := dynamostore.New(client(d.URL), o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

// TestErrorsHoldNoSecrets: the store's errors carry DynamoDB's error
// code, never a key or a value, even when DynamoDB's message quotes
// them.
func TestErrorsHoldNoSecrets(t *testing.T) {
	d := sharedDynalite(t)
	ctx := context.Background()
	// A table whose key is a number: every string key is a validation
	// error, whose message names the key attribute and type.
	c := client(d.URL)
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("numeric"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeN}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := waitTable(ctx, c, "numeric"); err != nil {
		t.Fatal(err)
	}
	s := newStore(t, d.URL, func(o *dynamostore.Options) { o.Table = "numeric" })
	key := kvstore.NewSessionID().StoreKey()
	err = s.Set(ctx, key, []byte("s3cr3t-value"), time.Minute)
	if !errors.Is(err, kvstore.ErrProtocol) {
		t.Fatalf("Set with a key of the wrong type: %v, want ErrProtocol", err)
	}
	for _, secret := range []string{key, "s3cr3t-value", "dynalite-test-secret"} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error %q holds a key, value or credential", err)
		}
	}
}

func attrNames(m map[string]types.AttributeValue) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// recorder wraps the SDK client and keeps what each call asked for.
type recorder struct {
	*dynamodb.Client
	mu       sync.Mutex
	reads    []*dynamodb.GetItemInput
	attempts map[string][]int // per write operation: RetryMaxAttempts after its options
}

func (r *recorder) note(op string, optFns []func(*dynamodb.Options)) {
	var o dynamodb.Options
	for _, f := range optFns {
		f(&o)
	}
	r.mu.Lock()
	r.attempts[op] = append(r.attempts[op], o.RetryMaxAttempts)
	r.mu.Unlock()
}

func (r *recorder) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.mu.Lock()
	r.reads = append(r.reads, in)
	r.mu.Unlock()
	return r.Client.GetItem(ctx, in, optFns...)
}

func (r *recorder) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	r.note("put", optFns)
	return r.Client.PutItem(ctx, in, optFns...)
}

func (r *recorder) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.note("update", optFns)
	return r.Client.UpdateItem(ctx, in, optFns...)
}

func (r *recorder) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	r.note("delete", optFns)
	return r.Client.DeleteItem(ctx, in, optFns...)
}

// TestRequestsSent: what dynalite cannot show. Every read is strongly
// consistent (dynalite's reads always are, DynamoDB's are not unless
// asked), and every write goes out with the SDK's retries off.
func TestRequestsSent(t *testing.T) {
	d := sharedDynalite(t)
	ctx := context.Background()
	rec := &recorder{Client: client(d.URL), attempts: map[string][]int{}}
	s, err := dynamostore.New(rec, dynamostore.Options{Table: "sessions", Prefix: "sent:"})
	if err != nil {
		t.Fatal(err)
	}
	ss := kvstore.NewSessions(s)
	id := kvstore.NewSessionID()
	if err := ss.Save(ctx, id, []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := ss.Refresh(ctx, id, []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ss.Load(ctx, id.Encode()); err != nil {
		t.Fatal(err)
	}
	if err := ss.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := ss.Save(ctx, id, []byte("v"), time.Hour); !errors.Is(err, kvstore.ErrNotFound) {
		t.Fatalf("Save after Delete: %v", err)
	}
	if len(rec.reads) < 2 {
		t.Fatalf("%d reads, want the record's and the tombstone's", len(rec.reads))
	}
	for _, in := range rec.reads {
		if in.ConsistentRead == nil || !*in.ConsistentRead {
			t.Fatalf("GetItem without ConsistentRead: %+v", in)
		}
	}
	for _, op := range []string{"put", "update", "delete"} {
		if len(rec.attempts[op]) == 0 {
			t.Fatalf("no %s sent", op)
		}
		for _, n := range rec.attempts[op] {
			if n != 1 {
				t.Fatalf("%s sent with RetryMaxAttempts %d, want 1 (writes are never retried)", op, n)
			}
		}
	}
}
