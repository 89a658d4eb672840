package api

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
)

// KeyPrefix starts every API key, so that leaked keys are easy to spot
// (secret scanners, logs).
const KeyPrefix = "lmsk_"

// keyPrefixLen is how much of a key is kept in clear to tell keys apart.
const keyPrefixLen = len(KeyPrefix) + 6

// NewKey returns a fresh API key: "lmsk_" and the base64url of 32 random
// bytes.
func NewKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate api key: %w", err)
	}
	return KeyPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// apiKeyJSON is a created API key on the wire; Key is shown only here.
type apiKeyJSON struct {
	ID        string `json:"id"`
	TenantID  string `json:"tenant_id"`
	Name      string `json:"name"`
	Key       string `json:"key"`
	Prefix    string `json:"prefix"`
	CreatedAt string `json:"created_at"`
}

func (a *API) createAPIKey(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := readJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return domain.FieldErrorf("name", "is required: say who or what uses the key")
	}
	if len(in.Name) > 200 {
		return domain.FieldErrorf("name", "must be at most 200 characters")
	}
	key, err := NewKey()
	if err != nil {
		return err
	}
	now := a.clock.Now().UTC()
	k := &domain.APIKey{
		ID:        id.NewAt(id.APIKey, now),
		TenantID:  r.PathValue("tenant"),
		Name:      in.Name,
		Prefix:    key[:keyPrefixLen],
		Hash:      HashKey(key),
		CreatedAt: now,
	}
	if err := a.store.CreateAPIKey(r.Context(), k); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, apiKeyJSON{
		ID: k.ID, TenantID: k.TenantID, Name: k.Name, Key: key, Prefix: k.Prefix, CreatedAt: ts(k.CreatedAt),
	})
}
