package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static templates
var files embed.FS

// assets serves the embedded CSS, JS and images at checksummed URLs
// ("/static/app.3f2a9c1b.css"), cached for a year: a new binary with a
// changed file has a new URL, so browsers never see a stale one.
type assets struct {
	byURL map[string]asset  // "app.3f2a9c1b.css" → file
	urls  map[string]string // "app.css" → "/static/app.3f2a9c1b.css"
}

type asset struct {
	body  []byte
	ctype string
}

// loadAssets reads and fingerprints every file under static/.
func loadAssets() (*assets, error) {
	a := &assets{byURL: map[string]asset{}, urls: map[string]string{}}
	entries, err := fs.ReadDir(files, "static")
	if err != nil {
		return nil, fmt.Errorf("console assets: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		body, err := files.ReadFile("static/" + name)
		if err != nil {
			return nil, fmt.Errorf("console assets: %w", err)
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		a.byURL[hashed] = asset{body: body, ctype: mime.TypeByExtension(ext)}
		a.urls[name] = "/static/" + hashed
	}
	return a, nil
}

// url returns the checksummed URL of a static file; it panics on an
// unknown name, which template parsing turns into a start-up error.
func (a *assets) url(name string) string {
	u, ok := a.urls[name]
	if !ok {
		panic("unknown static file " + name)
	}
	return u
}

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.byURL[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(f.body)
}
