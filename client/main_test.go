package client_test

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/lmshooks/lmshooks/internal/app"
)

// The examples share one real server, started by the first that needs it.
var (
	shared     *app.App
	sharedDir  string
	sharedErr  error
	sharedOnce sync.Once
)

// serverURL returns the base URL of the examples' server. The operator
// key is operatorKey.
func serverURL() string {
	sharedOnce.Do(func() {
		sharedDir, sharedErr = os.MkdirTemp("", "lmshooks-client-")
		if sharedErr == nil {
			shared, sharedErr = startApp(sharedDir, "client-examples")
		}
	})
	if sharedErr != nil {
		panic(fmt.Sprintf("start the examples' server: %v", sharedErr))
	}
	return "http://" + shared.Addr()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		if err := shared.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "close the examples' server:", err)
			code = 1
		}
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}
