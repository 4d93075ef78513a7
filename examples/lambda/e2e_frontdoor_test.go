package main

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/lambda/lambdatest"
)

// builds holds each bootstrap variant, built once per test binary.
var builds struct {
	mu   sync.Mutex
	dir  string
	bins map[string]string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
	os.Exit(code)
}

// buildVariant builds this package for the host with -tags
// lambda.norpc,crumb_e2e plus extraTags, once per test binary.
func buildVariant(t *testing.T, extraTags string) string {
	t.Helper()
	builds.mu.Lock()
	defer builds.mu.Unlock()
	if bin, ok := builds.bins[extraTags]; ok {
		return bin
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "crumb-lambda-e2e-")
		if err != nil {
			t.Fatal(err)
		}
		builds.dir, builds.bins = dir, map[string]string{}
	}
	tags := "lambda.norpc,crumb_e2e"
	if extraTags != "" {
		tags += "," + extraTags
	}
	bin := filepath.Join(builds.dir, "bootstrap-"+strings.ReplaceAll(tags, ",", "-"))
	cmd := exec.Command("go", "build", "-tags", tags, "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags %s: %v\n%s", tags, err, out)
	}
	builds.bins[extraTags] = bin
	return bin
}

// startBootstrapEnv starts bin against rt with the base environment of
// startBootstrap plus env.
func startBootstrapEnv(t *testing.T, bin string, rt *lambdatest.Runtime, sessionKeys string, env ...string) *process {
	t.Helper()
	p := &process{}
	cmd := exec.Command(bin)
	cmd.Env = append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + rt.Addr,
		"AWS_LAMBDA_FUNCTION_NAME=crumb-test",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_REGION=us-east-1",
		"SESSION_KEYS=" + sessionKeys,
	}, env...)
	p.start(t, cmd)
	return p
}

// browser is a real http.Client with a cookie jar, in front of a
// FrontDoor.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// do sends a request (following redirects, as a browser does) and
// returns the final status and body.
func (b *browser) do(method, path, form string) (int, string) {
	b.t.Helper()
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func (b *browser) cookies() []*http.Cookie {
	u, _ := url.Parse(b.base)
	return b.c.Jar.Cookies(u)
}

// loginRoundTrip logs in through the front door (a failed attempt
// first), checks the flash shows once, and returns the session cookie.
func loginRoundTrip(t *testing.T, b *browser) *http.Cookie {
	t.Helper()
	if status, page := b.do("GET", "/", ""); status != http.StatusOK || !strings.Contains(page, `id="login"`) {
		t.Fatalf("first page: HTTP %d %q", status, page)
	}
	if _, page := b.do("POST", "/login", "email=ann%40example.com&password=wrong"); !strings.Contains(page, "Incorrect username or password") ||
		!strings.Contains(page, "Failed login attempts: 1") {
		t.Fatalf("after a failed login: %q", page)
	}
	if status, page := b.do("POST", "/login", "email=ann%40example.com&password=correct"); status != http.StatusOK ||
		!strings.Contains(page, "Login successful") || !strings.Contains(page, "Log out ann@example.com") {
		t.Fatalf("after login: HTTP %d %q", status, page)
	}
	if _, page := b.do("GET", "/", ""); strings.Contains(page, "Login successful") || !strings.Contains(page, "Log out ann@example.com") {
		t.Fatalf("reload after login (flash once, still signed in): %q", page)
	}
	for _, c := range b.cookies() {
		if c.Name == "__Host-session" {
			return c
		}
	}
	t.Fatalf("no __Host-session cookie in the jar: %v", b.cookies())
	return nil
}

// TestFrontDoor runs the bootstrap behind lambdatest.FrontDoor, a local
// Function URL, and logs in and out with a real http.Client and cookie
// jar: cookies, redirects and form posts make the full round trip.
func TestFrontDoor(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bootstrap binary")
	}
	ring, err := keys.GenerateRing(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rt := lambdatest.NewRuntime(t)
	startBootstrapEnv(t, buildVariant(t, ""), rt, ring.Export())
	srv := httptest.NewServer(&lambdatest.FrontDoor{Runtime: rt, Timeout: 10 * time.Second})
	defer srv.Close()

	b := newBrowser(t, srv.URL)
	loginRoundTrip(t, b)
	if _, page := b.do("POST", "/logout", ""); !strings.Contains(page, `id="login"`) {
		t.Fatalf("after logout: %q", page)
	}
	if status, _ := b.do("GET", "/__e2e/panic", ""); status != http.StatusBadGateway {
		t.Fatalf("function error: HTTP %d, want 502", status)
	}
}

// sessionTable creates the session table in dynalite as docs/kvstore.md
// does (dynalite has no UpdateTimeToLive; the store checks expiry on
// every read, so sessions expire all the same) and returns a client.
func sessionTable(t *testing.T, d *servicetest.Dynalite, name string) *dynamodb.Client {
	t.Helper()
	c := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(d.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "dynalite-test-secret"}, nil
		}),
	})
	ctx := context.Background()
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	// Poll more often than the waiter's default (20 s at first), which
	// is tuned for DynamoDB.
	w := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 500*time.Millisecond
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return c
}

