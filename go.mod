module github.com/crumbkit/crumb

go 1.25.0

require (
	github.com/aws/aws-lambda-go v1.54.0
	github.com/cloudflare/circl v1.6.5
	github.com/google/go-cmp v0.7.0
	github.com/tetratelabs/wazero v1.12.0
	golang.org/x/crypto v0.55.0
)

require golang.org/x/sys v0.47.0 // indirect
