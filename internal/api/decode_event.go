package api

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/rawjson"
)

// readEvent is readJSON for the single-event publish, the request an LMS
// sends most: a body of the plain shape nearly all publishes have is read
// in one pass (decodeEventFast); any other takes readJSON's way, which
// decides and words every refusal.
func readEvent(r *http.Request, limit int64, in *eventInput) error {
	body, err := readBody(r, limit)
	if err != nil {
		return err
	}
	if decodeEventFast(body, in) {
		return nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return domain.Errorf(domain.EMALFORMED, "the request body is empty; send a JSON object")
	}
	*in = eventInput{}
	return decodeStrict(body, in, "")
}

// decodeEventFast decodes data, known to be UTF-8, into in when it is a
// JSON object of the known members, each at most once and spelled
// exactly, with strings free of escapes and data an object: then
// decodeStrict would give the same and refuse nothing. It reports false
// for anything else, leaving the verdict to decodeStrict.
func decodeEventFast(data []byte, in *eventInput) bool {
	i := rawjson.SkipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	const (
		seenType = 1 << iota
		seenData
		seenKey
		seenOccurred
		seenOrdering
	)
	var seen uint8
	for i = rawjson.SkipSpace(data, i+1); ; {
		end := plainString(data, i)
		if end < 0 {
			return false
		}
		key := data[i+1 : end-1]
		if i = rawjson.SkipSpace(data, end); i >= len(data) || data[i] != ':' {
			return false
		}
		i = rawjson.SkipSpace(data, i+1)
		var bit uint8
		switch string(key) {
		case "data":
			bit = seenData
			if i >= len(data) || data[i] != '{' {
				return false
			}
			vend := rawjson.SkipValue(data, i)
			if vend < 0 || !json.Valid(data[i:vend]) {
				return false
			}
			in.Data, i = data[i:vend], vend
		case "type", "idempotency_key", "occurred_at", "ordering_key":
			vend := plainString(data, i)
			if vend < 0 {
				return false
			}
			s := string(data[i+1 : vend-1])
			switch string(key) {
			case "type":
				bit, in.Type = seenType, s
			case "idempotency_key":
				bit, in.IdempotencyKey = seenKey, s
			case "ordering_key":
				bit, in.OrderingKey = seenOrdering, s
			default:
				bit, in.OccurredAt = seenOccurred, s
			}
			i = vend
		default:
			return false
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		if i = rawjson.SkipSpace(data, i); i >= len(data) {
			return false
		}
		switch data[i] {
		case ',':
			i = rawjson.SkipSpace(data, i+1)
		case '}':
			return rawjson.SkipSpace(data, i+1) == len(data)
		default:
			return false
		}
	}
}

// plainString returns the index just after the JSON string at data[i]
// when it holds neither escapes nor control characters (so that its
// bytes are its value), else -1.
func plainString(data []byte, i int) int {
	if i >= len(data) || data[i] != '"' {
		return -1
	}
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return j + 1
		case c == '\\' || c < 0x20:
			return -1
		}
	}
	return -1
}
