package lambda_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/crumbkit/crumb/lambda"
)

// A function's whole main: the handler runs unchanged behind any front
// door, and users never import aws-lambda-go.
func ExampleStart() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello from", lambda.RequestID(r.Context()))
	})
	if false { // Start never returns; it needs AWS_LAMBDA_RUNTIME_API.
		lambda.Start(mux)
	}
}

// Invoke turns an event into the response JSON for its source, which is
// how to test a handler without a Lambda runtime.
func ExampleHandler_Invoke() {
	h := lambda.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie("b")
		http.SetCookie(w, &http.Cookie{Name: "seen", Value: c.Value})
		http.SetCookie(w, &http.Cookie{Name: "n", Value: "2"})
	}))
	event := `{"version":"2.0","rawPath":"/","cookies":["a=1","b=x"],
		"headers":{"cookie":"a=1; b=x"},
		"requestContext":{"domainName":"id.lambda-url.us-east-1.on.aws","http":{"method":"GET","sourceIp":"192.0.2.1"}}}`
	out, err := h.Invoke(context.Background(), []byte(event))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))
	// Output:
	// {"statusCode":200,"headers":{},"cookies":["seen=x","n=2"],"body":"","isBase64Encoded":false}
}
