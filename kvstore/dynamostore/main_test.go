package dynamostore_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/kvstore/dynamostore"
)

// shared is the dynalite that the tests of this binary share, started on
// first use and stopped in TestMain. Fault tests start their own.
var shared struct {
	dir  string
	once sync.Once
	d    *servicetest.Dynalite
	err  error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dynamostore-services-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared.dir = dir
	code := m.Run()
	if shared.d != nil {
		shared.d.Stop()
	}
	if benchWebdis.w != nil {
		benchWebdis.w.Stop()
	}
	if benchWebdis.r != nil {
		benchWebdis.r.Stop()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// sharedDynalite returns the shared dynalite, with the table "sessions"
// created.
func sharedDynalite(t testing.TB) *servicetest.Dynalite {
	t.Helper()
	nm := servicetest.NodeModules(t)
	shared.once.Do(func() {
		shared.d, shared.err = servicetest.LaunchDynalite(shared.dir, nm)
		if shared.err == nil {
			shared.err = createTable(context.Background(), client(shared.d.URL), "sessions")
		}
	})
	if shared.err != nil {
		servicetest.Fail(t, shared.err)
	}
	return shared.d
}

// client returns an SDK client for the dynalite at url, configured as a
// user would configure one for DynamoDB, except for the endpoint and
// the static credentials dynalite accepts. Retries back off briefly, so
// that the fault tests do not wait the SDK's default backoff.
func client(url string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "dynalite-test-secret"}, nil
		}),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxBackoff = 50 * time.Millisecond
			o.RateLimiter = ratelimit.None
		}),
	})
}

// createTable creates a session table as docs/kvstore.md does, minus
// UpdateTimeToLive, which dynalite lacks (the store checks expiry
// itself, so the tests show it works without DynamoDB's deletion).
func createTable(ctx context.Context, c *dynamodb.Client, name string) error {
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		return fmt.Errorf("creating table %s: %w", name, err)
	}
	return waitTable(ctx, c, name)
}

// waitTable waits for a table to become ACTIVE, polling more often than
// the SDK waiter's default (20 s at first), which is tuned for DynamoDB.
func waitTable(ctx context.Context, c *dynamodb.Client, name string) error {
	w := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 500*time.Millisecond
	})
	return w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 30*time.Second)
}

func newStore(t testing.TB, url string, mod func(*dynamostore.Options)) *dynamostore.Store {
	t.Helper()
	opts := dynamostore.Options{Table: "sessions"}
	if mod != nil {
		mod(&opts)
	}
	s, err := dynamostore.New(client(url), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
