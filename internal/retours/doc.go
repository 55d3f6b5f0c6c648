// Package retours holds the domain of retours: events and their sessions,
// questionnaires, participants' answers and rapport d'étonnement notes, the
// rules that govern them (validation, answer windows, organiser tokens) and
// the store interfaces that implementations such as internal/dynamo satisfy.
//
// It imports neither AWS nor net/http: transports decode their input into the
// plain values accepted here, and map the *Error values returned here to their
// own statuses. An *Error carries a message key of this package's catalogue
// (messages.go), not a sentence: whoever shows it to a person reads it in
// that person's language with ErrorMessage and FieldMessage. Store methods
// return EUNAVAILABLE when the database is overloaded (the caller may try
// again); each method says which other codes it returns.
package retours
