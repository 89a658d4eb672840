package filter

import (
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Defaults for Options left zero.
const (
	// DefaultCostLimit bounds the work of one evaluation, in CEL cost units
	// (roughly one per operation, more for operations on long strings and
	// lists). A filter over a few hundred list items stays far below it.
	DefaultCostLimit = 1_000_000
	// DefaultCacheSize is how many compiled filters an Engine keeps.
	DefaultCacheSize = 4096
)

// MaxLength bounds a filter's text, as domain.Webhook.Validate does.
const MaxLength = 4096

// Options tune an Engine.
type Options struct {
	// CostLimit bounds one evaluation (default DefaultCostLimit).
	CostLimit uint64
	// CacheSize bounds the compiled programs kept (default
	// DefaultCacheSize); the least recently used is dropped first.
	CacheSize int
}

// Engine compiles filters and caches the programs. It is safe for
// concurrent use; share one per process.
type Engine struct {
	env       *cel.Env
	costLimit uint64
	cache     *lru
}

// NewEngine returns an Engine.
func NewEngine(opts Options) (*Engine, error) {
	if opts.CostLimit == 0 {
		opts.CostLimit = DefaultCostLimit
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = DefaultCacheSize
	}
	env, err := cel.NewEnv(
		cel.VariableWithDoc("data", cel.MapType(cel.StringType, cel.DynType), "the event's data, a JSON object"),
		cel.VariableWithDoc("type", cel.StringType, "the event type, e.g. \"course_enrollment.completed\""),
		cel.VariableWithDoc("tenant", cel.StringType, "the tenant id"),
		cel.VariableWithDoc("occurred_at", cel.TimestampType, "when the event happened in the LMS"),
		// JSON numbers are doubles; let them compare with integer
		// literals (data.score >= 80) as people expect.
		cel.CrossTypeNumericComparisons(true),
		// lowerAscii, split, trim, replace… for filters on strings.
		ext.Strings(),
		cel.ParserExpressionSizeLimit(MaxLength),
	)
	if err != nil {
		return nil, fmt.Errorf("filter: environment: %w", err)
	}
	return &Engine{env: env, costLimit: opts.CostLimit, cache: newLRU(opts.CacheSize)}, nil
}

// Compile returns the program of expr, from the cache when it was compiled
// before. A filter that does not compile, or whose result cannot be a
// boolean, is an EINVALID error on field "filter" with CEL's message and
// the position of the problem.
func (e *Engine) Compile(expr string) (*Program, error) {
	if p := e.cache.get(expr); p != nil {
		return p, nil
	}
	p, err := e.compile(expr)
	if err != nil {
		return nil, err
	}
	e.cache.put(expr, p)
	return p, nil
}

// compile parses, type-checks and plans expr.
func (e *Engine) compile(expr string) (*Program, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, domain.FieldErrorf("filter", "is empty")
	}
	if len(expr) > MaxLength {
		return nil, domain.FieldErrorf("filter", "must be at most %d characters", MaxLength)
	}
	ast, iss := e.env.Compile(expr)
	if iss.Err() != nil {
		return nil, domain.FieldErrorf("filter", "%s", describeIssues(iss))
	}
	if t := ast.OutputType(); !t.IsExactType(cel.BoolType) && !t.IsExactType(cel.DynType) {
		return nil, domain.FieldErrorf("filter", "must be a condition that yields true or false, but it yields %s", t)
	}
	prg, err := e.env.Program(ast,
		cel.CostLimit(e.costLimit),
		cel.EvalOptions(cel.OptOptimize),
	)
	if err != nil {
		return nil, domain.FieldErrorf("filter", "%v", err)
	}
	return &Program{expr: expr, prg: prg, paths: dataPaths(ast)}, nil
}

// maxIssues bounds how many compile problems one error message lists.
const maxIssues = 3

// describeIssues renders CEL's compile errors on one line each, with their
// position ("at column 12"; lines are named only for multi-line filters).
func describeIssues(iss *cel.Issues) string {
	errs := iss.Errors()
	parts := make([]string, 0, min(len(errs), maxIssues))
	for _, e := range errs[:min(len(errs), maxIssues)] {
		msg := e.Message
		if loc := e.Location; loc != nil && loc.Line() > 0 {
			if loc.Line() == 1 {
				msg += fmt.Sprintf(" (at column %d)", loc.Column()+1)
			} else {
				msg += fmt.Sprintf(" (at line %d, column %d)", loc.Line(), loc.Column()+1)
			}
		}
		parts = append(parts, msg)
	}
	if len(errs) > maxIssues {
		parts = append(parts, fmt.Sprintf("and %d more problems", len(errs)-maxIssues))
	}
	return strings.Join(parts, "; ")
}
