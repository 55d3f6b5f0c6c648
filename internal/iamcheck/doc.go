// Package iamcheck proves each function's IAM policy in template.yaml by the
// AWS calls its code makes in the tests. DynamoDB Local, the local S3 and
// the other stand-ins enforce no IAM, so a call the policy forgets (a Query
// on an index when only the table is granted) would pass every test and
// fail on AWS.
//
// A Recorder, attached to the SDK clients a function's code uses in its
// tests, notes each call: service, operation, table and index, bucket and
// key, sending identity, secret. FunctionPolicy reads a function's policy
// statements from the template and resolves their resources symbolically
// (!GetAtt Table.Arn, !Sub "${Table.Arn}/index/*", a bucket's objects, an
// SES identity) into the ARNs of one World. Evaluate then answers, as IAM
// would, whether each recorded call is allowed — action and resource, index
// included, a transaction's item-level actions included — and which grants
// no call used.
//
// The tests that run a function's code build its clients with the
// function's recorder, For("OrganiserFunction") (dynamotest.ForFunction
// does it for a store on DynamoDB Local; internal/stack gives each function
// its own). After a package's tests, Settle (called by dynamotest.Main, or
// Main) fails when a recorded call is not allowed by the function's policy,
// naming function, action and resource, and holds the calls to the
// package's ledger, testdata/calls/<package>.json: a call missing from it,
// or, after a full run, one in it that no test makes any more, fails too
// (RETOURS_UPDATE_IAM_LEDGER=1 go test rewrites it). TestLedgersMatchPolicies
// here then holds each policy to the union of the ledgers, both ways: every
// call allowed, every grant used.
//
// It is used only by tests.
package iamcheck
