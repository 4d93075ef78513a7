package dynamostore

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/crumbkit/crumb/kvstore"
)

// storeName is kvstore.Error.Store for this store's errors.
const storeName = "dynamodb"

// newErr returns a *kvstore.Error; cause, when not nil (an ended
// context, a transport failure), stays reachable through errors.Is.
func newErr(op string, kind error, status int, detail string, cause error) error {
	e := kvstore.NewError(storeName, op, kind, detail, cause)
	e.Status = status
	return e
}

// ctxErr converts an ended context into kvstore.ErrTimeout, keeping
// ctx.Err() reachable with errors.Is.
func ctxErr(op string, ctx context.Context) error {
	err := ctx.Err()
	if err == nil {
		return nil
	}
	detail := "context ended before DynamoDB answered"
	if errors.Is(err, context.Canceled) {
		detail = "context canceled"
	}
	return newErr(op, kvstore.ErrTimeout, 0, detail, err)
}

// classify maps an SDK error to kvstore's sentinels. The error's detail
// is DynamoDB's error code, never its message: validation messages can
// quote attribute values, and the key is a session's store key.
func classify(op string, ctx context.Context, err error) error {
	if e := ctxErr(op, ctx); e != nil {
		return e
	}
	status := 0
	var hs interface{ HTTPStatusCode() int }
	if errors.As(err, &hs) {
		status = hs.HTTPStatusCode()
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		code := api.ErrorCode()
		return newErr(op, codeKind(code, api.ErrorMessage(), status), status, code, nil)
	}
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return newErr(op, kvstore.ErrTimeout, status, "transport timeout", nil)
	}
	var derr *smithy.DeserializationError
	if errors.As(err, &derr) {
		return newErr(op, kvstore.ErrProtocol, status, "answer not understood", nil)
	}
	if status != 0 {
		return newErr(op, statusKind(status), status, "", nil)
	}
	// Connection refused or reset, DNS, credentials that could not be
	// fetched: DynamoDB could not be asked. The detail names the
	// operation that failed without the SDK's full text, whose request
	// IDs and endpoint are in the SDK's own logs.
	var oe *net.OpError
	if errors.As(err, &oe) {
		return newErr(op, kvstore.ErrUnavailable, 0, "transport: "+oe.Op+" "+oe.Net+": "+errText(oe.Err), oe)
	}
	return newErr(op, kvstore.ErrUnavailable, 0, "request failed before DynamoDB answered", nil)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}

// codeKind maps a DynamoDB error code. Codes come from the API
// reference's "Common Errors" and each operation's error list.
func codeKind(code, msg string, status int) error {
	switch code {
	case "ResourceNotFoundException":
		// No such table: the store is pointed at the wrong place, which
		// must not look like every session being gone.
		return kvstore.ErrConfig
	case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
		"InternalServerError", "InternalFailure", "ServiceUnavailable", "LimitExceededException",
		"TransactionConflictException", "ReplicatedWriteConflictException":
		return kvstore.ErrUnavailable
	case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
		"MissingAuthenticationToken", "MissingAuthenticationTokenException", "ExpiredTokenException",
		"IncompleteSignature", "IncompleteSignatureException", "InvalidClientTokenId", "NotAuthorized":
		return kvstore.ErrUnauthorized
	case "ItemCollectionSizeLimitExceededException":
		return kvstore.ErrTooLarge
	case "ValidationException":
		if strings.Contains(strings.ToLower(msg), "size") {
			// "Item size has exceeded the maximum allowed size", or a
			// key over the key size limit.
			return kvstore.ErrTooLarge
		}
		return kvstore.ErrProtocol
	}
	if status != 0 {
		return statusKind(status)
	}
	return kvstore.ErrProtocol
}

// statusKind maps an HTTP status without a DynamoDB error code (a proxy
// or load balancer in front).
func statusKind(code int) error {
	switch {
	case code == 401 || code == 403:
		return kvstore.ErrUnauthorized
	case code == 404:
		return kvstore.ErrConfig
	case code == 413:
		return kvstore.ErrTooLarge
	case code == 408 || code == 504:
		return kvstore.ErrTimeout
	case code == 429 || code >= 500:
		return kvstore.ErrUnavailable
	}
	return kvstore.ErrProtocol
}
