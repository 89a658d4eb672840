package ui

import "github.com/lmshooks/lmshooks/internal/id"

// testIDs makes the ids of the records tests put in the store directly.
var testIDs = id.NewGenerator(nil)
