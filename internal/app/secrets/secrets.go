// Package secrets reads the deployment's secrets from AWS Secrets Manager
// when a function starts. It stands apart from internal/app so that only the
// functions that read secrets (organiser, digest) link it; the participants'
// function does not.
//
// It sends Secrets Manager's GetSecretValue request itself (Client), signed
// with the SDK's Signature Version 4 signer, rather than through the SDK's
// Secrets Manager client: that client's package, linked for this one call,
// initialised its schemas and endpoint tables at every cold start of the
// functions that link it.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/retours/retours/internal/app"
)

// SecretReader is the one Secrets Manager call the functions make,
// GetSecretValue: *Client.
type SecretReader interface {
	// SecretString returns the text of the secret id, a name or an ARN;
	// Secrets Manager's refusal is a smithy.APIError.
	SecretString(ctx context.Context, id string) (string, error)
}

// secretVars pairs each secret configuration variable with the variable
// that names, on AWS, the Secrets Manager secret holding it.
var secretVars = [][2]string{
	{"ADMIN_TOKEN", "ADMIN_TOKEN_SECRET_ARN"},
	{"DIGEST_SECRET", "DIGEST_SECRET_ARN"},
}

// FromAWS resolves the process's environment (os.Getenv) with the secrets
// of Secrets Manager in the region and role of awsCfg: app.Options.Secrets.
func FromAWS(ctx context.Context, awsCfg aws.Config) (func(string) string, error) {
	if !slices.ContainsFunc(secretVars, func(v [2]string) bool { return os.Getenv(v[1]) != "" }) {
		return os.Getenv, nil // locally: no client to make
	}
	return Resolve(ctx, NewClient(awsCfg, Endpoint(app.Endpoint(os.Getenv, "SECRETS_MANAGER"))), os.Getenv)
}

// Resolve reads, once at start-up, the secrets whose ARN the environment
// names (ADMIN_TOKEN_SECRET_ARN, DIGEST_SECRET_ARN) and returns getenv with
// ADMIN_TOKEN and DIGEST_SECRET answered from them, for app.FromEnv. On AWS the
// template sets only the ARNs, so the secrets never sit in the function's
// configuration; locally the ARNs are unset and getenv's own ADMIN_TOKEN and
// DIGEST_SECRET are used, without a call.
func Resolve(ctx context.Context, sm SecretReader, getenv func(string) string) (func(string) string, error) {
	values := map[string]string{}
	for _, v := range secretVars {
		name, arnVar := v[0], v[1]
		arn := getenv(arnVar)
		if arn == "" {
			continue
		}
		if getenv(name) != "" {
			return nil, fmt.Errorf("configuration: set %s or %s, not both", name, arnVar)
		}
		out, err := sm.SecretString(ctx, arn)
		if err != nil {
			// Secrets Manager's message names the secret and the cause (access
			// denied, not found); it holds no secret value.
			var api smithy.APIError
			if errors.As(err, &api) {
				return nil, fmt.Errorf("configuration: reading %s from %s (%s): %s: %s", name, arn, arnVar, api.ErrorCode(), api.ErrorMessage())
			}
			return nil, fmt.Errorf("configuration: reading %s from %s (%s): %w", name, arn, arnVar, err)
		}
		v := strings.TrimSpace(out)
		if v == "" {
			return nil, fmt.Errorf("configuration: the secret %s (%s) holds no text", arn, arnVar)
		}
		values[name] = v
	}
	if len(values) == 0 {
		return getenv, nil
	}
	return func(k string) string {
		if v, ok := values[k]; ok {
			return v
		}
		return getenv(k)
	}, nil
}
