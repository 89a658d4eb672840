package api

import (
	"encoding/json"
)

// formatOptionsOut renders stored format options; none is {}.
func formatOptionsOut(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage(`{}`)
	}
	return raw
}
