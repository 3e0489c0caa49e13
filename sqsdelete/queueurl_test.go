package sqsdelete_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/sqsdelete"
)

func TestQueueURL(t *testing.T) {
	long := strings.Repeat("q", 80)
	tests := []struct {
		name string
		arn  string
		want string // "" means an *ARNError
	}{
		{name: "standard queue", arn: "arn:aws:sqs:eu-west-1:123456789012:orders", want: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"},
		{name: "FIFO queue", arn: "arn:aws:sqs:us-east-1:123456789012:orders.fifo", want: "https://sqs.us-east-1.amazonaws.com/123456789012/orders.fifo"},
		{name: "China partition", arn: "arn:aws-cn:sqs:cn-north-1:123456789012:q_1", want: "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q_1"},
		{name: "GovCloud partition", arn: "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:Q-2", want: "https://sqs.us-gov-west-1.amazonaws.com/123456789012/Q-2"},
		{name: "name of 80 characters", arn: "arn:aws:sqs:eu-west-1:123456789012:" + long, want: "https://sqs.eu-west-1.amazonaws.com/123456789012/" + long},
		{name: "empty", arn: ""},
		{name: "not an ARN", arn: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"},
		{name: "too few parts", arn: "arn:aws:sqs:eu-west-1:123456789012"},
		{name: "another service", arn: "arn:aws:sns:eu-west-1:123456789012:orders"},
		{name: "empty region", arn: "arn:aws:sqs::123456789012:orders"},
		{name: "upper-case region", arn: "arn:aws:sqs:EU-WEST-1:123456789012:orders"},
		{name: "short account", arn: "arn:aws:sqs:eu-west-1:12345:orders"},
		{name: "account with letters", arn: "arn:aws:sqs:eu-west-1:12345678901x:orders"},
		{name: "empty name", arn: "arn:aws:sqs:eu-west-1:123456789012:"},
		{name: "only .fifo", arn: "arn:aws:sqs:eu-west-1:123456789012:.fifo"},
		{name: "name with a slash", arn: "arn:aws:sqs:eu-west-1:123456789012:a/b"},
		{name: "name with a colon", arn: "arn:aws:sqs:eu-west-1:123456789012:a:b"},
		{name: "name too long", arn: "arn:aws:sqs:eu-west-1:123456789012:" + long + "q"},
		{name: "unknown partition: ISO", arn: "arn:aws-iso:sqs:us-iso-east-1:123456789012:orders", want: "https://sqs.us-iso-east-1.amazonaws.com/123456789012/orders"},
		{name: "unknown partition: European Sovereign Cloud", arn: "arn:aws-eusc:sqs:eusc-de-east-1:123456789012:jobs.fifo", want: "https://sqs.eusc-de-east-1.amazonaws.com/123456789012/jobs.fifo"},
		{name: "invalid partition", arn: "arn:AWS:sqs:eu-west-1:123456789012:orders"},
		{name: "empty partition", arn: "arn::sqs:eu-west-1:123456789012:orders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sqsdelete.QueueURL(tt.arn)
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Errorf("got %q, %v, want %q, nil", got, err, tt.want)
				}
				return
			}
			var ae *sqsdelete.ARNError
			if !errors.As(err, &ae) || ae.ARN != tt.arn || got != "" {
				t.Errorf("got %q, %v, want \"\" and an *ARNError for %q", got, err, tt.arn)
			}
		})
	}
}

func TestEndpointQueueURL(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
		arn      string
		want     string
		wantErr  bool
	}{
		{name: "account and name on the endpoint", endpoint: "http://127.0.0.1:4566", arn: "arn:aws:sqs:us-east-1:000000000000:jobs.fifo", want: "http://127.0.0.1:4566/000000000000/jobs.fifo"},
		{name: "trailing slash ignored", endpoint: "http://localhost:9324/", arn: "arn:aws:sqs:us-east-1:000000000000:jobs", want: "http://localhost:9324/000000000000/jobs"},
		{name: "any partition", endpoint: "https://sqs.example", arn: "arn:aws-iso:sqs:us-iso-east-1:123456789012:jobs", want: "https://sqs.example/123456789012/jobs"},
		{name: "malformed ARN", endpoint: "http://127.0.0.1:4566", arn: "jobs", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sqsdelete.EndpointQueueURL(tt.endpoint)(tt.arn)
			var ae *sqsdelete.ARNError
			if tt.wantErr {
				if !errors.As(err, &ae) {
					t.Errorf("got %q, %v, want an *ARNError", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v, want %q, nil", got, err, tt.want)
			}
		})
	}
}

// FuzzQueueURL checks that any ARN gives a URL or an *ARNError, never a
// panic, and that a URL never carries more than the account and name.
func FuzzQueueURL(f *testing.F) {
	for _, s := range []string{"", "arn:aws:sqs:eu-west-1:123456789012:orders", "arn:aws:sqs:eu-west-1:123456789012:a.fifo", "arn:::::", "arn:aws:sqs:x:123456789012:a/../b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		got, err := sqsdelete.QueueURL(arn)
		if err != nil {
			var ae *sqsdelete.ARNError
			if !errors.As(err, &ae) {
				t.Fatalf("QueueURL(%q): got error %T, want *ARNError", arn, err)
			}
			return
		}
		rest := strings.TrimPrefix(got, "https://")
		if strings.Count(rest, "/") != 2 || strings.ContainsAny(rest, "?#%@ ") {
			t.Fatalf("QueueURL(%q) = %q: want https://host/account/name", arn, got)
		}
	})
}

// TestProcessUnknownPartition checks that messages of a partition QueueURL
// does not know are deleted all the same.
func TestProcessUnknownPartition(t *testing.T) {
	tests := []struct {
		name, arn, url string
	}{
		{name: "ISO", arn: "arn:aws-iso:sqs:us-iso-east-1:123456789012:orders", url: "https://sqs.us-iso-east-1.amazonaws.com/123456789012/orders"},
		{name: "European Sovereign Cloud", arn: "arn:aws-eusc:sqs:eusc-de-east-1:123456789012:orders", url: "https://sqs.eusc-de-east-1.amazonaws.com/123456789012/orders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := &fakeClient{}
			_, err := sqsdelete.New(sqsdelete.Config{Client: fc}, failIDs("m0"), batch.Options{}).Process(context.Background(), event(msgs("m", 3, tt.arn)))
			var e *sqsdelete.Error
			if !errors.As(err, &e) {
				t.Fatalf("got error %v, want *sqsdelete.Error", err)
			}
			if len(e.NotDeleted) != 0 {
				t.Errorf("got NotDeleted %v, want none", e.NotDeleted)
			}
			calls, _, _ := fc.snapshot()
			if len(calls) != 1 || calls[0].url != tt.url || !slices.Equal(calls[0].handles, handles("m1", "m2")) {
				t.Errorf("got calls %v, want one to %s deleting m1 and m2", calls, tt.url)
			}
		})
	}
}
