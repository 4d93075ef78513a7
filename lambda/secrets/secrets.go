package secrets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/crumbkit/crumb/keys"
)

// Errors returned, wrapped, by this package. None of them ever holds a
// secret's value or the session token.
var (
	// ErrNotFound: the secret or parameter does not exist (Secrets
	// Manager's ResourceNotFoundException, Parameter Store's
	// ParameterNotFound, or a 404).
	ErrNotFound = errors.New("secrets: not found")
	// ErrUnauthorized: the extension refused the session token (401 or
	// 403), or AWS_SESSION_TOKEN is empty, as it is outside Lambda.
	ErrUnauthorized = errors.New("secrets: extension refused the session token")
	// ErrAccessDenied: AWS refused the function's role
	// (AccessDeniedException): it lacks secretsmanager:GetSecretValue,
	// ssm:GetParameter or kms:Decrypt for this value.
	ErrAccessDenied = errors.New("secrets: access denied by AWS")
	// ErrUnavailable: the extension was not ready or not reachable, or
	// kept answering a transient error, until the deadline.
	ErrUnavailable = errors.New("secrets: extension unavailable")
	// ErrRejected: the extension answered an error this package does
	// not retry (another 4xx or a 500).
	ErrRejected = errors.New("secrets: request rejected")
	// ErrBadReply: a 200 reply that is not the documented JSON, has no
	// text value, or exceeds MaxReplyBytes.
	ErrBadReply = errors.New("secrets: unexpected reply from the extension")
	// ErrSource: the source is not "secretsmanager:ID" or "ssm:NAME".
	ErrSource = errors.New("secrets: bad source")
)

const (
	// DefaultPort is the extension's port unless
	// PARAMETERS_SECRETS_EXTENSION_HTTP_PORT says otherwise.
	DefaultPort = 2773
	// TokenHeader carries AWS_SESSION_TOKEN to the extension.
	TokenHeader = "X-Aws-Parameters-Secrets-Token"
	// DefaultMaxWait bounds a load when the context has no earlier
	// deadline. A Lambda invocation's context always has one.
	DefaultMaxWait = 5 * time.Second
	// MaxReplyBytes is the longest reply read. A secret holds at most
	// 64 KiB and a parameter 8 KiB; the JSON around them is small.
	MaxReplyBytes = 256 << 10
)

// Client talks to the extension. Its fields are read, never written, by
// its methods, so a Client is safe for concurrent use once set up.
type Client struct {
	// BaseURL is the extension's address, "http://localhost:2773" by
	// default.
	BaseURL string
	// Token is sent in TokenHeader.
	Token string
	// HTTP sends the requests. When nil, and in NewClient's Client, it
	// is a client that uses no proxy and follows no redirect.
	HTTP *http.Client
	// MaxWait bounds each load, retries included, when the context has
	// no earlier deadline. Zero means DefaultMaxWait.
	MaxWait time.Duration
}

// NewClient returns a Client configured from the environment as Lambda
// sets it: AWS_SESSION_TOKEN and PARAMETERS_SECRETS_EXTENSION_HTTP_PORT.
// getenv is os.Getenv outside tests. It fails when the token is empty or
// the port is not a port number.
func NewClient(getenv func(string) string) (*Client, error) {
	port := DefaultPort
	if p := getenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("secrets: PARAMETERS_SECRETS_EXTENSION_HTTP_PORT %q is not a port number", p)
		}
		port = n
	}
	token := getenv("AWS_SESSION_TOKEN")
	if token == "" {
		return nil, fmt.Errorf("%w: AWS_SESSION_TOKEN is empty (is this running on Lambda?)", ErrUnauthorized)
	}
	return &Client{
		BaseURL: "http://localhost:" + strconv.Itoa(port),
		Token:   token,
		HTTP:    newHTTPClient(),
	}, nil
}

