// Package dynamodbav decodes the item images of DynamoDB Streams records into
// Go values, for functions built with [batch.New] on [batch.DynamoDB].
//
// Images decode as aws-sdk-go-v2's attributevalue package
// ([attributevalue.UnmarshalMap], default options) decodes them, so
// structs use the same `dynamodbav` tags, and the same rules, as the code
// that writes the items with that package. The package lives in its own
// module so that the core package does not depend on aws-sdk-go-v2.
//
// Give one of its decoders to [batch.Source.DecodeJSON]; the handler takes a
// [Change] of your item type, which holds the kind of change, the images
// and the record:
//
//	fn := batch.New(batch.DynamoDB().DecodeJSON(dynamodbav.NewImage), func(ctx context.Context, c dynamodbav.Change[Order]) error {
//		if c.New == nil { // REMOVE
//			return nil
//		}
//		return index(ctx, c.New)
//	}, batch.Options{})
//
// A handler may also take the item type itself, decoded from the new (or
// old) image; a record without that image (a REMOVE has no new image) then
// fails with a [*batch.DecodeError] wrapping [batch.ErrNoPayload], so use
// Change on a table whose items are deleted.
//
// An image that cannot be decoded fails its record with a
// [*batch.DecodeError] (Part "NewImage" or "OldImage") whose error names
// the attribute, such as "attribute parts[0].qty"; a decoded item whose
// Validate() error method (on T or *T) fails makes a
// [*batch.ValidationError]. In both cases the handler is not called and the
// other records go on.
//
// # How images are decoded
//
// In [batch.Function.Invoke] (what lambda.Start calls), with
// [batch.Source.DecodeJSON], the decoders read the image from the event's
// JSON: the event decoder leaves the images unbuilt, and the image is
// parsed once into a pooled, flat list of its attribute values, then
// decoded into the item. Where the record carries no JSON
// ([batch.Function.Handle], [batch.Function.Process], or an event that
// encoding/json decoded), they read aws-lambda-go's attribute values
// instead. Both ways give the same results, errors included (a record
// with several invalid attributes names one of them), and both fill the
// item by a plan made once per item type, by reflection: field names
// and tags (the name, `-`, `string`), promoted fields of embedded structs,
// pointers, strings, bools, numbers of every size (out of range is an
// error), []byte from B, slices and arrays from L and from sets, maps from
// M, time.Time from an RFC 3339 S or an N of Unix seconds, and any (map[string]any,
// []any, float64 and so on), all with attributevalue's results, errors
// included, without building the SDK's attribute values first.
//
// An image whose JSON repeats a key, or that aws-lambda-go would reject,
// is decoded the long way (encoding/json into aws-lambda-go's values,
// then as above), so that the result, or the error, is the same. Strings
// of the item are copies, never slices of the event, so that a string a
// handler keeps does not keep the event in memory; those of one image
// share one allocation.
//
// What the plan does not model is left to attributevalue, on the
// converted value ([AttributeValues]): a type implementing
// [attributevalue.Unmarshaler] (only that attribute is converted), a map
// whose keys implement [encoding.TextUnmarshaler], a struct with an
// embedded field of an unexported non-struct type or an embedded pointer
// to an unexported struct type, and an image with two attributes that
// would fill the same field (names differing only in case). Where
// attributevalue panics (a value for an interface with methods, a B into a
// byte array of another length) the record fails with an error instead.
package dynamodbav
