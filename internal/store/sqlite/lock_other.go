//go:build !unix

package sqlite

// fileLock is a no-op where flock does not exist: there the single-process
// rule is the operator's to keep.
type fileLock struct{}

func lockFile(string) (*fileLock, error) { return &fileLock{}, nil }

func (*fileLock) release() error { return nil }
