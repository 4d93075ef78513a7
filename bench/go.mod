module github.com/crumbkit/crumb/bench

go 1.26.0

require (
	github.com/crumbkit/crumb v0.0.0
	github.com/gorilla/securecookie v1.1.2
	github.com/gorilla/sessions v1.4.0
)

require (
	github.com/cloudflare/circl v1.6.5 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace github.com/crumbkit/crumb => ..
