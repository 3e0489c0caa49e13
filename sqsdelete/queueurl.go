package sqsdelete

import (
	"strings"
)

// maxQueueName is the longest queue name SQS allows, ".fifo" included.
const maxQueueName = 80

// domain returns the DNS suffix of the SQS endpoints of a partition:
// exact for aws, aws-cn and aws-us-gov, and amazonaws.com for any other.
func domain(partition string) string {
	if partition == "aws-cn" {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// QueueURL returns the URL of the queue named by an SQS queue ARN of the form
// arn:<partition>:sqs:<region>:<account>:<name>, the eventSourceARN of the
// messages Lambda delivers: for example
// arn:aws:sqs:eu-west-1:123456789012:orders becomes
// https://sqs.eu-west-1.amazonaws.com/123456789012/orders. The host is
// exact for the partitions aws, aws-cn (amazonaws.com.cn) and aws-us-gov;
// for any other partition, such as aws-iso or aws-eusc, it is
// sqs.<region>.amazonaws.com, which names the queue by the same account and
// name (see below for why the host does not matter). A malformed ARN gives
// an [*ARNError].
//
// QueueURL is the default of [Config.QueueURL]. aws-sdk-go-v2 sends each
// request to the client's endpoint (from its region, or its BaseEndpoint if
// set), and the queue URL travels only as a parameter naming the queue; so
// this URL also serves a client with a custom endpoint whenever the server
// accepts standard queue URLs, as moto (which the tests of this package run
// against) does. For a server that wants URLs on its own address, use
// [EndpointQueueURL].
func QueueURL(arn string) (string, error) {
	q, err := parseARN(arn)
	if err != nil {
		return "", err
	}
	return "https://sqs." + q.region + "." + domain(q.partition) + "/" + q.account + "/" + q.name, nil
}

// EndpointQueueURL returns a resolver for [Config.QueueURL] that builds
// queue URLs on endpoint, as <endpoint>/<account>/<name>; use it with an SQS
// server that expects URLs of its own, such as a local test server. A
// trailing slash of endpoint is ignored.
func EndpointQueueURL(endpoint string) func(queueARN string) (string, error) {
	endpoint = strings.TrimRight(endpoint, "/")
	return func(arn string) (string, error) {
		q, err := parseARN(arn)
		if err != nil {
			return "", err
		}
		return endpoint + "/" + q.account + "/" + q.name, nil
	}
}

// queueARN is the parsed form of an SQS queue ARN.
type queueARN struct {
	partition, region, account, name string
}

// parseARN splits and checks an SQS queue ARN. It is strict about the
// account and name, since both become part of a URL.
func parseARN(arn string) (queueARN, error) {
	bad := func(reason string) (queueARN, error) {
		return queueARN{}, &ARNError{ARN: arn, Reason: reason}
	}
	if arn == "" {
		return bad("empty")
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return bad("want arn:<partition>:sqs:<region>:<account>:<queue name>")
	}
	q := queueARN{partition: parts[1], region: parts[3], account: parts[4], name: parts[5]}
	switch {
	case parts[2] != "sqs":
		return bad("service is " + quoteOrEmpty(parts[2]) + ", want sqs")
	case !isLabel(q.partition):
		return bad("invalid partition")
	case !isLabel(q.region):
		return bad("invalid region")
	case len(q.account) != 12 || !allDigits(q.account):
		return bad("account is not 12 digits")
	case !validQueueName(q.name):
		return bad("queue name must be 1 to 80 letters, digits, hyphens or underscores, optionally ending in .fifo")
	}
	return q, nil
}

func quoteOrEmpty(s string) string {
	if s == "" {
		return "empty"
	}
	return `"` + s + `"`
}

// isLabel reports whether s is a non-empty run of lower-case letters, digits
// and hyphens, like a partition or region name.
func isLabel(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validQueueName reports whether s is a queue name SQS accepts.
func validQueueName(s string) bool {
	if len(s) == 0 || len(s) > maxQueueName {
		return false
	}
	base := strings.TrimSuffix(s, ".fifo")
	if base == "" {
		return false
	}
	for i := 0; i < len(base); i++ {
		c := base[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
