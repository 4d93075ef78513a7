//go:build !crumb_nodynamodb

package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/dynamostore"
)

// sessionBackend returns a DynamoDB-backed session backend when
// SESSION_TABLE names a table, and nil (sessions in the cookie) when it
// is empty. It runs once, at init, and makes no network call: the SDK
// reads region and credentials from the environment, as on Lambda.
func sessionBackend(ctx context.Context, getenv func(string) string) (cookiestore.Backend, error) {
	table := getenv("SESSION_TABLE")
	if table == "" {
		return nil, nil
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("SESSION_TABLE: AWS configuration: %w", err)
	}
	store, err := dynamostore.New(dynamodb.NewFromConfig(cfg), dynamostore.Options{Table: table})
	if err != nil {
		return nil, fmt.Errorf("SESSION_TABLE: %w", err)
	}
	return kvstore.NewBackend(store, kvstore.BackendOptions{}), nil
}
