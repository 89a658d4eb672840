package sqlite

import "context"

// TryLead makes this process the leader of the maintenance work
// (maintenance.Elector). It always succeeds: the lock file taken by Open
// already makes this process the only one using the database, so there is
// no one to elect against. The leadership ends when the store closes.
func (s *Store) TryLead(ctx context.Context) (lost <-chan struct{}, release func(), err error) {
	select {
	case <-s.closing:
		return nil, nil, errClosed
	default:
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return s.closing, func() {}, nil
}
