package secretstest

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TokenHeader is the header the extension reads the session token from.
const TokenHeader = "X-Aws-Parameters-Secrets-Token"

// NotReadyBody is what the stand-in answers, with 400, before it is
// ready.
const NotReadyBody = "not ready to serve traffic, please wait"

// Extension is a stand-in for the extension's endpoint. Create it with
// New.
type Extension struct {
	// Port is the loopback port it listens on; put it in
	// PARAMETERS_SECRETS_EXTENSION_HTTP_PORT.
	Port string
	// Token is the session token it accepts; put it in AWS_SESSION_TOKEN.
	Token string

	srv *httptest.Server

	mu         sync.Mutex
	ready      bool
	notReadyN  int // answer this many more requests "not ready", even when ready
	secrets    map[string]string
	parameters map[string]param
	denied     map[string]bool
	requests   []Request
}

type param struct{ value, typ string }

// Request is a request the stand-in received, as it answered it.
type Request struct {
	Path   string // URL path
	ID     string // secretId or name
	Status int    // the status it answered
}

// New starts a stand-in on a free loopback port with a fresh token, ready
// to serve, and stops it when the test ends.
func New(t testing.TB) *Extension {
	t.Helper()
	e := &Extension{
		Token:      "stand-in-session-token-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		ready:      true,
		secrets:    map[string]string{},
		parameters: map[string]param{},
		denied:     map[string]bool{},
	}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.srv.Close)
	_, port, err := net.SplitHostPort(e.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	e.Port = port
	return e
}

// Env returns the environment a function needs to reach the stand-in.
func (e *Extension) Env() []string {
	return []string{"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT=" + e.Port, "AWS_SESSION_TOKEN=" + e.Token}
}

// Getenv looks name up in Env, for code that takes a getenv function.
func (e *Extension) Getenv(name string) string {
	switch name {
	case "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT":
		return e.Port
	case "AWS_SESSION_TOKEN":
		return e.Token
	}
	return ""
}

// PutSecret stores a secret whose SecretString is value.
func (e *Extension) PutSecret(id, value string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.secrets[id] = value
}

// PutParameter stores a parameter of the given type (String,
// StringList or SecureString).
func (e *Extension) PutParameter(name, value, typ string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.parameters[name] = param{value, typ}
}

// Deny makes requests for the secret or parameter id fail as they do when
// the function's role may not read it.
func (e *Extension) Deny(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.denied[id] = true
}

// SetReady sets whether the stand-in serves requests or answers
// "not ready".
func (e *Extension) SetReady(ready bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ready = ready
}

// NotReadyFor makes the next n requests answer "not ready", as during
// the extension's start.
func (e *Extension) NotReadyFor(n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.notReadyN = n
}

// Requests returns the requests received so far.
func (e *Extension) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Request(nil), e.requests...)
}

func (e *Extension) serve(w http.ResponseWriter, r *http.Request) {
	status, body := e.answer(r)
	w.WriteHeader(status)
	w.Write(body)
}

func (e *Extension) answer(r *http.Request) (status int, body []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q := r.URL.Query()
	rec := Request{Path: r.URL.Path, ID: q.Get("secretId") + q.Get("name")}
	defer func() { rec.Status = status; e.requests = append(e.requests, rec) }()

	if r.Method != http.MethodGet {
		return http.StatusMethodNotAllowed, []byte("method not allowed")
	}
	if !e.ready || e.notReadyN > 0 {
		if e.notReadyN > 0 {
			e.notReadyN--
		}
		return http.StatusBadRequest, []byte(NotReadyBody)
	}
	switch tok := r.Header.Get(TokenHeader); {
	case tok == "":
		return http.StatusUnauthorized, []byte("missing token")
	case tok != e.Token:
		return http.StatusForbidden, []byte("bad token")
	}
	switch r.URL.Path {
	case "/secretsmanager/get":
		id := q.Get("secretId")
		if id == "" {
			return awsError("ValidationException", "secretId is required")
		}
		if e.denied[id] {
			return awsError("AccessDeniedException", "not authorized to perform secretsmanager:GetSecretValue")
		}
		v, ok := e.secrets[id]
		if !ok {
			return awsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		}
		// The fields of a GetSecretValue response.
		return reply(map[string]any{
			"ARN":           "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + id + "-AbCdEf",
			"Name":          id,
			"VersionId":     "11111111-2222-3333-4444-555555555555",
			"SecretString":  v,
			"VersionStages": []string{"AWSCURRENT"},
			"CreatedDate":   "2024-01-02T03:04:05.000Z",
		})
	case "/systemsmanager/parameters/get":
		name := q.Get("name")
		if name == "" {
			return awsError("ValidationException", "name is required")
		}
		if e.denied[name] {
			return awsError("AccessDeniedException", "not authorized to perform ssm:GetParameter")
		}
		p, ok := e.parameters[name]
		if !ok {
			return awsError("ParameterNotFound", "")
		}
		v := p.value
		if p.typ == "SecureString" && q.Get("withDecryption") != "true" {
			v = "AQICAHencrypted" // the ciphertext, which is no key ring
		}
		// The fields of a GetParameter response.
		return reply(map[string]any{
			"Parameter": map[string]any{
				"ARN": "arn:aws:ssm:us-east-1:123456789012:parameter/" + name, "DataType": "text",
				"LastModifiedDate": "2024-01-02T03:04:05.000Z", "Name": name, "Selector": nil,
				"SourceResult": nil, "Type": p.typ, "Value": v, "Version": 1,
			},
			"ResultMetadata": map[string]any{},
		})
	}
	return http.StatusNotFound, []byte("not found")
}

func reply(v any) (int, []byte) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return http.StatusOK, b
}

// awsError answers as AWS's JSON protocol reports a client error: HTTP 400
// with the error's type in __type.
func awsError(typ, msg string) (int, []byte) {
	b, _ := json.Marshal(map[string]string{"__type": typ, "message": msg})
	return http.StatusBadRequest, b
}