func newHTTPClient() *http.Client {
	return &http.Client{
		// No proxy: the token must reach only the local extension.
		// No redirects: Go would copy our custom header to wherever a
		// Location pointed.
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 1},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// LoadRing reads the key ring named by source through the extension, with
// a Client from the process environment. source is "secretsmanager:ID"
// (a secret's name or ARN; its SecretString holds the ring) or
// "ssm:NAME" (a parameter's name or ARN, decrypted if it is a
// SecureString). The text is what cmd/keygen prints, as keys.ParseRing
// reads it.
func LoadRing(ctx context.Context, source string) (*keys.Ring, error) {
	c, err := NewClient(os.Getenv)
	if err != nil {
		return nil, err
	}
	return c.LoadRing(ctx, source)
}

// LoadRing reads the key ring named by source; see the package-level
// LoadRing.
func (c *Client) LoadRing(ctx context.Context, source string) (*keys.Ring, error) {
	text, err := c.Get(ctx, source)
	if err != nil {
		return nil, err
	}
	if t := strings.TrimSpace(text); strings.HasPrefix(t, "{") {
		// The console's default "key/value" secret is a JSON
		// object. Say so rather than report key 1 as not base64.
		return nil, fmt.Errorf("%w: %s holds a JSON object; store the ring as plaintext", ErrBadReply, source)
	}
	ring, err := keys.ParseRing(text)
	if err != nil {
		return nil, fmt.Errorf("secrets: %s: %w", source, err) // keys errors name a position, never key text
	}
	return ring, nil
}

// Get returns the text of the secret or parameter named by source (see
// LoadRing), retrying while the extension is not ready.
func (c *Client) Get(ctx context.Context, source string) (string, error) {
	kind, id, _ := strings.Cut(source, ":")
	if id == "" {
		return "", fmt.Errorf("%w: %q: want secretsmanager:ID or ssm:NAME", ErrSource, source)
	}
	switch kind {
	case "secretsmanager":
		return c.SecretString(ctx, id)
	case "ssm":
		return c.Parameter(ctx, id)
	}
	return "", fmt.Errorf("%w: %q: want secretsmanager:ID or ssm:NAME", ErrSource, source)
}

// SecretString returns the SecretString of the secret id (a name or ARN),
// in its AWSCURRENT version.
func (c *Client) SecretString(ctx context.Context, id string) (string, error) {
	var r struct{ SecretString *string }
	what := "secret " + strconv.Quote(id)
	if err := c.get(ctx, what, "/secretsmanager/get?secretId="+url.QueryEscape(id), &r); err != nil {
		return "", err
	}
	if r.SecretString == nil {
		return "", fmt.Errorf("%w: %s has no SecretString (a binary secret?)", ErrBadReply, what)
	}
	return *r.SecretString, nil
}

// Parameter returns the value of the parameter name (a name or ARN),
// decrypted if it is a SecureString.
func (c *Client) Parameter(ctx context.Context, name string) (string, error) {
	var r struct{ Parameter *struct{ Value *string } }
	what := "parameter " + strconv.Quote(name)
	path := "/systemsmanager/parameters/get?name=" + url.QueryEscape(name) + "&withDecryption=true"
	if err := c.get(ctx, what, path, &r); err != nil {
		return "", err
	}
	if r.Parameter == nil || r.Parameter.Value == nil {
		return "", fmt.Errorf("%w: %s: no Parameter.Value", ErrBadReply, what)
	}
	return *r.Parameter.Value, nil
}

// get fetches path and decodes the JSON reply into v, retrying while the
// extension is starting.
func (c *Client) get(ctx context.Context, what, path string, v any) error {
	wait := c.MaxWait
	if wait <= 0 {
		wait = DefaultMaxWait
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	hc := c.HTTP
	if hc == nil {
		// A transport of its own for this call: close its idle
		// connection when done, or each call would leave one behind.
		hc = newHTTPClient()
		defer hc.CloseIdleConnections()
	}
	base := c.BaseURL
	if base == "" {
		base = "http://localhost:" + strconv.Itoa(DefaultPort)
	}

	backoff := 10 * time.Millisecond
	for attempt := 1; ; attempt++ {
		body, err := c.once(ctx, hc, base+path, what)
		if err == nil {
			if json.Unmarshal(body, v) != nil {
				// encoding/json errors can quote the reply;
				// the reply holds the secret.
				return fmt.Errorf("%w: %s: reply is not the documented JSON", ErrBadReply, what)
			}
			return nil
		}
		if !errors.Is(err, ErrUnavailable) {
			return err
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (after %d attempts): %w", err, attempt, context.Cause(ctx))
		case <-t.C:
		}
		backoff = min(2*backoff, 250*time.Millisecond)
	}
}

// once makes one request and classifies its outcome.
func (c *Client) once(ctx context.Context, hc *http.Client, u, what string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrSource, what, err)
	}
	req.Header.Set(TokenHeader, c.Token)
	resp, err := hc.Do(req)
	if err != nil {
		// Connection refused while the extension starts, or the
		// context ending. Neither error text holds the token.
		return nil, fmt.Errorf("%w: %s: %v", ErrUnavailable, what, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxReplyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: reading the reply: %v", ErrUnavailable, what, err)
	}
	if len(body) > MaxReplyBytes {
		return nil, fmt.Errorf("%w: %s: reply longer than %d bytes", ErrBadReply, what, MaxReplyBytes)
	}
	if resp.StatusCode == http.StatusOK {
		return body, nil
	}
	return nil, classify(resp.StatusCode, body, what)
}

// classify maps an error answer to a sentinel. AWS's JSON protocol
// reports most failures, a missing secret and a denied role among them,
// as 400 with the error's type in the body, and the extension passes them
// on; it also answers 400 while it is not ready. Only the type name is
// quoted back, never the body, which a buggy server could fill with
// anything.
func classify(status int, body []byte, what string) error {
	typ := awsErrorType(body)
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("%w: %s: HTTP %d", ErrUnauthorized, what, status)
	case status == http.StatusNotFound,
		typ == "ResourceNotFoundException", typ == "ParameterNotFound", typ == "ParameterVersionNotFound":
		return fmt.Errorf("%w: %s (HTTP %d%s)", ErrNotFound, what, status, typeSuffix(typ))
	case typ == "AccessDeniedException", typ == "AccessDenied", strings.HasPrefix(typ, "KMS."):
		return fmt.Errorf("%w: %s (HTTP %d%s)", ErrAccessDenied, what, status, typeSuffix(typ))
	case status == http.StatusBadRequest && bytes.Contains(bytes.ToLower(body), []byte("not ready")),
		status == http.StatusTooManyRequests, typ == "ThrottlingException",
		status == http.StatusBadGateway, status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		return fmt.Errorf("%w: %s: HTTP %d%s", ErrUnavailable, what, status, typeSuffix(typ))
	}
	return fmt.Errorf("%w: %s: HTTP %d%s", ErrRejected, what, status, typeSuffix(typ))
}

func typeSuffix(typ string) string {
	if typ == "" {
		return ""
	}
	return " " + typ
}

// awsErrorType returns the error type of an AWS JSON error body
// ({"__type": "...", ...}, possibly namespaced "ns#Type"), or finds a
// known type name in a plain-text body. It returns only names made of
// letters, digits and dots, so nothing else from the body can leak into
// an error.
func awsErrorType(body []byte) string {
	var e struct {
		Type string `json:"__type"`
		Code string `json:"code"`
	}
	if json.Unmarshal(body, &e) == nil {
		t := e.Type
		if t == "" {
			t = e.Code
		}
		if i := strings.LastIndexByte(t, '#'); i >= 0 {
			t = t[i+1:]
		}
		if isTypeName(t) {
			return t
		}
	}
	for _, t := range []string{"ResourceNotFoundException", "ParameterVersionNotFound", "ParameterNotFound",
		"AccessDeniedException", "ThrottlingException"} {
		if bytes.Contains(body, []byte(t)) {
			return t
		}
	}
	return ""
}

func isTypeName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.') {
			return false
		}
	}
	return true
}
