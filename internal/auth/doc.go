// Package auth holds lmshooks' security primitives, apart from the HTTP
// surfaces that use them: API keys (minting, hashing, the one constructor
// of a stored key record), the console's operator credential, the keyring
// derived from it, sealed tokens, console sessions and portal link tokens.
//
// Nothing here reads a request or writes a response: internal/api and
// internal/ui decide what to do with a key, a session or a token; this
// package only makes and checks them.
package auth
