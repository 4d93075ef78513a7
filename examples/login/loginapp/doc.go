// Package loginapp is the login demo of oak_sessions as a Go handler:
// log in, show a flash message once, count failed attempts, log out.
// examples/login serves it over HTTP; other examples (Lambda, a
// server-side store) build on it through Config.
package loginapp
