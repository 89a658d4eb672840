package store

import "fmt"

// RequireID returns an error unless id is set. A store mints no ids (nor
// reads the clock): the caller assigns every record's id (from an
// id.Generator) and times, so a record without an id is a bug of its
// caller, refused before anything is written.
func RequireID(what, id string) error {
	if id == "" {
		return fmt.Errorf("store: %s without an id: the caller assigns ids", what)
	}
	return nil
}
