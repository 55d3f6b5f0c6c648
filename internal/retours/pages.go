package retours

import "context"

// AnswerPager reads an event's answers or notes a page at a time, so that a
// request reads a bounded number of them whatever the event's size (the
// organisers' list of texts to moderate). Pages come in the order of the
// submission ids, which participants' phones draw at random: an order that
// stays put as answers come in, but says nothing of their time.
type AnswerPager interface {
	// AnswersAfter returns up to limit answers of the event, those whose
	// submission ids come after after ("" for the first page), in the order
	// of their submission ids. Fewer than limit means there are no more.
	// EINVALID when after is not a submission id; EUNAVAILABLE if the
	// database is overloaded.
	AnswersAfter(ctx context.Context, eventID, after string, limit int) ([]*Answer, error)
	// NotesAfter is AnswersAfter for notes.
	NotesAfter(ctx context.Context, eventID, after string, limit int) ([]*Note, error)
}
