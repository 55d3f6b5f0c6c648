// Package retours holds the domain of retours: events and their sessions,
// questionnaires, participants' answers and rapport d'étonnement notes, the
// rules that govern them (validation, answer windows, organiser tokens) and
// the store interfaces that implementations such as internal/dynamo satisfy.
//
// It imports neither AWS nor net/http: transports decode their input into the
// plain values accepted here, and map the *Error values returned here to their
// own statuses.
package retours
