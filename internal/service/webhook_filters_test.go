package service_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/service"
)

// The API's filter check and the console's trial are one evaluation: the
// same filter on the same event gets the same outcome and the same
// problem from both.
func TestCheckFilterAndTryFilterAgree(t *testing.T) {
	e := newEnv(t, true)
	for _, tc := range []struct {
		filter, typ, data string
		want              string // "true", "false" or a piece of the problem
	}{
		{`data.course.id == "c_1042"`, "course_enrollment.completed", "", "true"},
		{`data.course.id == "c_1"`, "course_enrollment.completed", "", "false"},
		{`data.course.id == "c_1"`, "course_enrollment.completed", `{"course": {"id": "c_1"}}`, "true"},
		{`data.course.id == "c_1"`, "user.created", "", "data.course does not exist in user.created"},
		{`data.course.id == "c_1"`, "course_enrollment.completed", `{"user": {}}`, "no such key"},
		{`data.x ==`, "user.created", "", "Syntax error"},
	} {
		checked, err := e.svc.CheckFilter(e.ctx, "acme", service.FilterCheck{Filter: tc.filter, EventType: tc.typ, Data: json.RawMessage(tc.data)})
		if err != nil {
			t.Fatalf("%s: %v", tc.filter, err)
		}
		tried := e.svc.TryFilter(e.ctx, "acme", service.FilterTrial{Filter: tc.filter, EventType: tc.typ, Data: json.RawMessage(tc.data)})
		switch tc.want {
		case "true", "false":
			if checked.Problem != "" || checked.Result == nil || *checked.Result != (tc.want == "true") || tried.Outcome != tc.want {
				t.Errorf("%s on %s: check %+v, trial %+v; want %s from both", tc.filter, tc.typ, checked, tried, tc.want)
			}
		default:
			if !strings.Contains(checked.Problem, tc.want) || tried.Outcome != "error" || tried.Error != checked.Problem {
				t.Errorf("%s on %s: check %q, trial %q; want the same problem with %q", tc.filter, tc.typ, checked.Problem, tried.Error, tc.want)
			}
		}
	}
	// What the trial words for a person, the check refuses as a request.
	for _, tc := range []struct {
		in    service.FilterCheck
		code  string
		field string
	}{
		{service.FilterCheck{Filter: " "}, domain.EINVALID, "filter"},
		{service.FilterCheck{Filter: "true", Data: json.RawMessage(`[1]`)}, domain.EINVALID, "data"},
		{service.FilterCheck{Filter: "true", EventType: "user.craeted"}, domain.EINVALID, "event_type"},
	} {
		_, err := e.svc.CheckFilter(e.ctx, "acme", tc.in)
		if domain.ErrorCode(err) != tc.code || domain.ErrorField(err) != tc.field {
			t.Errorf("%+v: %v, want %s on %s", tc.in, err, tc.code, tc.field)
		}
	}
	if _, err := e.svc.CheckFilter(e.ctx, "globex", service.FilterCheck{Filter: "true"}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown tenant: %v, want ENOTFOUND", err)
	}
}
