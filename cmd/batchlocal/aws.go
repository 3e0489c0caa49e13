package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// awsConfig returns the SDK's configuration for region, with endpoint as
// the base endpoint when given. Against a server on this machine (moto,
// kinesalite, LocalStack, ElasticMQ), which checks no signature, static
// test credentials stand in when none are configured.
func awsConfig(ctx context.Context, region, endpoint string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{config.WithRegion(region)}
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return aws.Config{}, usagef("endpoint %q: want a URL such as http://127.0.0.1:5000", endpoint)
		}
		if loopback(u.Hostname()) && os.Getenv("AWS_ACCESS_KEY_ID") == "" && os.Getenv("AWS_PROFILE") == "" {
			opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, err
	}
	if endpoint != "" {
		cfg.BaseEndpoint = aws.String(endpoint)
	}
	return cfg, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// endpointError makes the SDK's error for a server that cannot be reached
// say so in one line.
func endpointError(endpoint string, err error) error {
	if err == nil {
		return nil
	}
	var op *net.OpError
	if errors.As(err, &op) {
		where := endpoint
		if where == "" {
			where = "the AWS endpoint"
		}
		return fmt.Errorf("cannot reach %s: %v (is the server running, and is the URL right?)", where, op.Err)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return fmt.Errorf("cannot reach %s: %v", endpoint, dns)
	}
	return err
}
