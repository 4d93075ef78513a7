package lambda

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Source names the kind of event an invocation carried.
type Source int

// The event sources the adapter serves.
const (
	// SourceAPIGatewayV1 is an API Gateway REST API proxy event, or an
	// HTTP API event in payload format 1.0.
	SourceAPIGatewayV1 Source = iota + 1
	// SourceAPIGatewayV2 is an HTTP API event in payload format 2.0.
	SourceAPIGatewayV2
	// SourceFunctionURL is a Lambda Function URL event.
	SourceFunctionURL
	// SourceALB is an Application Load Balancer event from a target
	// group with multi-value headers off (the default).
	SourceALB
	// SourceALBMultiValue is an Application Load Balancer event from a
	// target group with multi-value headers on.
	SourceALBMultiValue
)

func (s Source) String() string {
	switch s {
	case SourceAPIGatewayV1:
		return "API Gateway REST (payload 1.0)"
	case SourceAPIGatewayV2:
		return "API Gateway HTTP API (payload 2.0)"
	case SourceFunctionURL:
		return "Function URL"
	case SourceALB:
		return "ALB"
	case SourceALBMultiValue:
		return "ALB (multi-value headers)"
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// Event describes the event behind a request. Handlers reach it with
// EventFromContext(r.Context()).
type Event struct {
	// Source is the kind of event.
	Source Source
	// RequestID is the API Gateway or Function URL request ID
	// (requestContext.requestId); empty for ALB events. The Lambda
	// invocation's own ID is RequestID(ctx).
	RequestID string
	// Stage is the API Gateway stage ("$default" for HTTP APIs and
	// Function URLs); empty for ALB events.
	Stage string
	// BasePath is the prefix the client saw in front of r.URL.Path,
	// such as "/prod" when a stage is called on its execute-api
	// address. Build absolute links and cookie paths with it. Empty
	// when there is none.
	BasePath string
	// Raw is the whole event, for fields this package does not map:
	// authorizer claims, path parameters, stage variables.
	Raw json.RawMessage
}

// rawEvent is the union of the fields the adapter reads from every
// supported event shape. Unknown fields are ignored.
type rawEvent struct {
	Version   string `json:"version"`
	Type      string `json:"type"`
	MethodArn string `json:"methodArn"`
	RouteArn  string `json:"routeArn"`

	// REST (1.0) and ALB.
	HTTPMethod                      string              `json:"httpMethod"`
	Path                            string              `json:"path"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`

	// HTTP API (2.0) and Function URLs.
	RawPath        string   `json:"rawPath"`
	RawQueryString string   `json:"rawQueryString"`
	Cookies        []string `json:"cookies"`

	Body            string `json:"body"`
	IsBase64Encoded bool   `json:"isBase64Encoded"`

	RequestContext struct {
		RequestID    string `json:"requestId"`
		Stage        string `json:"stage"`
		Path         string `json:"path"`
		DomainName   string `json:"domainName"`
		Protocol     string `json:"protocol"`
		ConnectionID string `json:"connectionId"`
		EventType    string `json:"eventType"`
		Identity     struct {
			SourceIP string `json:"sourceIp"`
		} `json:"identity"`
		HTTP *struct {
			Method   string `json:"method"`
			Path     string `json:"path"`
			Protocol string `json:"protocol"`
			SourceIP string `json:"sourceIp"`
		} `json:"http"`
		ELB *struct {
			TargetGroupArn string `json:"targetGroupArn"`
		} `json:"elb"`
	} `json:"requestContext"`
}

// detect decides the event source, or says why the event is not an HTTP
// request this adapter serves.
func (e *rawEvent) detect() (Source, error) {
	rc := &e.RequestContext
	switch {
	case rc.ConnectionID != "" || rc.EventType != "":
		return 0, fmt.Errorf("%w: API Gateway WebSocket event", ErrUnsupportedEvent)
	case e.MethodArn != "" || e.RouteArn != "" || e.Type == "TOKEN" || e.Type == "REQUEST":
		return 0, fmt.Errorf("%w: API Gateway authorizer event", ErrUnsupportedEvent)
	case rc.ELB != nil:
		if e.HTTPMethod == "" {
			return 0, fmt.Errorf("%w: ALB event without httpMethod", ErrUnsupportedEvent)
		}
		// ALB sends exactly one of the two header forms, chosen by the
		// target group's lambda.multi_value_headers.enabled attribute.
		if e.MultiValueHeaders != nil || e.MultiValueQueryStringParameters != nil {
			return SourceALBMultiValue, nil
		}
		return SourceALB, nil
	case e.Version == "2.0" && rc.HTTP != nil && rc.HTTP.Method != "":
		// Function URL events are shaped like HTTP API 2.0 events; only
		// the domain tells them apart, and only streaming cares.
		if strings.Contains(rc.DomainName, ".lambda-url.") {
			return SourceFunctionURL, nil
		}
		return SourceAPIGatewayV2, nil
	case e.HTTPMethod != "" && (rc.RequestID != "" || rc.Stage != ""):
		return SourceAPIGatewayV1, nil
	}
	return 0, fmt.Errorf("%w: not an API Gateway, Function URL or ALB request", ErrUnsupportedEvent)
}

// badRequestError marks an event that is well formed as JSON but carries
// a request net/http itself would refuse (a path with broken
// percent-encoding, say). It becomes a 400 response, not an invocation
// error, because the client caused it.
type badRequestError struct{ msg string }

func (e *badRequestError) Error() string { return "crumb/lambda: bad request: " + e.msg }

// parseEvent decodes payload and builds the *http.Request it describes.
func parseEvent(ctx context.Context, payload []byte) (*http.Request, *Event, error) {
	var e rawEvent
	if err := json.Unmarshal(payload, &e); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrMalformedEvent, err)
	}
	src, err := e.detect()
	if err != nil {
		return nil, nil, err
	}
	ev := &Event{
		Source:    src,
		RequestID: e.RequestContext.RequestID,
		Stage:     e.RequestContext.Stage,
		// The runtime reuses the payload buffer for the next invocation,
		// and a handler that outlived its deadline may still read this.
		Raw: bytes.Clone(payload),
	}

	var (
		method, proto, sourceIP string
		u                       = &url.URL{}
		header                  = make(http.Header)
	)
	switch src {
	case SourceAPIGatewayV1:
		method, proto, sourceIP = e.HTTPMethod, e.RequestContext.Protocol, e.RequestContext.Identity.SourceIP
		// API Gateway hands REST APIs the decoded path without the stage.
		u.Path = e.Path
		if u.Path == "" {
			u.Path = "/"
		}
		if p := e.RequestContext.Path; p != e.Path && strings.HasSuffix(p, e.Path) {
			ev.BasePath = strings.TrimSuffix(p, e.Path)
		}
		u.RawQuery = encodeDecodedQuery(e.MultiValueQueryStringParameters, e.QueryStringParameters)
		copyHeaders(header, e.MultiValueHeaders, e.Headers)
	case SourceAPIGatewayV2, SourceFunctionURL:
		h := e.RequestContext.HTTP
		method, proto, sourceIP = h.Method, h.Protocol, h.SourceIP
		raw := e.RawPath
		if raw == "" {
			raw = h.Path
		}
		// On an execute-api address a named stage is the first path
		// segment; strip it so routes match what REST APIs receive, and
		// report it as BasePath.
		if st := e.RequestContext.Stage; st != "" && st != "$default" &&
			strings.Contains(e.RequestContext.DomainName, ".execute-api.") {
			prefix := "/" + st
			if raw == prefix || strings.HasPrefix(raw, prefix+"/") {
				raw = strings.TrimPrefix(raw, prefix)
				ev.BasePath = prefix
			}
		}
		if err := setRawPath(u, raw); err != nil {
			return nil, ev, err
		}
		u.RawQuery = e.RawQueryString
		for k, v := range e.Headers {
			header.Add(k, v)
		}
		// HTTP APIs move cookies into the array and drop the header;
		// Function URLs send both. The array is the authority: one entry
		// per cookie, never split on commas.
		if len(e.Cookies) > 0 {
			header.Set("Cookie", strings.Join(e.Cookies, "; ")) // replaces the header's copy
		}
	case SourceALB, SourceALBMultiValue:
		method = e.HTTPMethod
		// ALB passes the path and query string as the client sent them,
		// still percent-encoded.
		if err := setRawPath(u, e.Path); err != nil {
			return nil, ev, err
		}
		u.RawQuery = joinRawQuery(e.MultiValueQueryStringParameters, e.QueryStringParameters)
		copyHeaders(header, e.MultiValueHeaders, e.Headers)
		// The load balancer appends the address that connected to it as
		// the last X-Forwarded-For entry; earlier entries are
		// client-supplied and not to be trusted.
		if xff := header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			sourceIP = strings.TrimSpace(last)
		}
	}
	if u.Path == "" {
		u.Path = "/"
	}

	body, err := decodeBody(e.Body, e.IsBase64Encoded)
	if err != nil {
		return nil, ev, err
	}

	host := header.Get("Host")
	if host == "" {
		host = e.RequestContext.DomainName
	}
	scheme := "https" // API Gateway and Function URLs only speak HTTPS
	if p := header.Get("X-Forwarded-Proto"); p != "" {
		scheme = strings.ToLower(p)
	} else if src == SourceALB || src == SourceALBMultiValue {
		scheme = "http"
	}

	r, err := http.NewRequestWithContext(ctx, method, "/", bytes.NewReader(body))
	if err != nil {
		return nil, ev, &badRequestError{msg: "method"}
	}
	if len(body) == 0 {
		r.Body = http.NoBody
	}
	r.ContentLength = int64(len(body))
	// Shape the request like one net/http's server hands a handler.
	r.URL = u
	r.RequestURI = u.RequestURI()
	r.Host = host
	r.Header = header
	r.Proto = "HTTP/1.1"
	r.ProtoMajor, r.ProtoMinor = 1, 1
	if maj, min, ok := http.ParseHTTPVersion(proto); ok {
		r.Proto, r.ProtoMajor, r.ProtoMinor = proto, maj, min
	}
	if sourceIP != "" {
		// The platform does not report the client's port; 0 keeps
		// net.SplitHostPort(r.RemoteAddr) working.
		r.RemoteAddr = net.JoinHostPort(sourceIP, "0")
	}
	if scheme == "https" {
		// TLS ended at the front door. A non-nil TLS field is how
		// handlers (and cookie code choosing Secure) tell HTTPS apart.
		r.TLS = &tls.ConnectionState{HandshakeComplete: true, ServerName: stripPort(host)}
	}
	return r, ev, nil
}

