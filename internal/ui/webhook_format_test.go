package ui

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/store"
)

func TestFormatDefaultsAreShown(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	p := b.get("/t/acme/webhooks/new")
	for _, name := range b.console.formats.Names() {
		if !strings.Contains(p.body, `<div class="format-info help" data-format="`+name+`"`) {
			t.Errorf("no defaults for format %s", name)
		}
	}
	// The chosen format's are visible, the others hidden until chosen.
	cypher := between(p.body, `data-format="cypher"`, "</div>")
	if !strings.HasPrefix(cypher, " hidden>") || !strings.Contains(cypher, "timeout 10 s") || !strings.Contains(cypher, "retries <strong>CYPHER Learning</strong> (") {
		t.Fatalf("cypher defaults = %q", cypher)
	}
	if std := between(p.body, `data-format="standard"`, "</div>"); strings.HasPrefix(std, " hidden") {
		t.Fatal("the chosen format's defaults are hidden")
	}
	mustContain(t, p, `<option value="innovative-educators" data-timeout="15" data-retry="innovative-educators" data-success="200-308">`)
	// Retry presets read as the vendors and standards name themselves.
	for _, label := range []string{"Standard Webhooks", "Rise Up", "Articulate Rise", "Innovative Educators", "CYPHER Learning", "No retries", "Custom"} {
		mustContain(t, p, `<span class="name">`+label)
	}
	for _, slug := range []string{">Riseup<", ">Innovative-educators<", ">Cypher<"} {
		if strings.Contains(p.body, slug) {
			t.Errorf("a retry preset reads %s", slug)
		}
	}
}

func TestCypherParametersRoundTrip(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	f := validForm("https://lms-hooks.example.com/cypher")
	f.Set("format", "cypher")
	f["event_types"] = []string{"course_enrollment.completed"}
	// Rows in the order the receiver expects them, one empty row between.
	f["cypher_param_name"] = []string{"z_email", "", "a_note", "course"}
	f["cypher_param_value"] = []string{"@user_email", "", "Completed on @completed_at", "@course_name"}
	f.Set("format_options", `{"ignored": "for cypher when rows are given"}`)
	p := b.post("/t/acme/webhooks", f)
	wantStatus(t, p, http.StatusOK)
	mustContain(t, p, "Webhook created")
	hs, _, _ := b.store.ListWebhooks(context.Background(), "acme", store.Page{})
	if len(hs) != 1 {
		t.Fatalf("%d webhooks", len(hs))
	}
	want := `{"parameters":{"z_email":"@user_email","a_note":"Completed on @completed_at","course":"@course_name"}}`
	if got := string(hs[0].FormatOptions); got != want {
		t.Fatalf("stored options = %s\nwant            %s", got, want)
	}

	// The edit page shows the rows in order, with the variables of the
	// subscribed type next to them.
	edit := b.get("/t/acme/webhooks/" + hs[0].ID)
	names := regexp.MustCompile(`name="cypher_param_name" value="([^"]*)"`).FindAllStringSubmatch(edit.body, -1)
	var got []string
	for _, m := range names {
		got = append(got, m[1])
	}
	if strings.Join(got, ",") != "z_email,a_note,course," {
		t.Fatalf("rows = %q, want the three parameters in order and an empty row", got)
	}
	mustContain(t, edit, `value="Completed on @completed_at"`, `data-insert="@course_name"`, `data-insert="@event_id"`)
	vars := between(edit.body, `id="type-vars"`, "</ul>")
	if !strings.Contains(vars, `<li data-types="course_enrollment.completed`) || strings.Contains(between(vars, `data-insert="@course_name"`, "</li>"), "hidden") {
		t.Fatalf("the subscribed type's variables are not shown:\n%s", vars)
	}
	if hidden := regexp.MustCompile(`<li data-types="[^"]*" hidden><button type="button" class="var" data-insert="@course_name"`); hidden.MatchString(vars) {
		t.Fatal("@course_name is hidden")
	}

	// Saving the page as shown keeps the options byte for byte.
	form := formValues(t, edit.body)
	form.Set("action", "save")
	wantStatus(t, b.post("/t/acme/webhooks/"+hs[0].ID, form), http.StatusSeeOther)
	w, _ := b.store.GetWebhook(context.Background(), "acme", hs[0].ID)
	if string(w.FormatOptions) != want {
		t.Fatalf("options after saving the form again = %s", w.FormatOptions)
	}

	// Standard Webhooks headers are an option too.
	form.Set("cypher_standard_webhooks", "on")
	wantStatus(t, b.post("/t/acme/webhooks/"+hs[0].ID, form), http.StatusSeeOther)
	w, _ = b.store.GetWebhook(context.Background(), "acme", hs[0].ID)
	if !strings.HasSuffix(string(w.FormatOptions), `,"standard_webhooks":true}`) {
		t.Fatalf("options with signing = %s", w.FormatOptions)
	}
	if !strings.Contains(b.get("/t/acme/webhooks/"+hs[0].ID).body, `name="cypher_standard_webhooks" checked`) {
		t.Fatal("the signing option is not shown checked")
	}
}

