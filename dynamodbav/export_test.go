package dynamodbav

import "github.com/aws/aws-lambda-go/events"

// DecodeImageBy decodes img into out as the decoders of this package do,
// and says how: "direct", "delegate" (out's type is left to
// attributevalue) or "redo" (the image is).
func DecodeImageBy(img map[string]events.DynamoDBAttributeValue, out any) (string, error) {
	return decodeImageBy(img, out)
}

// DecodeImageJSON is decodeImageJSON.
func DecodeImageJSON(img []byte, out any) error { return decodeImageJSON(img, out) }

// DecodeImageJSONBy decodes img, the JSON of an image, into out as
// decodeImageJSON does, and says how: "json", "json+delegate", "json+redo"
// (from the parsed JSON; attributevalue for out's type or for the image)
// or "fallback" (json.Unmarshal, then decodeImage).
func DecodeImageJSONBy(img []byte, out any) (string, error) { return decodeImageJSONBy(img, out) }

// RecordImages is recordImages.
func RecordImages(rec []byte) (newImg, oldImg []byte, ok bool) { return recordImages(rec) }

// RecordImagesChecked is recordImagesOf for JSON the event decoder checked.
func RecordImagesChecked(rec []byte, want int) (newImg, oldImg []byte, ok bool) {
	return recordImagesOf(rec, true, want)
}

// The images RecordImagesChecked may stop at.
const (
	WantOld = decodeOld
	WantNew = decodeNew
)
