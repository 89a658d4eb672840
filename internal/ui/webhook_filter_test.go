package ui

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lmshooks/lmshooks/internal/store"
)

func TestFilterIsSavedAndShownAgain(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	f := validForm("https://hris.example.com/hook")
	f.Set("filter", `  has(data.course) && data.course.id in ["c_1042", "c_2"]  `)
	p := b.post("/t/acme/webhooks", f)
	wantStatus(t, p, http.StatusOK)
	mustContain(t, p, "Webhook created")
	hs, _, _ := b.store.ListWebhooks(context.Background(), "acme", store.Page{})
	if len(hs) != 1 || hs[0].Filter != `has(data.course) && data.course.id in ["c_1042", "c_2"]` {
		t.Fatalf("stored webhooks = %+v, want one with the trimmed filter", hs)
	}
	edit := b.get("/t/acme/webhooks/" + hs[0].ID)
	block := html.UnescapeString(fieldBlock(t, edit.body, "filter"))
	if !strings.Contains(block, `>has(data.course) && data.course.id in ["c_1042", "c_2"]</textarea>`) {
		t.Fatalf("edit page does not show the filter:\n%s", block)
	}

	// Emptying it removes it.
	f.Set("filter", "")
	f.Set("action", "save")
	wantStatus(t, b.post("/t/acme/webhooks/"+hs[0].ID, f), http.StatusSeeOther)
	w, _ := b.store.GetWebhook(context.Background(), "acme", hs[0].ID)
	if w.Filter != "" {
		t.Fatalf("filter after emptying = %q", w.Filter)
	}
}

func TestFilterErrorsShowNextToTheField(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	cases := []struct {
		filter string
		types  []string
		want   string
	}{
		{`data.course.id in [`, []string{"course_enrollment.completed"}, "Syntax error"},
		{`dat.course.id == "c_1"`, []string{"course_enrollment.completed"}, "undeclared reference to 'dat'"},
		{`data.attempt + 1`, []string{"course_enrollment.completed"}, "yields"},
		{`data.cours.id == "c_1"`, []string{"course_enrollment.completed"}, "data.cours does not exist in course_enrollment.completed; data has "},
		// Known to one subscribed type, read unguarded on another.
		{`data.course.id == "c_1"`, []string{"user.created", "course_enrollment.*"}, "fails on the example of user.created: no such key: course"},
	}
	for _, c := range cases {
		f := validForm("https://hris.example.com/hook")
		f["event_types"] = c.types
		f.Set("filter", c.filter)
		p := b.post("/t/acme/webhooks", f)
		wantStatus(t, p, http.StatusUnprocessableEntity)
		block := html.UnescapeString(fieldBlock(t, p.body, "filter"))
		if !strings.Contains(block, `class="field invalid"`) || !strings.Contains(block, `role="alert">`) || !strings.Contains(block, c.want) {
			t.Errorf("filter %q: no inline error %q in\n%s", c.filter, c.want, block)
		}
		if !strings.Contains(block, ">"+c.filter+"</textarea>") {
			t.Errorf("filter %q: not given back as typed", c.filter)
		}
	}
	if hs, _, _ := b.store.ListWebhooks(context.Background(), "acme", store.Page{}); len(hs) != 0 {
		t.Fatalf("invalid filters created %d webhooks", len(hs))
	}

	// A guarded filter over the same types is fine.
	f := validForm("https://hris.example.com/hook")
	f["event_types"] = []string{"user.created", "course_enrollment.*"}
	f.Set("filter", `type == "user.created" || (has(data.course) && data.course.id == "c_1")`)
	mustContain(t, b.post("/t/acme/webhooks", f), "Webhook created")
}

func TestTryFilter(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	var received atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { received.Add(1) }))
	defer srv.Close()
	rc := srv.URL
	try := func(filter, typ, data string) (string, string) {
		t.Helper()
		f := validForm(rc)
		f.Set("action", "try-filter")
		f.Set("filter", filter)
		f.Set("filter_try_type", typ)
		f.Set("filter_try_data", data)
		f.Set("name", "") // the rest of the form does not have to be valid yet
		p := b.post("/t/acme/webhooks", f)
		wantStatus(t, p, http.StatusOK)
		block := html.UnescapeString(fieldBlock(t, p.body, "filter"))
		if !strings.Contains(block, `id="filter-result"`) {
			t.Fatalf("try %q: no result next to the filter:\n%s", filter, block)
		}
		out := between(block, `id="filter-outcome">`, "<")
		return out, block
	}

	out, block := try(`data.email.endsWith("@acme.com")`, "user.created", "")
	if out != "true" || !strings.Contains(block, `the example of <span class="tag">user.created</span>`) || !strings.Contains(block, "ana.lopez@acme.com") {
		t.Fatalf("matching filter: outcome %q\n%s", out, block)
	}
	if out, _ = try(`data.email.endsWith("@globex.com")`, "user.created", ""); out != "false" {
		t.Fatalf("non-matching filter: outcome %q, want false", out)
	}
	// The first subscribed type when none is chosen.
	if out, block = try(`data.score.raw >= 80.0`, "", ""); out != "true" || !strings.Contains(block, "course_enrollment.completed") {
		t.Fatalf("default type: outcome %q\n%s", out, block)
	}
	// Pasted data instead of the example.
	if out, block = try(`data.email.endsWith("@acme.com")`, "user.created", `{"email": "bob@globex.com"}`); out != "false" || !strings.Contains(block, "your data as") {
		t.Fatalf("pasted data: outcome %q\n%s", out, block)
	}
	errs := []struct{ filter, typ, data, want string }{
		{`data.course.id == "c_1"`, "user.created", "", "data.course does not exist in user.created"},
		{`data.email ==`, "user.created", "", "Syntax error"},
		{`data.email`, "user.created", "", "not true or false"},
		{`data.email.endsWith("x")`, "user.created", `[1]`, "must be a JSON object"},
		{"", "user.created", "", "Write a filter first"},
	}
	for _, e := range errs {
		out, block := try(e.filter, e.typ, e.data)
		if out != "error" || !strings.Contains(between(block, `id="filter-error">`, "</div>"), e.want) {
			t.Errorf("try %q: outcome %q, want error %q:\n%s", e.filter, out, e.want, block)
		}
	}
	// True on the chosen type, but saving would fail on another subscribed
	// type: the try says so.
	_, block = try(`data.course.id == "c_1042"`, "course_enrollment.completed", "")
	if !strings.Contains(block, `id="filter-save-error"`) || !strings.Contains(block, "fails on the example of user.created") {
		t.Fatalf("try does not warn that saving would fail:\n%s", block)
	}

	if hs, _, _ := b.store.ListWebhooks(context.Background(), "acme", store.Page{}); len(hs) != 0 || received.Load() != 0 {
		t.Fatalf("trying a filter saved %d webhooks and sent %d requests", len(hs), received.Load())
	}
}

