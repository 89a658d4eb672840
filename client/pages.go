package client

import "iter"

// all iterates over every item of a list, fetching page after page from
// the cursor given (usually "") until the last. An error ends the
// iteration after it is yielded; so does the caller breaking out of the
// loop, without fetching more.
func all[T any](cursor string, fetch func(cursor string) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			p, err := fetch(cursor)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range p.Data {
				if !yield(item, nil) {
					return
				}
			}
			if p.NextCursor == "" || p.NextCursor == cursor {
				return
			}
			cursor = p.NextCursor
		}
	}
}
