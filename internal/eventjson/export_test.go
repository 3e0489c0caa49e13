package eventjson

// For the tests of Unknown, which take names out of the table.
var (
	UnknownIn   = unknown
	KnownFields = knownFields
)
