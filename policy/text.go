package policy

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// reason returns the text of a failure's error as the policies send it: at
// most MaxReason bytes, of characters SQS and SNS accept.
func reason(err error) string {
	if err == nil {
		return "unknown failure"
	}
	return cut(clean(err.Error()), MaxReason)
}

// clean returns s with every character that SQS does not accept in a
// message or attribute value (outside #x9, #xA, #xD, #x20-#xD7FF,
// #xE000-#xFFFD, #x10000-#x10FFFF, and invalid UTF-8) replaced with
// U+FFFD.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if !allowed(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // invalid UTF-8 ranges as RuneError, U+FFFD
		if !allowed(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

// allowed reports whether SQS accepts r in a message.
func allowed(r rune) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// cut returns s if it has at most n bytes, or else its longest prefix
// that ends at a character boundary and leaves room for "…", followed by
// "…"; "" when n leaves no room for a character and the ellipsis.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	n -= len(ellipsis)
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	if n == 0 {
		return ""
	}
	return s[:n] + ellipsis
}

// isNoRedrive reports whether err says that a queue has no redrive policy.
func isNoRedrive(err error) bool { return errors.Is(err, ErrNoDeadLetterQueue) }