func TestCustomEventTypes(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	b.tenant("globex")
	b.customType("acme", "acme_badge.earned",
		`{"type":"object","properties":{"badge":{"type":"object","properties":{"id":{"type":"string"},"level":{"type":"integer"}}},"user_id":{"type":"string"}}}`,
		`{"badge":{"id":"b_7","level":2},"user_id":"u_1"}`)
	b.customType("acme", "user.badge_earned", "", `{"user_id":"u_1"}`)

	// In the picker, grouped by entity and marked.
	p := b.get("/t/acme/webhooks/new")
	wantStatus(t, p, http.StatusOK)
	mustContain(t, p, `<strong>Acme badge</strong>`, `value="acme_badge.earned" data-action >`, `<span>earned <span class="tag custom"`)
	user := between(p.body, `<strong>User</strong>`, "</details>")
	if !strings.Contains(user, `value="user.badge_earned"`) || !strings.Contains(user, `value="user.created"`) {
		t.Fatalf("the user entity lacks its builtin or custom action:\n%s", user)
	}
	// Not another tenant's.
	if g := b.get("/t/globex/webhooks/new"); strings.Contains(g.body, "acme_badge") {
		t.Fatal("another tenant's picker shows acme's type")
	}

	// In the catalog, with its schema and example.
	cat := b.get("/t/acme/event-types")
	mustContain(t, cat, `<span class="mono">acme_badge.earned</span> <span class="tag custom"`, "1 your own")
	et := b.get("/t/acme/event-types/acme_badge.earned")
	wantStatus(t, et, http.StatusOK)
	mustContain(t, et, `id="custom-tag"`, `&#34;level&#34;: 2`, `&#34;level&#34;: {`)
	wantStatus(t, b.get("/t/globex/event-types/acme_badge.earned"), http.StatusNotFound)

	// Subscribing and filtering on it: checked against its schema.
	f := validForm("https://hris.example.com/hook")
	f["event_types"] = []string{"acme_badge.earned"}
	f.Set("filter", `data.badge.levle >= 2`)
	p = b.post("/t/acme/webhooks", f)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if !strings.Contains(fieldBlock(t, p.body, "filter"), "data.badge.levle does not exist in acme_badge.earned; data.badge has id, level") {
		t.Fatalf("no schema error for the custom type:\n%s", fieldBlock(t, p.body, "filter"))
	}
	f.Set("filter", `data.badge.level >= 2`)
	mustContain(t, b.post("/t/acme/webhooks", f), "Webhook created")

	// A free pattern that selects nothing is refused, with the closest,
	// in the API's own words (which quote the suggestions).
	f = validForm("https://hris.example.com/hook")
	f.Set("other_types", "acme_badge.earnd")
	p = b.post("/t/acme/webhooks", f)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if block := html.UnescapeString(fieldBlock(t, p.body, "other_types")); !strings.Contains(block, `"acme_badge.earnd" is not a known event type; did you mean "acme_badge.earned"`) {
		t.Fatalf("no inline error for an unknown type:\n%s", block)
	}
}

// between returns the text of s after the first from and before the next
// to, "" when from is absent.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

func TestDeletedCustomTypeSurvivesSavingTheForm(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	w := b.webhook("acme", "badges")
	w.EventTypes = []string{"acme_badge.earned", "user.created"}
	if _, err := b.store.UpdateWebhook(context.Background(), w, w.UpdatedAt); err != nil {
		t.Fatal(err)
	}
	// acme_badge.earned is not (or no longer) registered: it has no box in
	// the picker, so the form carries it in the free patterns.
	edit := b.get("/t/acme/webhooks/" + w.ID)
	mustContain(t, edit, `name="other_types" type="text" value="acme_badge.earned"`, `value="user.created" data-action checked`)
	form := formValues(t, edit.body)
	form.Set("name", "badges renamed")
	form.Set("action", "save")
	wantStatus(t, b.post("/t/acme/webhooks/"+w.ID, form), http.StatusSeeOther)
	got, _ := b.store.GetWebhook(context.Background(), "acme", w.ID)
	if got.Name != "badges renamed" || strings.Join(got.EventTypes, ",") != "acme_badge.earned,user.created" {
		t.Fatalf("after saving: name %q, types %v", got.Name, got.EventTypes)
	}
	// Adding it anew is refused.
	form.Set("other_types", "acme_badge.earned, acme_badge.lost")
	p := b.post("/t/acme/webhooks/"+w.ID, form)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	mustContain(t, p, "acme_badge.lost&#34; is not a known event type")
}
