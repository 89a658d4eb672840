package format

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"time"
)

// maxSafeInteger is 2^53-1, the largest integer JavaScript (and so most
// JSON parsers in receivers) represents exactly.
const maxSafeInteger = 1<<53 - 1

// intID turns an LMS id into the integer a vendor format wants (Rise Up's
// ids are integers). A number, or a string of at most 15 digits, is kept as
// that integer; any other string becomes a stable 53-bit hash of its
// bytes (FNV-1a 64 masked to 2^53-1, never 0), so the same id always
// gives the same integer. nil stays nil.
func intID(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case json.Number:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil && n >= 0 && n <= maxSafeInteger {
			return n
		}
		return hash53(string(x))
	case string:
		if x == "" {
			return nil
		}
		if len(x) <= 15 && isDigits(x) {
			n, _ := strconv.ParseInt(x, 10, 64)
			return n
		}
		return hash53(x)
	default:
		return hash53(text(v))
	}
}

// hash53 is the 53-bit FNV-1a hash of s, never 0.
func hash53(s string) int64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	n := int64(h.Sum64() & maxSafeInteger)
	if n == 0 {
		n = 1
	}
	return n
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// uuidNamespace is the namespace of lmshooks' name-based UUIDs: the
// UUIDv5 of "lmshooks" in the URL namespace, fixed forever.
var uuidNamespace = uuid5Bytes([16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}, "lmshooks")

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// stableUUID returns name itself when it already is a UUID, else the
// UUIDv5 (RFC 9562, SHA-1 name-based) of name in lmshooks' namespace: the
// same name always gives the same UUID, so ids derived from event or
// delivery ids are stable across retries.
func stableUUID(name string) string {
	if uuidPattern.MatchString(name) {
		return name
	}
	return formatUUID(uuid5Bytes(uuidNamespace, name))
}

func uuid5Bytes(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

func formatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// Timestamp layouts of the formats.
const (
	// millisLayout is RFC 3339 UTC with milliseconds (Rise.com, IE, xAPI).
	millisLayout = "2006-01-02T15:04:05.000Z"
	// microsLayout is RFC 3339 UTC with microseconds (Rise Up).
	microsLayout = "2006-01-02T15:04:05.000000Z"
)

// retime re-renders an RFC 3339 timestamp string in layout (UTC); other
// values, and strings that are not timestamps, are returned unchanged.
func retime(v any, layout string) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return v
	}
	return t.UTC().Format(layout)
}

// isoDuration renders seconds as an ISO 8601 duration ("PT1H12M30S").
func isoDuration(seconds int64) string {
	if seconds <= 0 {
		return "PT0S"
	}
	h, m, s := seconds/3600, seconds/60%60, seconds%60
	out := "PT"
	if h > 0 {
		out += fmt.Sprintf("%dH", h)
	}
	if m > 0 {
		out += fmt.Sprintf("%dM", m)
	}
	if s > 0 {
		out += fmt.Sprintf("%dS", s)
	}
	return out
}
