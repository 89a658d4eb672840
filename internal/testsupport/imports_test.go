package testsupport

import (
	"bufio"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The test-support packages are for tests: a production file importing one
// would ship test helpers (and their dependencies) in the binary.
func TestOnlyTestsImportTestSupport(t *testing.T) {
	root := filepath.Join("..", "..")
	module, err := modulePath(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := productionImporters(root, module)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("non-test files import %s/internal/testsupport:\n%s", module, strings.Join(bad, "\n"))
	}
}

// The check itself finds an offender, and lets test files and the
// test-support packages themselves import test support.
func TestProductionImportersFindsOffenders(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"go.mod":                           "module example.com/m\n",
		"a/a.go":                           "package a\nimport _ \"example.com/m/internal/testsupport/poll\"\n",
		"a/a_test.go":                      "package a\nimport _ \"example.com/m/internal/testsupport/poll\"\n",
		"b/b.go":                           "package b\nimport _ \"example.com/m/internal/testsupportive\"\n",
		"internal/testsupport/x/x.go":      "package x\nimport _ \"example.com/m/internal/testsupport/poll\"\n",
		"c/testdata/c.go":                  "package c\nimport _ \"example.com/m/internal/testsupport\"\n",
		"d/d.go":                           "package d\nimport _ \"example.com/m/internal/testsupport\"\n",
		"internal/testsupport/poll/p.go":   "package poll\n",
		"internal/testsupportive/other.go": "package testsupportive\n",
	}
	for name, text := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	module, err := modulePath(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := productionImporters(root, module)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join("a", "a.go") + " imports example.com/m/internal/testsupport/poll",
		filepath.Join("d", "d.go") + " imports example.com/m/internal/testsupport",
	}
	if !slices.Equal(bad, want) {
		t.Fatalf("offenders = %q, want %q", bad, want)
	}
}

// modulePath reads the module path from a go.mod file.
func modulePath(gomod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s: no module line", gomod)
}

// productionImporters walks the module at root as the go tool sees it
// (skipping testdata and directories starting with . or _) and returns
// each non-test file outside internal/testsupport that imports a package
// under it, as "path imports package".
func productionImporters(root, module string) ([]string, error) {
	support := module + "/internal/testsupport"
	supportDir := filepath.Join(root, "internal", "testsupport")
	var bad []string
	err := goFiles(root, func(path string) error {
		if strings.HasSuffix(path, "_test.go") || strings.HasPrefix(path, supportDir+string(filepath.Separator)) {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if p == support || strings.HasPrefix(p, support+"/") {
				rel, _ := filepath.Rel(root, path)
				bad = append(bad, rel+" imports "+p)
			}
		}
		return nil
	})
	slices.Sort(bad)
	return bad, err
}

// goFiles calls fn with the path of each .go file of the module at root as
// the go tool sees it: directories named testdata or starting with . or _
// are skipped.
func goFiles(root string, fn func(path string) error) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		return fn(path)
	})
}
