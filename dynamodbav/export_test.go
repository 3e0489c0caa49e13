package dynamodbav

import "github.com/aws/aws-lambda-go/events"

// DecodeImageBy decodes img into out as the decoders of this package do,
// and says how: "direct", "delegate" (out's type is left to
// attributevalue) or "redo" (the image is).
func DecodeImageBy(img map[string]events.DynamoDBAttributeValue, out any) (string, error) {
	return decodeImageBy(img, out)
}
