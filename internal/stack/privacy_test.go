package stack_test

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/ratelimit"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/stack"
	"github.com/retours/retours/internal/webtest"
)

// rawItems returns every item of the test table, straight from DynamoDB.
func (e *testEnv) rawItems() []map[string]types.AttributeValue {
	e.t.Helper()
	var items []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(dynamotest.Client(e.t), &dynamodb.ScanInput{TableName: aws.String(e.dynamo.Table()), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(e.t.Context())
		if err != nil {
			e.t.Fatal(err)
		}
		items = append(items, page.Items...)
	}
	return items
}

// query returns the items of the table (or of index, when set) whose
// partition key is pk and whose sort key starts with prefix, if not empty.
func (e *testEnv) query(index, pkAttr, pk, skAttr, prefix string) []map[string]types.AttributeValue {
	e.t.Helper()
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(e.dynamo.Table()),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": pkAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
	}
	if prefix != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND begins_with(#sk, :prefix)")
		in.ExpressionAttributeNames["#sk"] = skAttr
		in.ExpressionAttributeValues[":prefix"] = &types.AttributeValueMemberS{Value: prefix}
	}
	if index != "" {
		in.IndexName = aws.String(index)
	} else {
		in.ConsistentRead = aws.Bool(true)
	}
	out, err := dynamotest.Client(e.t).Query(e.t.Context(), in)
	if err != nil {
		e.t.Fatal(err)
	}
	return out.Items
}

