package dynamostore_test

import (
	"context"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/dynamostore"
	"github.com/crumbkit/crumb/signed"
)

type Account struct{ Email string }

// A cookiestore whose session records live in DynamoDB. The client is
// the SDK's, configured the usual way; on Lambda that is
// dynamodb.NewFromConfig(cfg) with cfg from config.LoadDefaultConfig,
// which reads the region and the function role's credentials from the
// environment.
func ExampleNew() {
	var client *dynamodb.Client // dynamodb.NewFromConfig(cfg)
	store, err := dynamostore.New(client, dynamostore.Options{Table: "crumb-sessions"})
	if err != nil {
		log.Fatal(err)
	}
	ring, err := keys.GenerateRing(nil)
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := cookiestore.New(signed.New(ring), cookiestore.Options[Account]{
		Backend: kvstore.NewBackend(store, kvstore.BackendOptions{}),
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = sessions // mux.Handle("/", sessions.Middleware(app))
}

// Creating the table the store expects, with the default attribute
// names: a string partition key "id", on-demand capacity, and Time to
// Live on "expires". (The tests create it the same way against
// dynalite, which has no UpdateTimeToLive.)
func Example_createTable() {
	ctx := context.Background()
	var client *dynamodb.Client // dynamodb.NewFromConfig(cfg)
	table := aws.String("crumb-sessions")
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            table,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		log.Fatal(err)
	}
	err = dynamodb.NewTableExistsWaiter(client).Wait(ctx, &dynamodb.DescribeTableInput{TableName: table}, 5*time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: table,
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String("expires"),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		log.Fatal(err)
	}
}