func stripPort(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// setRawPath sets u's path from a percent-encoded path.
func setRawPath(u *url.URL, raw string) error {
	p, err := url.PathUnescape(raw)
	if err != nil {
		return &badRequestError{msg: "path is not valid percent-encoding"}
	}
	u.Path = p
	if raw != p {
		// EscapedPath uses RawPath only when it is a valid encoding of
		// Path, so encoded slashes (%2F) survive for routers that ask.
		u.RawPath = raw
	}
	return nil
}

// copyHeaders fills h from the multi-value form when present, which
// REST APIs always send alongside the single-value form and which keeps
// repeated headers (several Cookie lines) apart.
func copyHeaders(h http.Header, multi map[string][]string, single map[string]string) {
	if multi != nil {
		for k, vs := range multi {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
		return
	}
	for k, v := range single {
		h.Add(k, v)
	}
}

// encodeDecodedQuery rebuilds a query string from API Gateway's decoded
// parameters. The original order across keys is lost upstream; keys come
// out sorted, values in the order received.
func encodeDecodedQuery(multi map[string][]string, single map[string]string) string {
	v := url.Values{}
	if multi != nil {
		for k, vs := range multi {
			v[k] = append(v[k], vs...)
		}
	} else {
		for k, s := range single {
			v.Set(k, s)
		}
	}
	return v.Encode()
}

// joinRawQuery rebuilds a query string from ALB's parameters, which are
// still percent-encoded as the client sent them, so they are joined, not
// re-encoded.
func joinRawQuery(multi map[string][]string, single map[string]string) string {
	var parts []string
	if multi != nil {
		for _, k := range slices.Sorted(maps.Keys(multi)) {
			for _, v := range multi[k] {
				parts = append(parts, k+"="+v)
			}
		}
	} else {
		for _, k := range slices.Sorted(maps.Keys(single)) {
			parts = append(parts, k+"="+single[k])
		}
	}
	return strings.Join(parts, "&")
}

func decodeBody(body string, isBase64 bool) ([]byte, error) {
	if !isBase64 {
		return []byte(body), nil
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("%w: isBase64Encoded body is not base64", ErrMalformedEvent)
	}
	return b, nil
}