func attrS(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func TestTokenRotation(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	other := env.MustCreateEvent(necDay)
	bilan := "/api/events/" + ce.ID + "/bilan"
	rotate := "/api/events/" + ce.ID + "/token"
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

	for _, tc := range []struct {
		name   string
		header []string
		want   int
	}{
		{"no token", nil, http.StatusUnauthorized},
		{"wrong token", bearer("rto_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), http.StatusForbidden},
		{"another event's token", bearer(other.OrganiserToken), http.StatusForbidden},
		{"admin token", bearer(adminToken), http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if rec := env.Do("POST", rotate, nil, tc.header...); rec.Code != tc.want {
				t.Errorf("status = %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
		})
	}
	if rec := env.Do("GET", bilan, nil, bearer(ce.OrganiserToken)...); rec.Code != http.StatusOK {
		t.Fatalf("the token stopped working after refused rotations: %d", rec.Code)
	}

	rec := env.Do("POST", rotate, nil, bearer(ce.OrganiserToken)...)
	var got struct {
		ID             string `json:"id"`
		OrganiserToken string `json:"organiser_token"`
		OrganiserURL   string `json:"organiser_url"`
	}
	webtest.MustJSON(t, rec.Body.Bytes(), &got)
	if rec.Code != http.StatusOK || got.ID != ce.ID || !strings.HasPrefix(got.OrganiserToken, "rto_") || got.OrganiserToken == ce.OrganiserToken {
		t.Fatalf("rotation = %d %s, want a new token", rec.Code, rec.Body)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store: the token must not be cached", cc)
	}
	for _, tc := range []struct {
		name, token string
		want        int
	}{
		{"old token", ce.OrganiserToken, http.StatusForbidden},
		{"new token", got.OrganiserToken, http.StatusOK},
		{"other event unaffected", other.OrganiserToken, http.StatusForbidden},
	} {
		t.Run("after rotation/"+tc.name, func(t *testing.T) {
			if rec := env.Do("GET", bilan, nil, bearer(tc.token)...); rec.Code != tc.want {
				t.Errorf("bilan = %d, want %d", rec.Code, tc.want)
			}
		})
	}
	// The old token can rotate no more, nor can it be used as a cookie.
	if rec := env.Do("POST", rotate, nil, bearer(ce.OrganiserToken)...); rec.Code != http.StatusForbidden {
		t.Errorf("rotation with the old token = %d, want 403", rec.Code)
	}
	if rec := env.Do("GET", bilan, nil, "Cookie", "retours_organiser="+ce.OrganiserToken); rec.Code != http.StatusForbidden {
		t.Errorf("old token in the cookie = %d, want 403", rec.Code)
	}
	ev, err := env.Store.Event(t.Context(), ce.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Accesses) != 1 || ev.Accesses[0].Hash != retours.HashToken(got.OrganiserToken) {
		t.Errorf("stored accesses %+v: not the new token's hash", ev.Accesses)
	}
	for _, item := range env.rawItems() {
		for name, v := range item {
			if s, ok := v.(*types.AttributeValueMemberS); ok && (strings.Contains(s.Value, got.OrganiserToken) || strings.Contains(s.Value, ce.OrganiserToken)) {
				t.Errorf("attribute %s holds a token in clear", name)
			}
		}
	}
}

func TestExport(t *testing.T) {
	env := newMemEnv(t)
	ce := env.MustCreateEvent(necDay)
	other := env.MustCreateEvent(necDay)
	atelier := ce.Sessions[1].ID
	subs := []string{webtest.UUID(t), webtest.UUID(t)}
	for i, sub := range subs {
		env.Clock.Set(t0.Add(time.Duration(3+i) * time.Hour))
		rec := env.PostJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+sub+`","session":"`+atelier+`","answers":{"satisfaction":`+strconv.Itoa(4+i)+`,"commentaire":"Réponse `+strconv.Itoa(i)+`"}}`)
		if rec.Code != http.StatusCreated {
			t.Fatalf("answer = %d %s", rec.Code, rec.Body)
		}
	}
	env.PostForm("/e/"+ce.ID+"/notes", url.Values{"submission_id": {webtest.UUID(t)}, "kind": {"etonnement"}, "text": {"Une note étonnée"}})
	env.PostJSON("/e/"+other.ID+"/answers", `{"submission_id":"`+webtest.UUID(t)+`","answers":{"satisfaction":1,"commentaire":"Autre événement"}}`)

	path := "/api/events/" + ce.ID + "/export"
	if rec := env.Do("GET", path, nil, "Authorization", "Bearer "+other.OrganiserToken); rec.Code != http.StatusForbidden {
		t.Errorf("export with another event's token = %d, want 403", rec.Code)
	}
	rec := env.Do("GET", path, nil, "Authorization", "Bearer "+ce.OrganiserToken)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), "retours-"+ce.ID+".json") {
		t.Fatalf("export = %d %v", rec.Code, rec.Header())
	}
	var doc struct {
		Format    string    `json:"format"`
		ExpiresAt time.Time `json:"expires_at"`
		Event     struct {
			ID              string  `json:"id"`
			Title           string  `json:"title"`
			Sessions        []json0 `json:"sessions"`
			Questionnaire   struct{ Questions []json0 }
			OrganiserEmails []string `json:"organiser_emails"`
		} `json:"event"`
		Answers []retours.Answer `json:"answers"`
		Notes   []retours.Note   `json:"notes"`
	}
	webtest.MustJSON(t, rec.Body.Bytes(), &doc)
	body := rec.Body.String()
	if doc.Format != "retours-export/1" || doc.Event.ID != ce.ID || len(doc.Event.Sessions) != 5 || len(doc.Event.Questionnaire.Questions) == 0 ||
		!slices.Equal(doc.Event.OrganiserEmails, []string{"orga@example.org"}) {
		t.Errorf("export event = %+v", doc.Event)
	}
	if want := time.Date(2028, 10, 13, 15, 30, 0, 0, time.UTC); !doc.ExpiresAt.Equal(want) {
		t.Errorf("expires_at = %v, want %v", doc.ExpiresAt, want)
	}
	if len(doc.Answers) != 2 || doc.Answers[0].SubmissionID != subs[0] || doc.Answers[1].Values["commentaire"].Text != "Réponse 1" || doc.Answers[0].SessionID != atelier {
		t.Errorf("export answers = %+v", doc.Answers)
	}
	if len(doc.Notes) != 1 || doc.Notes[0].Text != "Une note étonnée" {
		t.Errorf("export notes = %+v", doc.Notes)
	}
	if strings.Contains(body, "Autre événement") || strings.Contains(body, "token") || strings.Contains(body, ce.OrganiserToken) {
		t.Errorf("export holds another event's answer or a token:\n%s", body)
	}
}

// json0 stands for a JSON object whose content the test does not look at.
type json0 = map[string]any

func TestEraseEvent(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	other := env.MustCreateEvent(necDay)
	for _, id := range []string{ce.ID, other.ID} {
		for i := 0; i < 30; i++ { // more than one batch of deletes
			env.PostJSON("/e/"+id+"/answers", `{"submission_id":"`+webtest.UUID(t)+`","answers":{"satisfaction":3}}`)
		}
		env.PostJSON("/e/"+id+"/notes", `{"submission_id":"`+webtest.UUID(t)+`","kind":"point-fort","text":"Bien"}`)
	}
	if a, n := env.countItems(ce.ID); a != 30 || n != 1 {
		t.Fatalf("stored %d answers and %d notes, want 30 and 1", a, n)
	}
	env.drain()
	before := len(env.rawItems())
	path := "/api/events/" + ce.ID
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	for _, tc := range []struct {
		name, query string
		header      []string
		want        int
	}{
		{"no token", "?confirm=" + ce.ID, nil, http.StatusUnauthorized},
		{"another event's token", "?confirm=" + ce.ID, []string{"Authorization", "Bearer " + other.OrganiserToken}, http.StatusForbidden},
		{"admin token", "?confirm=" + ce.ID, []string{"Authorization", "Bearer " + adminToken}, http.StatusForbidden},
		{"no confirmation", "", auth, http.StatusBadRequest},
		{"confirmation of another event", "?confirm=" + other.ID, auth, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.Do("DELETE", path+tc.query, nil, tc.header...)
			if rec.Code != tc.want {
				t.Errorf("status = %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
			if n := len(env.rawItems()); n != before {
				t.Errorf("%d items in the table, want %d: nothing erased", n, before)
			}
		})
	}
	if rec := env.Do("DELETE", path, nil, auth...); !strings.Contains(rec.Body.String(), "?confirm="+ce.ID) {
		t.Errorf("refusal does not say how to confirm: %s", rec.Body)
	}

	rec := env.Do("DELETE", path+"?confirm="+ce.ID, nil, auth...)
	if rec.Code != http.StatusAccepted || !strings.Contains(rec.Body.String(), `"state":"erasing"`) {
		t.Fatalf("erase = %d %s, want the erasure under way", rec.Code, rec.Body)
	}
	// The event, 30 answers, a note, its activity and the event's entry in
	// its series.
	if p := env.erased(ce.ID, ce.OrganiserToken); p["erased_items"] != float64(34) || p["finished_at"] == nil {
		t.Fatalf("erasure = %v, want 34 items erased", p)
	}
	if rec := env.Do("DELETE", path+"?confirm="+ce.ID, nil, auth...); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"state":"erased"`) {
		t.Errorf("erase again = %d %s, want the erasure's end", rec.Code, rec.Body)
	}
	// What the stream still carries about the event brings nothing back.
	env.drain()
	// Read the table back: nothing of the event is left, in the table or in
	// its index, and the other event is whole.
	if items := env.query("", dynamo.AttrPK, "EVENT#"+ce.ID, dynamo.AttrSK, ""); len(items) != 0 {
		t.Errorf("%d items left in the event's partition", len(items))
	}
	activities := 0
	for _, item := range env.query(dynamo.IndexGSI1, dynamo.AttrGSI1PK, "ACTIVITY", dynamo.AttrGSI1SK, "") {
		switch {
		case strings.HasSuffix(attrS(item, dynamo.AttrGSI1SK), "#"+ce.ID):
			t.Errorf("the event's activity is still listed in %s", dynamo.IndexGSI1)
		case strings.HasSuffix(attrS(item, dynamo.AttrGSI1SK), "#"+other.ID):
			activities++
		}
	}
	if activities != 1 {
		t.Errorf("the other event has %d activities in %s, want 1", activities, dynamo.IndexGSI1)
	}
	for _, item := range env.query(dynamo.IndexGSI1, dynamo.AttrGSI1PK, "EVENTS", dynamo.AttrGSI1SK, "") {
		if strings.HasSuffix(attrS(item, dynamo.AttrGSI1SK), "#"+ce.ID) {
			t.Errorf("the event is still listed in %s", dynamo.IndexGSI1)
		}
	}
	kept := 0
	for _, item := range env.rawItems() {
		if attrS(item, dynamo.AttrPK) == "EVENT#"+ce.ID || strings.HasPrefix(attrS(item, dynamo.AttrGSI1SK), ce.ID+"#") ||
			strings.HasSuffix(attrS(item, dynamo.AttrSK), "#"+ce.ID) || strings.HasSuffix(attrS(item, dynamo.AttrGSI1SK), "#"+ce.ID) {
			t.Errorf("item %s %s left after erasure", attrS(item, dynamo.AttrPK), attrS(item, dynamo.AttrSK))
		}
		walkStrings(item, func(s string) {
			if s == ce.ID {
				t.Errorf("item %s %s still names the event", attrS(item, dynamo.AttrPK), attrS(item, dynamo.AttrSK))
			}
		})
		if strings.HasSuffix(attrS(item, dynamo.AttrSK), "#"+other.ID) {
			kept++
		}
	}
	if kept != 1 {
		t.Errorf("the other event has %d series entries, want 1", kept)
	}
	// The erasure's record stays a week, naming the event by a hash only.
	if n := len(env.rawItems()); n != before-34+1 {
		t.Errorf("%d items in the table, want %d: the erasure's record alone", n, before-34+1)
	}
	if a, n := env.countItems(other.ID); a != 30 || n != 1 {
		t.Errorf("other event has %d answers and %d notes, want 30 and 1", a, n)
	}
	// The event is gone for everyone; its organisers see its erasure.
	for _, tc := range []struct{ method, path string }{
		{"GET", "/e/" + ce.ID},
		{"GET", "/api/events/" + ce.ID + "/bilan"},
	} {
		if rec := env.Do(tc.method, tc.path, nil, auth...); rec.Code != http.StatusNotFound {
			t.Errorf("%s %s after erasure = %d, want 404", tc.method, tc.path, rec.Code)
		}
	}
	if rec := env.PostJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+webtest.UUID(t)+`","answers":{"satisfaction":3}}`); rec.Code != http.StatusNotFound {
		t.Errorf("answer after erasure = %d, want 404", rec.Code)
	}
}

// TestRetention: answers, notes and the event carry a TTL (expires_at) from
// the event's retention: 24 months after the event ends by default, the
// deployment's RETENTION_MONTHS, or the event's own retention_months.
func TestRetention(t *testing.T) {
	ends := time.Date(2026, 10, 13, 15, 30, 0, 0, time.UTC) // necDay ends at 17:30 in Paris
	for _, tc := range []struct {
		name       string
		deployment int // 0: the default
		event      int // 0: the deployment's
		want       time.Time
	}{
		{"default", 0, 0, ends.AddDate(2, 0, 0)},
		{"deployment", 6, 0, ends.AddDate(0, 6, 0)},
		{"event", 6, 3, ends.AddDate(0, 3, 0)},
		{"event longer than deployment", 6, 36, ends.AddDate(3, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnvWith(t, dynamotest.NewStore(t), func(c *stack.Config) { c.RetentionMonths = tc.deployment })
			body := necDay
			if tc.event != 0 {
				body = strings.Replace(necDay, `"registered_count": 165,`, `"registered_count": 165, "retention_months": `+strconv.Itoa(tc.event)+`,`, 1)
			}
			ce := env.MustCreateEvent(body)
			sub := webtest.UUID(t)
			if rec := env.PostJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+sub+`","answers":{"satisfaction":5}}`); rec.Code != http.StatusCreated {
				t.Fatalf("answer = %d %s", rec.Code, rec.Body)
			}
			if rec := env.PostForm("/e/"+ce.ID+"/notes", url.Values{"submission_id": {sub}, "kind": {"etonnement"}, "text": {"Oh"}}); rec.Code != http.StatusOK {
				t.Fatalf("note = %d %s", rec.Code, rec.Body)
			}
			items := env.query("", dynamo.AttrPK, "EVENT#"+ce.ID, dynamo.AttrSK, "")
			if len(items) != 3 {
				t.Fatalf("%d items, want the event, an answer and a note", len(items))
			}
			for _, item := range items {
				exp, ok := item[dynamo.AttrExpires].(*types.AttributeValueMemberN)
				if !ok {
					t.Errorf("%s has no %s", attrS(item, dynamo.AttrSK), dynamo.AttrExpires)
					continue
				}
				if got := exp.Value; got != strconv.FormatInt(tc.want.Unix(), 10) {
					t.Errorf("%s %s = %s, want %d (%v)", attrS(item, dynamo.AttrSK), dynamo.AttrExpires, got, tc.want.Unix(), tc.want)
				}
			}
		})
	}
}