func TestCypherErrorsAndWarnings(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	f := validForm("https://lms-hooks.example.com/cypher")
	f.Set("format", "cypher")
	f["cypher_param_name"] = []string{"email", ""}
	f["cypher_param_value"] = []string{"@user_email", "@user_id"}
	p := b.post("/t/acme/webhooks", f)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	editor := between(p.body, `id="cypher-editor"`, `data-format-not="cypher"`)
	if !strings.Contains(editor, "row 2 has a value but no parameter name") {
		t.Fatalf("no inline error in the parameter editor:\n%s", editor)
	}

	// A URL longer than CYPHER's 256 characters and an unknown variable
	// are saved, with the format's warnings.
	long := "https://lms-hooks.example.com/cypher?" + strings.Repeat("k=v&", 60)
	f = validForm(long)
	f.Set("format", "cypher")
	f["event_types"] = []string{"user.created"}
	f["cypher_param_name"] = []string{"email", "who"}
	f["cypher_param_value"] = []string{"@user_email", "@user_nickname"}
	p = b.post("/t/acme/webhooks", f)
	wantStatus(t, p, http.StatusOK)
	warnings := html.UnescapeString(between(p.body, `id="format-warnings">`, "</div>\n"))
	if !strings.Contains(p.body, "Webhook created") || !strings.Contains(warnings, "CYPHER Learning allows at most 256") {
		t.Fatalf("created page lacks the URL warning:\n%s", p.body)
	}
	if !strings.Contains(html.UnescapeString(p.body), `"who": @user_nickname is not a variable`) {
		t.Fatalf("created page lacks the variable warning:\n%s", warnings)
	}

	// The test action shows them too, and saving puts them in the flash.
	hs, _, _ := b.store.ListWebhooks(context.Background(), "acme", store.Page{})
	f.Set("action", "save")
	wantStatus(t, b.post("/t/acme/webhooks/"+hs[0].ID, f), http.StatusSeeOther)
	if flash := html.UnescapeString(b.get("/t/acme/webhooks/" + hs[0].ID).body); !strings.Contains(flash, "Note: the URL has") {
		t.Fatal("the saved flash lacks the warning")
	}

	// Other formats keep the JSON box, and its errors name the option.
	f = validForm("https://hooks.example.com/ce")
	f.Set("format", "cloudevents")
	f.Set("format_options", `{"mood": "binary"}`)
	p = b.post("/t/acme/webhooks", f)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if block := fieldBlock(t, p.body, "format_options"); !strings.Contains(block, "is not an option of the cloudevents format") {
		t.Fatalf("no inline option error:\n%s", block)
	}
}

// formValues reads the form fields of a page as a browser would submit
// them: inputs with their values (checkboxes and radios when checked),
// textareas and selected options.
func formValues(t *testing.T, body string) url.Values {
	t.Helper()
	form := between(body, `<form method="post" action="/t/`, "</form>")
	v := url.Values{}
	attr := func(tag, name string) (string, bool) {
		m := regexp.MustCompile(`\s` + name + `(?:="([^"]*)")?`).FindStringSubmatch(tag)
		if m == nil {
			return "", false
		}
		return html.UnescapeString(m[1]), true
	}
	for _, tag := range regexp.MustCompile(`<input[^>]*>`).FindAllString(form, -1) {
		name, ok := attr(tag, "name")
		if !ok {
			continue
		}
		typ, _ := attr(tag, "type")
		value, _ := attr(tag, "value")
		if typ == "checkbox" || typ == "radio" {
			if _, checked := attr(tag, "checked"); !checked {
				continue
			}
			if value == "" {
				value = "on"
			}
		}
		v.Add(name, value)
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(form, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>`).FindAllStringSubmatch(form, -1) {
		if sel := regexp.MustCompile(`<option value="([^"]*)" selected`).FindStringSubmatch(m[2]); sel != nil {
			v.Set(m[1], html.UnescapeString(sel[1]))
		}
	}
	return v
}
