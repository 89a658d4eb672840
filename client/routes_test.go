package client_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
)

// routesFile is where the API registers every route it serves.
var routesFile = filepath.Join("..", "internal", "api", "routes.go")

// apiRoutes reads the patterns ("POST /api/v1/tenants/{tenant}/events")
// that routes.go registers, by evaluating the first argument of each
// m.Handle call: string literals and the file's string constants joined
// with +.
func apiRoutes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), routesFile, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	var patterns []string
	var eval func(e ast.Expr) (string, error)
	eval = func(e ast.Expr) (string, error) {
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind == token.STRING {
				return strconv.Unquote(e.Value)
			}
		case *ast.Ident:
			if v, ok := consts[e.Name]; ok {
				return v, nil
			}
		case *ast.BinaryExpr:
			if e.Op == token.ADD {
				l, err := eval(e.X)
				if err != nil {
					return "", err
				}
				r, err := eval(e.Y)
				return l + r, err
			}
		}
		return "", fmt.Errorf("cannot evaluate %T at %v", e, e.Pos())
	}
	var walkErr error
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if i < len(n.Values) {
					if v, err := eval(n.Values[i]); err == nil {
						consts[name.Name] = v
					}
				}
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Handle" || len(n.Args) == 0 {
				return true
			}
			p, err := eval(n.Args[0])
			if err != nil && walkErr == nil {
				walkErr = err
			}
			patterns = append(patterns, p)
		}
		return true
	})
	if walkErr != nil {
		t.Fatalf("%s: %v", routesFile, walkErr)
	}
	if len(patterns) < 30 {
		t.Fatalf("%s registers %d routes: the reader misses some", routesFile, len(patterns))
	}
	return patterns
}

// routeMatcher returns the function that names the pattern a request
// matches ("" for none), as the API's mux would route it.
func routeMatcher(patterns []string) func(*http.Request) string {
	mux := http.NewServeMux()
	for _, p := range patterns {
		mux.HandleFunc(p, func(http.ResponseWriter, *http.Request) {})
	}
	return func(r *http.Request) string {
		_, p := mux.Handler(r)
		return p
	}
}
