package organiser_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/retours/retours/internal/bilan/xlsx"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/organiser"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

// necDay is the tests' event, as the API takes it.
const necDay = webtest.NECDay

// newEnv is the organiser function's handler on an in-memory store: these
// tests are about what organisers and administrators send and get, not
// about the database (internal/stack tests the handlers on DynamoDB Local).
// Without a downloads bucket, it writes spreadsheets itself.
func newEnv(t testing.TB) *webtest.Env {
	t.Helper()
	st, c := memstore.New(), webtest.NewClock(webtest.T0.Add(3*time.Hour))
	srv := organiser.New(organiser.Config{Events: st, Answers: st, AdminToken: webtest.AdminToken, BaseURL: webtest.BaseURL, XLSX: xlsx.Write,
		Deps: web.Deps{Now: c.Now, Logger: slog.New(slog.DiscardHandler)}})
	return webtest.NewEnv(t, st, c, srv.Service())
}
