package web

import (
	"errors"
	"net/http"
	"testing"

	"github.com/lmshooks/lmshooks/internal/domain"
)

func TestStatusOfEveryCode(t *testing.T) {
	cases := map[string]int{
		domain.EINVALID:      422,
		domain.EMALFORMED:    400,
		domain.ENOTFOUND:     404,
		domain.ECONFLICT:     409,
		domain.EUNAUTHORIZED: 401,
		domain.EFORBIDDEN:    403,
		domain.ETOOLARGE:     413,
		domain.ETOOMANY:      429,
		domain.EUNAVAILABLE:  503,
		domain.EINTERNAL:     500,
		"no_such_code":       500,
	}
	for code, want := range cases {
		if got := Status(code); got != want {
			t.Errorf("Status(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestCodeHidesUnknownErrors(t *testing.T) {
	code, status := Code(errors.New("pq: password authentication failed for user x"))
	if code != domain.EINTERNAL || status != http.StatusInternalServerError {
		t.Fatalf("plain error: got %s %d", code, status)
	}
	code, status = Code(&domain.Error{Code: "made_up"})
	if code != domain.EINTERNAL || status != http.StatusInternalServerError {
		t.Fatalf("unknown code: got %s %d", code, status)
	}
	code, status = Code(domain.Errorf(domain.ETOOLARGE, "too big"))
	if code != domain.ETOOLARGE || status != http.StatusRequestEntityTooLarge {
		t.Fatalf("too large: got %s %d", code, status)
	}
}
