//go:build legacy

package batch_test

import (
	"encoding/json"
	"io"
)

// jsonEncoder returns the encoder lambda.Start uses for responses.
func jsonEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}
