package testsupport

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every fuzz target of the repository is run by CI (.ci/run lists them in
// FUZZ_TARGETS) and has a committed seed corpus, and CI lists no target
// that does not exist: a target left out would never fuzz again.
func TestEveryFuzzTargetRunsInCI(t *testing.T) {
	root := filepath.Join("..", "..")
	found, err := fuzzTargets(root)
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	listed := ciFuzzTargets(string(script))
	if len(found) == 0 || !slices.Equal(found, listed) {
		t.Fatalf(".ci/run's FUZZ_TARGETS = %q,\nthe repository's Fuzz functions = %q", listed, found)
	}
	for _, target := range found {
		pkg, name, _ := strings.Cut(target, " ")
		entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(pkg), "testdata", "fuzz", name))
		if err != nil || len(entries) == 0 {
			t.Errorf("%s has no seed corpus in %s/testdata/fuzz/%s (%v)", name, pkg, name, err)
		}
	}
}

// fuzzTargets returns "./<package dir> <FuzzName>" for every fuzz function
// of the test files under root, sorted.
func fuzzTargets(root string) ([]string, error) {
	var out []string
	err := goFiles(root, func(path string) error {
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		dir, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Fuzz") && takesF(fn) {
				out = append(out, "./"+filepath.ToSlash(dir)+" "+fn.Name.Name)
			}
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// takesF reports whether fn's one parameter is a *testing.F.
func takesF(fn *ast.FuncDecl) bool {
	params := fn.Type.Params.List
	if len(params) != 1 {
		return false
	}
	star, ok := params[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "F"
}

// ciTarget is one quoted "<package> <target>" line of FUZZ_TARGETS.
var ciTarget = regexp.MustCompile(`^\s*"(\./\S+ Fuzz\w+)"\s*$`)

// ciFuzzTargets returns the entries of the FUZZ_TARGETS array of a shell
// script, sorted.
func ciFuzzTargets(script string) []string {
	_, rest, ok := strings.Cut(script, "FUZZ_TARGETS=(")
	if !ok {
		return nil
	}
	body, _, _ := strings.Cut(rest, ")")
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if m := ciTarget.FindStringSubmatch(line); m != nil {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}
