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

// BuiltinVariables is the VariableSource of the builtin catalog, loaded on
// first use (a tenant's own types have no variables here: their
// parameters use @{/json/pointer}).
var BuiltinVariables VariableSource = &builtinVariables{}

type builtinVariables struct {
	once  sync.Once
	types []string
	vars  map[string]map[string]string
}

func (b *builtinVariables) load() {
	b.once.Do(func() {
		b.vars = map[string]map[string]string{}
		c, err := catalog.Load()
		if err != nil {
			return // the catalog's own tests rule this out
		}
		for _, et := range c.All() {
			m := make(map[string]string, len(et.Variables))
			for _, v := range et.Variables {
				m[v.Name] = v.Path
			}
			b.vars[et.Type] = m
			b.types = append(b.types, et.Type)
		}
	})
}

// Types returns the builtin event types.
func (b *builtinVariables) Types() []string {
	b.load()
	return b.types
}

// Variables returns the builtin type's variables.
func (b *builtinVariables) Variables(eventType string) map[string]string {
	b.load()
	return b.vars[eventType]
}
