package format

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Request is what a renderer produces for one attempt.
type Request struct {
	// ContentType is the Content-Type header of the request.
	ContentType string
	// Header holds extra headers the format sets; nil when it sets none.
	// The dispatcher adds them after the webhook's own headers and before
	// the signature headers.
	Header http.Header
	// Body is the exact request body; the dispatcher signs these bytes.
	Body []byte
	// SkipStandardSignature tells the dispatcher not to add the Standard
	// Webhooks headers (webhook-id, webhook-timestamp, webhook-signature):
	// vendor formats whose receivers expect the vendor's request exactly
	// (or no signature at all) set it. A renderer that signs with its own
	// header does so over Body, the exact bytes sent.
	SkipStandardSignature bool
}

// Renderer turns an event bound for a webhook into a request. A renderer
// is stateless and safe for concurrent use. now is the attempt's time, for
// formats that stamp the send time.
type Renderer interface {
	// Name is the format name stored on webhooks ("standard").
	Name() string
	// Render builds the request; an error means the event cannot be
	// expressed in this format (the attempt fails with that message).
	Render(ev *domain.Event, d *domain.Delivery, w *domain.Webhook, now time.Time) (Request, error)
}

// Registry maps format names to renderers. It is read-only after
// NewRegistry, so it is safe for concurrent use.
type Registry struct {
	byName map[string]Renderer
	names  []string
}

// NewRegistry returns a registry of rs. A later renderer with the same
// name replaces an earlier one.
func NewRegistry(rs ...Renderer) *Registry {
	r := &Registry{byName: make(map[string]Renderer, len(rs))}
	for _, x := range rs {
		if _, dup := r.byName[x.Name()]; !dup {
			r.names = append(r.names, x.Name())
		}
		r.byName[x.Name()] = x
	}
	slices.Sort(r.names)
	return r
}

// Default returns the registry of every built-in format. CYPHER templates
// resolve the builtin catalog's variables, loaded on first use.
func Default() *Registry {
	return WithVariables(&lazyBuiltinVariables{})
}

// WithVariables returns the registry of every built-in format whose CYPHER
// templates resolve vars (CatalogVariables of a catalog already loaded).
func WithVariables(vars VariableSource) *Registry {
	return NewRegistry(
		Standard{},
		RiseUp{},
		Articulate{},
		InnovativeEducators{},
		&Cypher{Variables: vars},
		Absorb{},
		CloudEvents{},
		XAPI{},
	)
}

// Lookup returns the renderer called name.
func (r *Registry) Lookup(name string) (Renderer, bool) {
	x, ok := r.byName[name]
	return x, ok
}

// Names returns the registered format names in sorted order.
func (r *Registry) Names() []string { return slices.Clone(r.names) }

// Check returns nil when name is a registered format, else an EINVALID
// error on field "format" that lists the choices, for input validation.
func (r *Registry) Check(name string) error {
	if _, ok := r.byName[name]; ok {
		return nil
	}
	return domain.FieldErrorf("format", "%q is not a format: use one of %s", name, strings.Join(r.names, ", "))
}

// Validate checks w.Format and, for a format that takes options or limits
// the webhook (an OptionsValidator), w.FormatOptions and the rest of w. It
// returns warnings about settings that work but look wrong (saved anyway)
// and an EINVALID error naming the field for settings that cannot work.
func (r *Registry) Validate(w *domain.Webhook) (warnings []string, err error) {
	if err := r.Check(w.Format); err != nil {
		return nil, err
	}
	if v, ok := r.byName[w.Format].(OptionsValidator); ok {
		return v.ValidateWebhook(w)
	}
	if len(w.FormatOptions) > 0 && !isEmptyOptions(w.FormatOptions) {
		return nil, domain.FieldErrorf("format_options", "the %s format takes no options", w.Format)
	}
	return nil, nil
}

// Defaults returns the settings a webhook of format name starts from: the
// format's own (a Defaulter) with the domain's defaults filling any field
// it leaves zero. An unknown name gets the domain's defaults.
func (r *Registry) Defaults(name string) Defaults {
	var d Defaults
	if x, ok := r.byName[name].(Defaulter); ok {
		d = x.Defaults()
	}
	return d.withDomainDefaults()
}
