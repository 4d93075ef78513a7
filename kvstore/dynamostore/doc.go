// Package dynamostore is a kvstore.Store over an Amazon DynamoDB table,
// for server-side crumb sessions on AWS Lambda and other AWS origins.
//
// It is a module of its own, so that only programs which import it
// download and link the AWS SDK. It takes an SDK client, configured the
// usual way:
//
//	cfg, err := config.LoadDefaultConfig(ctx) // on Lambda: region and credentials from the environment
//	store, err := dynamostore.New(dynamodb.NewFromConfig(cfg), dynamostore.Options{Table: "crumb-sessions"})
//	backend := kvstore.NewBackend(store, kvstore.BackendOptions{})
//
// # Table layout
//
// One item per key: the partition key (KeyAttribute, "id", type S) is
// the prefix plus the key, which for sessions is the hex SHA-256 of the
// session ID (kvstore.SessionID.StoreKey), never the ID itself; the
// value (ValueAttribute, "v", type B); and the expiry in Unix seconds
// (TTLAttribute, "expires", type N), the attribute to enable DynamoDB's
// Time to Live on. The table has no sort key. See docs/kvstore.md for
// creating it with the SDK, the AWS CLI or CloudFormation.
//
// # Semantics
//
//   - Expiry is checked on every read and in every condition: DynamoDB's
//     TTL deletes expired items lazily (typically within days), so an
//     item past its expiry is treated as absent while it still exists.
//   - Reads are strongly consistent (ConsistentRead): an eventually
//     consistent read could still see a record that a logout deleted.
//   - SetIfAbsent and SetIfExists are PutItems with condition
//     expressions (attribute_not_exists, attribute_exists, and the
//     expiry), and Touch is a conditional UpdateItem of the expiry alone,
//     so kvstore.Sessions keeps a logout from ever being undone by a
//     concurrent request, as on Redis.
//   - Writes are sent with the SDK's retries turned off (an unanswered
//     write may or may not have happened, like every kvstore write);
//     reads use the client's retryer.
//   - Every error is a kvstore error (errors.Is with kvstore.ErrNotFound,
//     ErrUnavailable, ErrUnauthorized, ErrTimeout, ErrConfig, ...). Its
//     text carries DynamoDB's error code, never its message, a key or a
//     value. A missing table is kvstore.ErrConfig, so a wrong table name
//     is a 503 through kvstore.Backend, not everyone logged out.
package dynamostore