// TestNoIPOrUserAgentStored: stored answers and notes hold only the expected
// attributes, and nothing from the request's network or browser.
func TestNoIPOrUserAgentStored(t *testing.T) {
	env := newEnvWith(t, dynamotest.NewStore(t), func(c *stack.Config) { c.Limits = true })
	ce := env.MustCreateEvent(necDay)
	const ip, ua = "203.0.113.77", "Mozilla/5.0 (Retours-UA-Marker)"
	header := []string{"User-Agent", ua, "X-Forwarded-For", ip, "X-Real-Ip", ip, "Forwarded", "for=" + ip, "Accept-Language", "en",
		"Cookie", "tracker=Retours-UA-Marker"}
	session := ce.Sessions[0].ID
	sub := webtest.UUID(t)
	for _, rec := range []interface{ Result() *http.Response }{
		env.PostJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+sub+`","session":"`+session+`","answers":{"satisfaction":5,"rencontres":"oui","commentaire":"Bien"}}`, header...),
		env.PostForm("/e/"+ce.ID+"/answers", url.Values{"submission_id": {webtest.UUID(t)}, "q_satisfaction": {"3"}, "q_nps": {"7"}}, header...),
		env.PostJSON("/e/"+ce.ID+"/notes", `{"submission_id":"`+sub+`","session":"`+session+`","kind":"etonnement","text":"Oh"}`, header...),
		env.PostForm("/e/"+ce.ID+"/notes", url.Values{"submission_id": {webtest.UUID(t)}, "kind": {"point-fort"}, "text": {"Ah"}}, header...),
	} {
		if code := rec.Result().StatusCode; code != http.StatusCreated && code != http.StatusOK {
			t.Fatalf("status = %d", code)
		}
	}
	// Limited requests leave a counter named by a keyed hash of the
	// client's address, which expires soon after its window.
	if rec := env.PostForm("/o/"+ce.ID+"/login", url.Values{"token": {"rto_faux"}}, header...); rec.Code != http.StatusForbidden {
		t.Fatalf("wrong login = %d", rec.Code)
	}
	if rec := env.Do("GET", "/api/events/"+ce.ID+"/export", nil, append(header, "Authorization", "Bearer "+ce.OrganiserToken)...); rec.Code != http.StatusOK {
		t.Fatalf("export = %d", rec.Code)
	}
	common := []string{dynamo.AttrPK, dynamo.AttrSK, dynamo.AttrGSI1PK, dynamo.AttrGSI1SK, dynamo.AttrExpires, "type", "id", "lang", "created_at"}
	allowed := map[string][]string{
		"answer": append(slices.Clone(common), "values", "session", "hidden"),
		"note":   append(slices.Clone(common), "kind", "text", "session", "hidden"),
		"limit":  {dynamo.AttrPK, dynamo.AttrSK, dynamo.AttrExpires, "type", "n"},
	}
	latest := env.Clock.Now().Add(time.Hour + ratelimit.Expiry)
	seen := map[string]int{}
	for _, item := range env.rawItems() {
		typ := attrS(item, "type")
		seen[typ]++
		if want, ok := allowed[typ]; ok {
			var names []string
			for name := range item {
				names = append(names, name)
				if !slices.Contains(want, name) {
					t.Errorf("%s item has attribute %q: only %v are expected", typ, name, want)
				}
			}
			sort.Strings(names)
			t.Logf("%s item attributes: %v", typ, names)
		}
		if typ == "limit" {
			exp, _ := strconv.ParseInt(item[dynamo.AttrExpires].(*types.AttributeValueMemberN).Value, 10, 64)
			if at := time.Unix(exp, 0); at.After(latest) {
				t.Errorf("a counter is kept until %v, past its window (%v at the latest)", at, latest)
			}
		}
		walkStrings(item, func(s string) {
			if strings.Contains(s, ip) || strings.Contains(s, "192.0.2.1") || strings.Contains(s, "Retours-UA-Marker") || strings.Contains(s, "Mozilla") {
				t.Errorf("%s item stores %q", typ, s)
			}
		})
	}
	if seen["answer"] != 2 || seen["note"] != 2 || seen["limit"] != 3 { // the event's creation, the wrong login, the export
		t.Errorf("item types = %v, want 2 answers, 2 notes and 3 counters", seen)
	}
}

// walkStrings calls fn with every string in an item, nested ones included.
func walkStrings(item map[string]types.AttributeValue, fn func(string)) {
	var walk func(types.AttributeValue)
	walk = func(v types.AttributeValue) {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			fn(v.Value)
		case *types.AttributeValueMemberSS:
			for _, s := range v.Value {
				fn(s)
			}
		case *types.AttributeValueMemberL:
			for _, x := range v.Value {
				walk(x)
			}
		case *types.AttributeValueMemberM:
			for k, x := range v.Value {
				fn(k)
				walk(x)
			}
		}
	}
	for k, v := range item {
		fn(k)
		walk(v)
	}
}
