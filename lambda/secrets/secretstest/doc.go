// Package secretstest runs a stand-in for the AWS Parameters and Secrets
// Lambda Extension's local HTTP endpoint, so code that loads keys through
// it can be tested without AWS.
//
// The stand-in follows the documented API:
//
//   - https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html
//   - https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html
//
// It serves GET /secretsmanager/get?secretId=ID with a GetSecretValue
// reply and GET /systemsmanager/parameters/get?name=NAME&withDecryption=true
// with a GetParameter reply, and refuses a request whose
// X-Aws-Parameters-Secrets-Token header is missing (401) or is not the
// session token (403). Errors that AWS reports with HTTP 400 and a JSON
// {"__type": ...} body (ResourceNotFoundException, ParameterNotFound,
// AccessDeniedException) come back that way. Until SetReady(true) it
// answers every request 400 "not ready to serve traffic, please wait", as
// the extension does before the first invocation: AWS documents that it
// serves only in the INVOKE phase, never during INIT.
//
// It is a test tool: it keeps every value in memory and in the clear.
package secretstest
