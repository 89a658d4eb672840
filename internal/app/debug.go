package app

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
)

// startDebug serves pprof on its own address, never on the public one:
// profiles reveal internals and cost CPU.
func (a *App) startDebug() error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", a.cfg.DebugAddr)
	if err != nil {
		return fmt.Errorf("listen on debug address %s: %w", a.cfg.DebugAddr, err)
	}
	a.debugSrv = &http.Server{Handler: mux}
	go func() { _ = a.debugSrv.Serve(ln) }()
	a.log.Info("pprof enabled", "addr", ln.Addr().String())
	return nil
}