// dynamoEnv is the environment that points the bootstrap's SDK at
// dynalite, as AWS_ENDPOINT_URL_DYNAMODB would point it at DynamoDB Local.
func dynamoEnv(d *servicetest.Dynalite, table string) []string {
	return []string{
		"SESSION_TABLE=" + table,
		"AWS_ENDPOINT_URL_DYNAMODB=" + d.URL,
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=dynalite-test-secret",
		"AWS_SESSION_TOKEN=dynalite-test-token",
	}
}

// TestEndToEndDynamoDB runs the bootstrap with SESSION_TABLE against
// dynalite, behind the front door: sessions live in the table, a logout
// revokes (the old cookie, replayed, opens nothing), and a store that
// goes down gives 503 and comes back.
func TestEndToEndDynamoDB(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bootstrap binary")
	}
	d := servicetest.StartDynalite(t)
	db := sessionTable(t, d, "crumb-sessions")
	ring, err := keys.GenerateRing(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rt := lambdatest.NewRuntime(t)
	proc := startBootstrapEnv(t, buildVariant(t, ""), rt, ring.Export(), dynamoEnv(d, "crumb-sessions")...)
	srv := httptest.NewServer(&lambdatest.FrontDoor{Runtime: rt, Timeout: 10 * time.Second})
	defer srv.Close()
	ctx := context.Background()

	b := newBrowser(t, srv.URL)
	stolen := loginRoundTrip(t, b)
	scan, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("crumb-sessions")})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range scan.Items {
		ids = append(ids, it["id"].(*types.AttributeValueMemberS).Value)
	}
	if !slices.ContainsFunc(ids, func(id string) bool { return strings.HasPrefix(id, "crumb:s:") && len(id) == len("crumb:s:")+64 }) {
		t.Fatalf("no session record (crumb:s: + hex SHA-256) in the table: %q\nprocess log:\n%s", ids, proc.log())
	}

	if _, page := b.do("POST", "/logout", ""); !strings.Contains(page, `id="login"`) {
		t.Fatalf("after logout: %q", page)
	}
	// The cookie from before the logout, replayed by someone else,
	// opens nothing: the record is gone and a tombstone stays.
	thief := newBrowser(t, srv.URL)
	u, _ := url.Parse(srv.URL)
	thief.c.Jar.SetCookies(u, []*http.Cookie{{Name: stolen.Name, Value: stolen.Value, Path: "/", Secure: true}})
	if status, page := thief.do("GET", "/", ""); status != http.StatusOK || strings.Contains(page, "Log out") {
		t.Fatalf("replayed cookie after logout: HTTP %d, signed in: %v", status, strings.Contains(page, "Log out"))
	}

	// DynamoDB down: a signed-in request gets 503, never a page built
	// on a session that could not be loaded or saved.
	b2 := newBrowser(t, srv.URL)
	loginRoundTrip(t, b2)
	d.Kill()
	status, page := b2.do("GET", "/", "")
	if status != http.StatusServiceUnavailable || strings.Contains(page, "Log out") {
		t.Fatalf("with DynamoDB down: HTTP %d %q, want 503", status, page)
	}
	if status, _ := b2.do("POST", "/logout", ""); status != http.StatusServiceUnavailable {
		t.Fatalf("logout with DynamoDB down: HTTP %d, want 503 (the session was not revoked)", status)
	}
	if err := d.Restart(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, page = b2.do("GET", "/", "")
		if status == http.StatusOK || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status != http.StatusOK || !strings.Contains(page, "Log out ann@example.com") {
		t.Fatalf("after DynamoDB came back: HTTP %d, signed in: %v", status, strings.Contains(page, "Log out"))
	}
	if proc.exited() {
		t.Fatal("process exited")
	}
}

// TestColdStartFigures compares the bootstrap's cold start (exec to the
// first response) with and without the DynamoDB store linked, and with
// SESSION_TABLE set, over interleaved process starts. It logs the
// figures and asserts nothing about them:
//
//	cd examples/lambda && go test -v -run TestColdStartFigures .
func TestColdStartFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bootstrap binary")
	}
	d := servicetest.StartDynalite(t)
	sessionTable(t, d, "cold")
	ring, err := keys.GenerateRing(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	variants := []struct {
		name string
		bin  string
		env  []string
	}{
		{"without the DynamoDB store (-tags crumb_nodynamodb)", buildVariant(t, "crumb_nodynamodb"), nil},
		{"with the DynamoDB store linked, cookie sessions", buildVariant(t, ""), nil},
		{"with the DynamoDB store, SESSION_TABLE set", buildVariant(t, ""), dynamoEnv(d, "cold")},
	}
	const starts = 7
	samples := make([][]time.Duration, len(variants))
	for range starts {
		for i, v := range variants {
			rt := lambdatest.NewRuntime(t)
			started := time.Now()
			p := startBootstrapEnv(t, v.bin, rt, ring.Export(), v.env...)
			res, err := rt.Invoke(ctx, event(srcFunctionURL, "GET", "/", nil, ""), 10*time.Second)
			el := time.Since(started)
			if err != nil || res.Error != nil {
				t.Fatalf("%s: first invocation: %v %v\nprocess log:\n%s", v.name, err, res.Error, p.log())
			}
			p.stop()
			samples[i] = append(samples[i], el)
		}
	}
	for i, v := range variants {
		s := samples[i]
		slices.Sort(s)
		t.Logf("figures: cold start %s, over %d starts: min %v, median %v, max %v", v.name, len(s),
			s[0].Round(100*time.Microsecond), s[len(s)/2].Round(100*time.Microsecond), s[len(s)-1].Round(100*time.Microsecond))
	}
}
