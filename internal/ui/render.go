package ui

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// pages holds every page template, each parsed with the layout and the
// partials.
type pages struct {
	byName map[string]*template.Template
}

// view is what every template gets: the page's own data in Data, and what
// the layout needs (session, CSRF token, flash, navigation).
type view struct {
	Title    string
	Nav      string // the active navigation item
	Session  *auth.Session
	Operator bool
	Portal   bool
	CSRF     string
	Flash    string
	Tenant   *domain.Tenant
	Base     string // "/t/<tenant>", the prefix of the tenant's pages
	Data     any
}

// parsePages parses every page under templates/pages with the layout and
// partials. A missing or broken template fails start-up.
func parsePages(a *assets) (*pages, error) {
	names, err := fs.Glob(files, "templates/pages/*.html")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("console templates: no pages (%v)", err)
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		t := template.New("layout").Funcs(funcs(a))
		t, err := t.ParseFS(files, "templates/layout.html", "templates/partials/*.html", n)
		if err != nil {
			return nil, fmt.Errorf("console templates: %w", err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/pages/"), ".html")
		p.byName[name] = t
	}
	for _, want := range []string{"login", "error", "tenants", "dashboard", "webhooks", "webhook_form", "webhook_secret", "confirm_disable", "deliveries", "delivery", "catalog", "event_type", "created_key", "api_keys", "confirm_revoke_portal"} {
		if p.byName[want] == nil {
			return nil, fmt.Errorf("console templates: page %q is missing", want)
		}
	}
	return p, nil
}

// render writes page with data inside the layout. It renders into a buffer
// first so that a template error becomes a clean 500, not half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, page, title, nav string, data any) {
	v := view{Title: title, Nav: nav, Session: rc.s, Flash: rc.flash, Tenant: rc.tenant, Data: data}
	if rc.s != nil {
		v.Operator = rc.s.Operator()
		v.Portal = rc.s.Portal()
		v.CSRF = c.csrfToken(rc.s)
	}
	if rc.tenant != nil {
		v.Base = tenantBase(rc.tenant.ID)
	}
	var buf bytes.Buffer
	if err := c.pages.byName[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		c.log.Error("render console page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// page renders a 200 page.
func (c *Console) page(w http.ResponseWriter, r *http.Request, rc *reqCtx, page, title, nav string, data any) error {
	c.render(w, r, rc, http.StatusOK, page, title, nav, data)
	return nil
}

// timeHTML renders a time as <time> in UTC; the page's script shows it in
// the viewer's time zone and keeps UTC in the tooltip.
func timeHTML(t time.Time) template.HTML {
	return timeElement(t, "", "Jan 2, 15:04:05 UTC")
}

// timeShortHTML is timeHTML to the minute, for tables; the tooltip keeps
// the seconds.
func timeShortHTML(t time.Time) template.HTML {
	return timeElement(t, ` data-style="short"`, "Jan 2, 15:04 UTC")
}

func timeElement(t time.Time, attrs, layout string) template.HTML {
	if t.IsZero() {
		return "—"
	}
	u := t.UTC()
	return template.HTML(fmt.Sprintf(`<time datetime="%s" title="%s"%s>%s</time>`,
		u.Format(time.RFC3339Nano), u.Format("2006-01-02 15:04:05 UTC"), attrs, u.Format(layout)))
}
