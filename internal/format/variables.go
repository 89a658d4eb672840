package format

import (
	"sync"

	"github.com/lmshooks/lmshooks/internal/catalog"
)

// VariableSource tells the template variables ("@user_email") of event
// types, and where each one's value is in the event data.
type VariableSource interface {
	// Types returns the event types the source knows, sorted.
	Types() []string
	// Variables maps each variable of eventType, "@" included, to the JSON
	// Pointer of its value in the data; nil for an unknown type.
	Variables(eventType string) map[string]string
}

// CatalogVariables is the VariableSource of a catalog's types, a tenant's
// own types included when c is a tenant's view.
func CatalogVariables(c *catalog.Catalog) VariableSource {
	v := &catalogVariables{vars: map[string]map[string]string{}}
	for _, et := range c.All() {
		m := make(map[string]string, len(et.Variables))
		for _, x := range et.Variables {
			m[x.Name] = x.Path
		}
		v.vars[et.Type] = m
		v.types = append(v.types, et.Type)
	}
	return v
}

// catalogVariables is a catalog's variables, read once.
type catalogVariables struct {
	types []string
	vars  map[string]map[string]string
}

// Types returns the catalog's types, sorted (catalog.All's order).
func (v *catalogVariables) Types() []string { return v.types }

// Variables returns the type's variables.
func (v *catalogVariables) Variables(eventType string) map[string]string { return v.vars[eventType] }

// lazyBuiltinVariables loads the builtin catalog on first use, so that a
// registry costs nothing until a CYPHER webhook is validated or rendered.
// Each registry has its own: no state is shared between them.
type lazyBuiltinVariables struct {
	once sync.Once
	src  VariableSource
}

func (l *lazyBuiltinVariables) load() VariableSource {
	l.once.Do(func() {
		c, err := catalog.Load()
		if err != nil {
			// The catalog's own tests rule this out; without it, only
			// the envelope variables and pointers resolve.
			l.src = &catalogVariables{vars: map[string]map[string]string{}}
			return
		}
		l.src = CatalogVariables(c)
	})
	return l.src
}

// Types returns the builtin types.
func (l *lazyBuiltinVariables) Types() []string { return l.load().Types() }

// Variables returns the builtin type's variables.
func (l *lazyBuiltinVariables) Variables(eventType string) map[string]string {
	return l.load().Variables(eventType)
}
