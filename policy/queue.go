package policy

import (
	"strings"
)

// QueueURL returns the URL of the queue named by an SQS queue ARN,
// arn:<partition>:sqs:<region>:<account>:<name>, such as the
// eventSourceARN of the messages Lambda delivers:
// arn:aws:sqs:eu-west-1:123456789012:orders becomes
// https://sqs.eu-west-1.amazonaws.com/123456789012/orders (amazonaws.com.cn
// in the aws-cn partition). It is the default of the QueueURL fields of
// the configurations, and the same URL as sqsdelete.QueueURL gives.
// aws-sdk-go-v2 sends a request to the client's own endpoint and passes
// the URL only to name the queue, so this URL also serves a client with a
// custom endpoint that accepts standard queue URLs, as moto does. A
// malformed ARN gives an [*ARNError].
func QueueURL(arn string) (string, error) {
	q, err := parseARN(arn)
	if err != nil {
		return "", err
	}
	domain := "amazonaws.com"
	if q.partition == "aws-cn" {
		domain = "amazonaws.com.cn"
	}
	return "https://sqs." + q.region + "." + domain + "/" + q.account + "/" + q.name, nil
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
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return bad("want arn:<partition>:sqs:<region>:<account>:<queue name>")
	}
	q := queueARN{partition: parts[1], region: parts[3], account: parts[4], name: parts[5]}
	switch {
	case parts[2] != "sqs":
		return bad("not an SQS ARN")
	case !isLabel(q.partition) || !isLabel(q.region):
		return bad("invalid partition or region")
	case len(q.account) != 12 || strings.Trim(q.account, "0123456789") != "":
		return bad("account is not 12 digits")
	case !validQueueName(q.name):
		return bad("queue name must be 1 to 80 letters, digits, hyphens or underscores, optionally ending in .fifo")
	}
	return q, nil
}

// isLabel reports whether s is a non-empty run of lower-case letters,
// digits and hyphens, like a partition or region name.
func isLabel(s string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}

// validQueueName reports whether s is a queue name SQS accepts.
func validQueueName(s string) bool {
	if len(s) > 80 {
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

// isFIFO reports whether a queue or topic ARN or URL names a FIFO queue or
// topic, which SQS and SNS tell by the ".fifo" suffix of the name.
func isFIFO(arnOrURL string) bool { return strings.HasSuffix(arnOrURL, ".fifo") }
