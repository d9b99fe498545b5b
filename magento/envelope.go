package magento

import (
	"bytes"
	"encoding/json"
	"regexp"
	"time"

	"ledger/domain"
)

var eventNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$`)

// ValidEventName reports whether s is a well-formed Byte8 event name:
// lowercase "word.word", at most 64 characters (the outbox column width).
func ValidEventName(s string) bool { return len(s) <= 64 && eventNameRE.MatchString(s) }

// ParseEnvelope decodes a webhook body (protocol §4.2). It is strict about
// the fields it knows and tolerant of extra keys: magento_entity_id is a
// JSON integer ≥ 1, website_id and store_id are integers ≥ 0 (absent → 0),
// occurred_at is an RFC 3339 string, payload is an object (absent or null →
// {}). Every refusal is an EInvalid *domain.Error naming the field.
func ParseEnvelope(body []byte) (domain.Envelope, error) {
	var env domain.Envelope
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return env, invalid(err, "The webhook body must be a JSON object.")
	}
	var err error
	if env.MagentoEntityID, err = intField(m, "magento_entity_id", true, 1); err != nil {
		return env, err
	}
	if env.WebsiteID, err = intField(m, "website_id", false, 0); err != nil {
		return env, err
	}
	if env.StoreID, err = intField(m, "store_id", false, 0); err != nil {
		return env, err
	}
	raw, ok := m["occurred_at"]
	if !ok || rawString(raw) == "" {
		return env, invalid(nil, "The webhook body needs occurred_at as an RFC 3339 timestamp string.")
	}
	env.OccurredAt = rawString(raw)
	if _, err := time.Parse(time.RFC3339, env.OccurredAt); err != nil {
		return env, invalid(err, "The webhook body's occurred_at %q is not an RFC 3339 timestamp.", truncate(env.OccurredAt, 40))
	}
	p := bytes.TrimSpace(m["payload"])
	switch {
	case len(p) == 0 || string(p) == "null":
		env.Payload = json.RawMessage(`{}`)
	case p[0] == '{':
		var buf bytes.Buffer
		if err := json.Compact(&buf, p); err != nil {
			return env, invalid(err, "The webhook body's payload is not valid JSON.")
		}
		env.Payload = json.RawMessage(buf.Bytes())
	default:
		return env, invalid(nil, "The webhook body's payload must be a JSON object.")
	}
	return env, nil
}

// intField reads a JSON integer ≥ min; absent (or null) is an error when
// required and 0 otherwise.
func intField(m map[string]json.RawMessage, name string, required bool, min int64) (int64, error) {
	raw := bytes.TrimSpace(m[name])
	if len(raw) == 0 || string(raw) == "null" {
		if required {
			return 0, invalid(nil, "The webhook body needs %s as an integer.", name)
		}
		return 0, nil
	}
	v, ok := rawInt(raw)
	if !ok || v < min {
		return 0, invalid(nil, "The webhook body's %s must be an integer of at least %d.", name, min)
	}
	return v, nil
}

func invalid(err error, format string, args ...any) *domain.Error {
	return domain.Wrap(domain.EInvalid, err, format, args...)
}

// truncate cuts s to at most n bytes on a character boundary, marking the
// cut: a message cut inside a character would put invalid UTF-8 in logs and
// pages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return cutUTF8(s, n) + "…"
}
