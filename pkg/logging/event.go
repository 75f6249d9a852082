package logging

import (
	"bytes"
	"encoding/json"
	"strconv"
)

type field struct {
	key  string
	text string // value as printed: strings unquoted, the rest as JSON
}

// event is a decoded zerolog line with its fields in emission order.
type event struct{ fields []field }

func (e event) str(key string) (string, bool) {
	for _, f := range e.fields {
		if f.key == key {
			return f.text, true
		}
	}
	return "", false
}

// decodeEvent reads one zerolog JSON object keeping the field order, so
// the text line lists fields in the order the code added them.
func decodeEvent(p []byte) (event, error) {
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // {
		return event{}, err
	}
	var ev event
	for dec.More() {
		tk, err := dec.Token()
		if err != nil {
			return event{}, err
		}
		key, _ := tk.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return event{}, err
		}
		text := string(raw)
		if len(raw) > 0 && raw[0] == '"' {
			if s, err := strconv.Unquote(text); err == nil {
				text = s
			} else {
				var s string
				if json.Unmarshal(raw, &s) == nil {
					text = s
				}
			}
		}
		ev.fields = append(ev.fields, field{key: key, text: text})
	}
	return ev, nil
}
