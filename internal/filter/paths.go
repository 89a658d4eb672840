package filter

import (
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// anyItem stands for "every element of an array" in a path.
const anyItem = "[]"

// path is a chain of fields a filter reads from data: ["course", "id"] for
// data.course.id; anyItem for array elements (data.items[0].id, or i.id in
// data.items.exists(i, i.id == "x")).
type path []string

// String renders the path as a filter author writes it: "data.course.id",
// "data.items[].id".
func (p path) String() string {
	var b strings.Builder
	b.WriteString("data")
	for _, s := range p {
		if s == anyItem {
			b.WriteString(anyItem)
			continue
		}
		b.WriteByte('.')
		b.WriteString(s)
	}
	return b.String()
}

// dataPaths returns the distinct paths into data that the checked
// expression reads, in the order they appear, so that the save-time check
// can look each up in the event types' schemas. Paths it cannot follow
// (computed map keys) are cut where they become unknown.
func dataPaths(ast *cel.Ast) []path {
	w := pathWalker{seen: map[string]bool{}}
	w.walk(ast.NativeRep().Expr(), map[string]path{})
	return w.out
}

// pathWalker collects paths from an expression tree.
type pathWalker struct {
	out  []path
	seen map[string]bool
}

// add records p once.
func (w *pathWalker) add(p path) {
	if len(p) == 0 {
		return
	}
	k := strings.Join(p, "\x00")
	if !w.seen[k] {
		w.seen[k] = true
		w.out = append(w.out, p)
	}
}

// walk visits every node of e. vars maps comprehension variables bound to
// array elements of data (the i of data.items.exists(i, …)) to their path.
func (w *pathWalker) walk(e celast.Expr, vars map[string]path) {
	if p, ok := pathOf(e, vars); ok {
		w.add(p)
	}
	switch e.Kind() {
	case celast.SelectKind:
		w.walk(e.AsSelect().Operand(), vars)
	case celast.CallKind:
		c := e.AsCall()
		if c.IsMemberFunction() {
			w.walk(c.Target(), vars)
		}
		for _, a := range c.Args() {
			w.walk(a, vars)
		}
	case celast.ListKind:
		for _, el := range e.AsList().Elements() {
			w.walk(el, vars)
		}
	case celast.MapKind:
		for _, en := range e.AsMap().Entries() {
			me := en.AsMapEntry()
			w.walk(me.Key(), vars)
			w.walk(me.Value(), vars)
		}
	case celast.StructKind:
		for _, f := range e.AsStruct().Fields() {
			w.walk(f.AsStructField().Value(), vars)
		}
	case celast.ComprehensionKind:
		cp := e.AsComprehension()
		w.walk(cp.IterRange(), vars)
		w.walk(cp.AccuInit(), vars)
		inner := make(map[string]path, len(vars)+1)
		for k, v := range vars {
			inner[k] = v
		}
		// The loop variables shadow outer ones; only a one-variable loop
		// over a data array binds to its elements.
		delete(inner, cp.IterVar())
		delete(inner, cp.AccuVar())
		if cp.HasIterVar2() {
			delete(inner, cp.IterVar2())
		} else if r, ok := pathOf(cp.IterRange(), vars); ok {
			inner[cp.IterVar()] = append(append(path(nil), r...), anyItem)
		}
		w.walk(cp.LoopCondition(), inner)
		w.walk(cp.LoopStep(), inner)
		w.walk(cp.Result(), inner)
	}
}

// pathOf returns the path that e denotes, when e is data, a loop variable
// bound into data, or a chain of field selections and constant indexes on
// one of those.
func pathOf(e celast.Expr, vars map[string]path) (path, bool) {
	switch e.Kind() {
	case celast.IdentKind:
		name := e.AsIdent()
		if p, ok := vars[name]; ok {
			return p, true
		}
		if name == "data" {
			return path{}, true
		}
	case celast.SelectKind:
		s := e.AsSelect()
		if base, ok := pathOf(s.Operand(), vars); ok {
			return append(append(path(nil), base...), s.FieldName()), true
		}
	case celast.CallKind:
		c := e.AsCall()
		switch c.FunctionName() {
		case operators.Index, operators.OptIndex, operators.OptSelect:
			args := c.Args()
			if len(args) != 2 {
				return nil, false
			}
			base, ok := pathOf(args[0], vars)
			if !ok || args[1].Kind() != celast.LiteralKind {
				return nil, false
			}
			switch k := args[1].AsLiteral().(type) {
			case types.String:
				return append(append(path(nil), base...), string(k)), true
			case types.Int, types.Uint:
				return append(append(path(nil), base...), anyItem), true
			}
		}
	}
	return nil, false
}
