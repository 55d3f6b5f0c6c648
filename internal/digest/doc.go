// Package digest writes and sends the weekly digest: every Monday morning,
// each organiser address gets one e-mail saying what came in during the past
// seven days on each of its events — new answers, satisfaction and NPS now
// and a week ago, new rapport d'étonnement notes, themes that appeared, and
// whether answers are still open.
//
// The figures come from the bilan aggregator (internal/bilan), run twice per
// event: over every answer, and over the answers older than the week. Sending
// is exactly once per organiser and ISO week: a conditional write claims
// each digest before it is sent and records it as sent after (see Run).
package digest
