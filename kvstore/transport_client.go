//go:build !js && !wasip1 && !crumb_nohttp

package kvstore

import (
	"net"
	"net/http"
	"time"
)

// NewClient returns the default transport: bounded connect, TLS,
// response-header and overall timeouts, keep-alive connections to the
// store, and no redirects (a store that redirects is misconfigured, and
// following it could send credentials elsewhere).
func NewClient() *http.Client {
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   2 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		TLSHandshakeTimeout:   3 * time.Second,
		ResponseHeaderTimeout: DefaultTimeout,
		IdleConnTimeout:       60 * time.Second,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   64,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   DefaultTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// defaultDoer is the transport a store uses when its config names none.
func defaultDoer() Doer { return NewClient() }
