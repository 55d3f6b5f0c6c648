// Package secrets reads the deployment's secrets from AWS Secrets Manager
// when a function starts. It stands apart from internal/app so that only the
// functions that read secrets (organiser, digest) link the Secrets Manager
// client; the participants' function does not.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/retours/retours/internal/app"
)

// SecretReader is the one Secrets Manager call the functions make:
// *secretsmanager.Client.
type SecretReader interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
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
	sm := secretsmanager.NewFromConfig(awsCfg, func(o *secretsmanager.Options) {
		if e := app.Endpoint(os.Getenv, "SECRETS_MANAGER"); e != nil {
			o.BaseEndpoint = e
		}
	})
	return Resolve(ctx, sm, os.Getenv)
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
		out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
		if err != nil {
			// The SDK's message names the secret and the cause (access
			// denied, not found); it holds no secret value.
			var api smithy.APIError
			if errors.As(err, &api) {
				return nil, fmt.Errorf("configuration: reading %s from %s (%s): %s: %s", name, arn, arnVar, api.ErrorCode(), api.ErrorMessage())
			}
			return nil, fmt.Errorf("configuration: reading %s from %s (%s): %w", name, arn, arnVar, err)
		}
		v := strings.TrimSpace(aws.ToString(out.SecretString))
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
