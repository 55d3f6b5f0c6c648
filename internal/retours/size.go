package retours

import "encoding/json"

// MaxEventBytes bounds an event's definition as stored: its JSON (sessions,
// questionnaire, settings), in which <, > and & take six bytes each
// (\u003c), as they are escaped to keep the JSON inert in a page. It leaves
// room under DynamoDB's 400 KB item limit for the item's keys and other
// attributes. A request body under its own limit can still pass it: 200
// KB of "<" is 1.2 MB stored.
const MaxEventBytes = 350 << 10

// EncodedSize returns the size in bytes of the event's definition as the
// stores keep it.
func (e *Event) EncodedSize() int {
	data, err := json.Marshal(e)
	if err != nil {
		return MaxEventBytes + 1 // nothing unencodable is stored
	}
	return len(data)
}

// checkSize refuses an event whose definition would not fit in one item.
func checkSize(e *Event) error {
	if e.EncodedSize() > MaxEventBytes {
		return NewError(EINVALID, "event.too_large", MaxEventBytes>>10)
	}
	return nil
}
