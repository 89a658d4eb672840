// Package tinyproxy runs Debian's tinyproxy, a real HTTP CONNECT proxy, on
// a free loopback port for one test, and reads back from its log which
// tunnels it opened. Without the binary the test is skipped on a
// workstation and fails in CI (CI=true), where .ci/run installs it.
package tinyproxy

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
)

// Binary is where Debian's tinyproxy package installs the proxy.
const Binary = "/usr/bin/tinyproxy"

// Options configures a proxy.
type Options struct {
	// User and Password, when User is set, are the only credentials the
	// proxy accepts (BasicAuth); without them it asks for none.
	User, Password string
}

// Proxy is one running tinyproxy.
type Proxy struct {
	t       testing.TB
	opts    Options
	port    int
	dir     string
	cmd     *exec.Cmd
	exited  chan struct{}
	logPath string
}

// Start runs a proxy that only loopback clients may use, on a free
// loopback port, until the test ends.
func Start(t testing.TB, opts Options) *Proxy {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("egress proxy tests need %s in CI: %v", Binary, err)
		}
		t.Skipf("%s not installed (apt-get install tinyproxy): skipping the egress proxy test", Binary)
	}
	p := &Proxy{t: t, opts: opts, dir: t.TempDir()}
	p.logPath = filepath.Join(p.dir, "tinyproxy.log")
	p.port = freePort(t)
	p.start()
	return p
}

// Restart stops the proxy and starts it again on the same port with opts
// (for example other credentials). Its log is kept.
func (p *Proxy) Restart(opts Options) {
	p.t.Helper()
	p.Stop()
	p.opts = opts
	p.start()
}

// start writes the configuration and runs tinyproxy in the foreground,
// returning once it accepts connections.
func (p *Proxy) start() {
	t := p.t
	t.Helper()
	conf := fmt.Sprintf(`Port %d
Listen 127.0.0.1
Timeout 30
MaxClients 50
Allow 127.0.0.1
LogLevel Connect
LogFile %q
DisableViaHeader Yes
`, p.port, p.logPath)
	if p.opts.User != "" {
		conf += fmt.Sprintf("BasicAuth %s %s\n", p.opts.User, p.opts.Password)
	}
	confPath := filepath.Join(p.dir, "tinyproxy.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	// -d keeps it in the foreground, so the test owns the process.
	p.cmd = exec.Command(Binary, "-d", "-c", confPath)
	out, err := os.Create(filepath.Join(p.dir, "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdout, p.cmd.Stderr = out, out
	if err := p.cmd.Start(); err != nil {
		out.Close()
		t.Fatalf("start tinyproxy: %v", err)
	}
	p.exited = make(chan struct{})
	go func() {
		_ = p.cmd.Wait()
		out.Close()
		close(p.exited)
	}()
	t.Cleanup(p.Stop)
	ready := poll.Until(10*time.Second, func() bool {
		select {
		case <-p.exited:
			return true
		default:
		}
		c, err := net.DialTimeout("tcp", p.Addr(), time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	select {
	case <-p.exited:
		stderr, _ := os.ReadFile(filepath.Join(p.dir, "stderr.log"))
		log, _ := os.ReadFile(p.logPath)
		t.Fatalf("tinyproxy exited at start:\n%s\n%s", stderr, log)
	default:
	}
	if !ready {
		t.Fatalf("tinyproxy does not accept connections on %s", p.Addr())
	}
}

// Stop ends the proxy and waits for it; stopping twice is harmless.
func (p *Proxy) Stop() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)) }

// URL is the proxy's URL with the given credentials (none when user is
// empty), as --egress-proxy takes it.
func (p *Proxy) URL(user, password string) *url.URL {
	u := &url.URL{Scheme: "http", Host: p.Addr()}
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	return u
}

// connectLine is how tinyproxy logs a CONNECT request.
var connectLine = regexp.MustCompile(`Request \(file descriptor \d+\): CONNECT (\S+) HTTP/`)

// Connects returns the authority of every CONNECT request the proxy
// received so far ("127.0.0.1:8443"), in order, whether or not it opened
// the tunnel.
func (p *Proxy) Connects() []string {
	p.t.Helper()
	log, err := os.ReadFile(p.logPath)
	if err != nil && !os.IsNotExist(err) {
		p.t.Fatal(err)
	}
	var out []string
	for _, m := range connectLine.FindAllSubmatch(log, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
