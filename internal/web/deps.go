package web

import (
	"cmp"
	"crypto/rand"
	"io"
	"log/slog"
	"time"
)

// Deps are what a function's handlers take from their host besides their
// stores: the clock, randomness for ids and tokens, and the logger. Tests
// set them; a zero field gets its default (WithDefaults).
type Deps struct {
	Now    func() time.Time
	Rand   io.Reader
	Logger *slog.Logger
	// Limiter counts what handlers limit themselves (LimitLogin); nil
	// limits nothing.
	Limiter Limiter
}

// WithDefaults returns d with its zero fields set: time.Now, crypto/rand,
// slog.Default().
func (d Deps) WithDefaults() Deps {
	if d.Now == nil {
		d.Now = time.Now
	}
	d.Rand = cmp.Or(d.Rand, io.Reader(rand.Reader))
	d.Logger = cmp.Or(d.Logger, slog.Default())
	return d
}
