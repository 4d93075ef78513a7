module github.com/crumbkit/crumb/bench/lambdaproxy

go 1.26.0

require (
	github.com/aws/aws-lambda-go v1.55.1
	github.com/awslabs/aws-lambda-go-api-proxy v0.16.2
	github.com/crumbkit/crumb v0.0.0
	github.com/google/go-cmp v0.7.0
)

replace github.com/crumbkit/crumb => ../..
