package secrets_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/lambda"
	"github.com/crumbkit/crumb/lambda/secrets"
)

// On Lambda the ring comes from the extension on localhost:2773. Here a
// few lines stand in for it, and the environment points the client there.
func ExampleClient_LoadRing() {
	const ringText = "DxJZAi3PBgEvQ64a_GRb8Tvhkcv9tTAkb7Tn0hQ3yXU" // from cmd/keygen
	ext := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(secrets.TokenHeader) != "session-token" {
			http.Error(w, "bad token", http.StatusForbidden)
			return
		}
		fmt.Fprintf(w, `{"Name":%q,"SecretString":%q,"VersionStages":["AWSCURRENT"]}`, r.URL.Query().Get("secretId"), ringText)
	}))
	defer ext.Close()
	u, _ := url.Parse(ext.URL)
	env := map[string]string{
		"AWS_SESSION_TOKEN":                      "session-token",
		"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": u.Port(),
	}

	c, err := secrets.NewClient(func(k string) string { return env[k] })
	if err != nil {
		fmt.Println(err)
		return
	}
	ring, err := c.LoadRing(context.Background(), "secretsmanager:crumb/session-keys")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("keys:", ring.Len(), "primary:", ring.Primary().ID())
	// Output: keys: 1 primary: efe76826
}

// A Lambda function loads its ring on the first invocation, the earliest
// moment the extension answers, and never again.
func ExampleClient_Handler() {
	c, err := secrets.NewClient(os.Getenv)
	if err != nil {
		fmt.Println(err)
		return
	}
	h := c.Handler("ssm:/crumb/session-keys", func(ring *keys.Ring) (http.Handler, error) {
		mux := http.NewServeMux()
		// ... build the application (sealer, session store) from ring ...
		return mux, nil
	}, nil)
	lambda.Start(h)
}
