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
// In a function's tests:
//
//	var calls = iamcheck.NewRecorder()
//	client := dynamolocal.Client(endpoint, calls.DynamoDB) // and s3local's srv.Client(calls.S3)…
//	…
//	iamcheck.Check(t, "OrganiserFunction", calls.Calls(), iamcheck.World{Names: map[string]string{"Table": table}})
//
// It is used only by tests.
package iamcheck
