package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// consoleTests check the console credential: stored once, kept, agreed on
// by callers racing to create it, replaced on a reset.
var consoleTests = []test{
	{"NoneStored", func(t *testing.T, f *fixture) {
		_, err := f.s.GetConsoleCredential(f.ctx)
		wantCode(t, err, domain.ENOTFOUND)
	}},
	{"EnsureCreatesOnceThenKeeps", func(t *testing.T, f *fixture) {
		first := newConsoleCredential(1, base)
		stored, created, err := f.s.EnsureConsoleCredential(f.ctx, first)
		if err != nil || !created {
			t.Fatalf("first EnsureConsoleCredential = created %v, %v; want created", created, err)
		}
		same(t, "created credential", *stored, *first, normConsole)

		second := newConsoleCredential(2, base.Add(time.Hour))
		stored, created, err = f.s.EnsureConsoleCredential(f.ctx, second)
		if err != nil || created {
			t.Fatalf("second EnsureConsoleCredential = created %v, %v; want the first kept", created, err)
		}
		same(t, "kept credential", *stored, *first, normConsole)

		got, err := f.s.GetConsoleCredential(f.ctx)
		if err != nil {
			t.Fatalf("GetConsoleCredential: %v", err)
		}
		same(t, "stored credential", *got, *first, normConsole)
	}},
	{"ConcurrentEnsureAgrees", func(t *testing.T, f *fixture) {
		// Nodes starting at once each bring a credential of their own;
		// exactly one is stored and every caller gets that one back.
		const callers = 8
		type result struct {
			stored  *domain.ConsoleCredential
			created bool
			err     error
		}
		results := make([]result, callers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				<-start
				stored, created, err := f.s.EnsureConsoleCredential(f.ctx, newConsoleCredential(byte(i+1), base))
				results[i] = result{stored, created, err}
			})
		}
		close(start)
		wg.Wait()

		var winner *domain.ConsoleCredential
		for i, r := range results {
			if r.err != nil {
				t.Fatalf("caller %d: EnsureConsoleCredential: %v", i, r.err)
			}
			if r.created {
				if winner != nil {
					t.Fatalf("two callers created a credential")
				}
				winner = r.stored
			}
		}
		if winner == nil {
			t.Fatalf("no caller created the credential")
		}
		for i, r := range results {
			same(t, fmt.Sprintf("credential of caller %d", i), *r.stored, *winner, normConsole)
		}
		got, err := f.s.GetConsoleCredential(f.ctx)
		if err != nil {
			t.Fatalf("GetConsoleCredential: %v", err)
		}
		same(t, "stored credential", *got, *winner, normConsole)
	}},
	{"Replace", func(t *testing.T, f *fixture) {
		// A reset works whether or not a credential was stored before.
		first := newConsoleCredential(1, base)
		if err := f.s.ReplaceConsoleCredential(f.ctx, first); err != nil {
			t.Fatalf("ReplaceConsoleCredential with none stored: %v", err)
		}
		got, err := f.s.GetConsoleCredential(f.ctx)
		if err != nil {
			t.Fatalf("GetConsoleCredential: %v", err)
		}
		same(t, "stored credential", *got, *first, normConsole)

		reset := newConsoleCredential(2, base.Add(time.Hour))
		reset.Iterations = 300_000
		if err := f.s.ReplaceConsoleCredential(f.ctx, reset); err != nil {
			t.Fatalf("ReplaceConsoleCredential: %v", err)
		}
		got, err = f.s.GetConsoleCredential(f.ctx)
		if err != nil {
			t.Fatalf("GetConsoleCredential: %v", err)
		}
		same(t, "replaced credential", *got, *reset, normConsole)

		// Later starts keep the replacement.
		stored, created, err := f.s.EnsureConsoleCredential(f.ctx, newConsoleCredential(3, base))
		if err != nil || created {
			t.Fatalf("EnsureConsoleCredential after a reset = created %v, %v; want the reset kept", created, err)
		}
		same(t, "kept credential", *stored, *reset, normConsole)
	}},
}

// newConsoleCredential returns a well-formed credential whose bytes are all
// derived from tag, so that credentials of different tags differ in every
// field, including bytes that are not valid UTF-8.
func newConsoleCredential(tag byte, created time.Time) *domain.ConsoleCredential {
	fill := func(n int, b byte) []byte { return bytes.Repeat([]byte{b}, n) }
	return &domain.ConsoleCredential{
		Salt:       append(fill(domain.ConsoleSaltBytes-1, tag), 0xff),
		Iterations: 200_000 + int(tag),
		Verifier:   append([]byte{0x00}, fill(31, tag^0x80)...),
		KeySeed:    fill(domain.ConsoleKeySeedBytes, tag^0x5a),
		CreatedAt:  created,
	}
}

func normConsole(c domain.ConsoleCredential) domain.ConsoleCredential {
	c.CreatedAt = utc(c.CreatedAt)
	return c
}
