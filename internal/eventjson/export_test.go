package eventjson

// For the tests of Unknown, which take names out of the table.
var (
	UnknownIn   = unknown
	KnownFields = knownFields
)

// MaxFieldNames is the most names a list of fields may have (see keyOrder).
const MaxFieldNames = maxFieldNames
