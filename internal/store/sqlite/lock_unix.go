//go:build unix

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// fileLock is an exclusive flock on "<database>.lock", held for the life of
// the Store. The kernel drops it when the process dies, however it dies, so
// a crashed server never leaves a stale lock behind.
type fileLock struct {
	f *os.File
}

// lockFile takes the lock or fails at once if another process holds it.
func lockFile(path string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("sqlite: %s is locked: another lmshooks process is using this database (SQLite serves one process; use PostgreSQL to run several nodes)", path)
		}
		return nil, fmt.Errorf("sqlite: lock %s: %w", path, err)
	}
	return &fileLock{f: f}, nil
}

// release drops the lock. The file stays: removing it would race with
// another process that already opened it.
func (l *fileLock) release() error {
	return l.f.Close()
}
