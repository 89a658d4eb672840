package app

import (
	"context"
	"net/http"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/format"
	"github.com/lmshooks/lmshooks/internal/metrics"
)

// uiDeps is what the console may use besides the App's own services.
type uiDeps struct {
	formats *format.Registry
	metrics *metrics.Metrics
	clock   clock.Clock
}

// newUI builds the web console; nil means no console is served.
func (a *App) newUI(ctx context.Context, d uiDeps) (http.Handler, error) {
	return nil, nil
}
