package cli

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
)

// simEvent is one event the simulated LMS publishes.
type simEvent struct {
	Type           string
	Data           map[string]any
	IdempotencyKey string
	OccurredAt     time.Time
}

// lms is a small model of a learning platform's life, for `lmshooks
// simulate`: learners join, get enrolled in courses, start, progress,
// complete (earning a certificate and sometimes a badge) or fail. Each
// event refers to the same learners, courses and enrollments as the ones
// before it, so receivers see coherent stories, not random samples. The
// data of each type is the catalog's example with the model's values laid
// over it, so it always carries the fields the catalog's schema asks for.
//
// An lms is not safe for concurrent use; the same seed and clock readings
// give the same events.
type lms struct {
	rnd      *rand.Rand
	now      func() time.Time
	examples map[string]map[string]any
	run      string // makes idempotency keys unique to this run

	users       []simUser
	active      []*simEnrollment // not_started or in_progress
	pending     []simEvent       // follow-ups of the last action
	seq         int              // events made so far
	userSeq     int
	enrollSeq   int
	documentSeq int
}

type simUser struct {
	ID, ExternalID, Email, First, Last string
}

type simCourse struct {
	ID, Code, Title, Kind string
}

type simEnrollment struct {
	ID        string
	User      simUser
	Course    simCourse
	Status    string // not_started or in_progress
	Progress  int
	Spent     int // seconds
	Enrolled  time.Time
	Started   time.Time
	Mandatory bool
}

// simTypes are the event types the model publishes.
var simTypes = []string{
	"user.created", "user.updated",
	"course_enrollment.created", "course_enrollment.started", "course_enrollment.progressed",
	"course_enrollment.completed", "course_enrollment.failed", "course_enrollment.withdrawn",
	"certificate.awarded", "badge.awarded",
}

var simCourses = []simCourse{
	{"c_1042", "HSE-101", "Workplace Safety 101", "online"},
	{"c_1043", "GDPR-110", "Data Privacy Essentials", "online"},
	{"c_1077", "HR-201", "Preventing Harassment at Work", "online"},
	{"c_1101", "LEAD-300", "Leadership Foundations", "blended"},
	{"c_1150", "XL-120", "Excel for Analysts", "scorm"},
	{"c_1164", "CS-101", "Customer Success Onboarding", "online"},
	{"c_1201", "FIRE-210", "Fire Warden Certification", "instructor_led"},
	{"c_1233", "SEC-100", "Cybersecurity Awareness", "online"},
}

// Names are ASCII so that they make valid e-mail addresses as they are.
var (
	simFirst = []string{"Ana", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas",
		"Keiko", "Liam", "Maya", "Noah", "Olga", "Pablo", "Rosa", "Sami", "Tara", "Yusuf"}
	simLast = []string{"Lopez", "Martin", "Nguyen", "Schmidt", "Rossi", "Haddad", "Kim", "Dubois", "Silva",
		"Novak", "Okafor", "Jensen", "Moreau", "Costa", "Weber", "Tanaka"}
	simTitles = []string{"Account Executive", "Warehouse Associate", "Nurse", "Software Engineer",
		"Store Manager", "Customer Success Manager", "HR Business Partner", "Field Technician"}
)

// newLMS returns a model seeded with seed, taking times from now and the
// data shapes from cat. run distinguishes this run's idempotency keys.
func newLMS(cat *catalog.Catalog, seed uint64, now func() time.Time, run string) (*lms, error) {
	l := &lms{
		rnd:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		now:      now,
		examples: map[string]map[string]any{},
		run:      run,
	}
	for _, typ := range simTypes {
		et, ok := cat.Lookup(typ)
		if !ok {
			return nil, fmt.Errorf("simulate: the catalog has no %s", typ)
		}
		var ex map[string]any
		if err := json.Unmarshal(et.Example, &ex); err != nil {
			return nil, fmt.Errorf("simulate: the example of %s is not an object: %w", typ, err)
		}
		l.examples[typ] = ex
	}
	return l, nil
}

// next returns the model's next event.
func (l *lms) next() simEvent {
	var ev simEvent
	if len(l.pending) > 0 {
		ev, l.pending = l.pending[0], l.pending[1:]
	} else {
		ev = l.act()
	}
	l.seq++
	ev.IdempotencyKey = fmt.Sprintf("sim-%s-%d", l.run, l.seq)
	ev.OccurredAt = l.now()
	return ev
}

// act picks what happens next among what can happen now, with weights that
// keep a population of learners moving through their courses.
func (l *lms) act() simEvent {
	type choice struct {
		weight int
		do     func() simEvent
	}
	var choices []choice
	add := func(w int, ok bool, do func() simEvent) {
		if ok {
			choices = append(choices, choice{w, do})
		}
	}
	notStarted, inProgress, nearlyDone := l.count("not_started", 0), l.count("in_progress", 0), l.count("in_progress", 60)
	add(30, len(l.users) < 5, l.userCreated) // a platform starts with learners
	add(8, true, l.userCreated)
	add(3, len(l.users) > 0, l.userUpdated)
	add(22, len(l.users) > 0 && len(l.active) < 50*len(simCourses), l.enrolled)
	add(15, notStarted > 0, l.started)
	add(30, inProgress > 0, l.progressed)
	add(14, nearlyDone > 0, l.completed)
	add(3, nearlyDone > 0, l.failed)
	add(1, len(l.active) > 0, l.withdrawn)
	total := 0
	for _, c := range choices {
		total += c.weight
	}
	n := l.rnd.IntN(total)
	for _, c := range choices {
		if n < c.weight {
			return c.do()
		}
		n -= c.weight
	}
	panic("unreachable: weights add up to total")
}

// count returns how many active enrollments have status and at least
// progress percent done.
func (l *lms) count(status string, progress int) int {
	n := 0
	for _, e := range l.active {
		if e.Status == status && e.Progress >= progress {
			n++
		}
	}
	return n
}

// pick returns a random active enrollment with status and at least
// progress percent done; the caller knows one exists.
func (l *lms) pick(status string, progress int) *simEnrollment {
	k := l.rnd.IntN(l.count(status, progress))
	for _, e := range l.active {
		if e.Status == status && e.Progress >= progress {
			if k == 0 {
				return e
			}
			k--
		}
	}
	panic("unreachable: count and pick disagree")
}

// finish removes e from the active enrollments.
func (l *lms) finish(e *simEnrollment) {
	for i, x := range l.active {
		if x == e {
			l.active = append(l.active[:i], l.active[i+1:]...)
			return
		}
	}
}

func (l *lms) userCreated() simEvent {
	l.userSeq++
	first, last := simFirst[l.rnd.IntN(len(simFirst))], simLast[l.rnd.IntN(len(simLast))]
	u := simUser{
		ID:         fmt.Sprintf("u_%d", 3000+l.userSeq),
		ExternalID: fmt.Sprintf("HR-%05d", 1000+l.userSeq),
		Email:      fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(first), strings.ToLower(last), l.userSeq),
		First:      first,
		Last:       last,
	}
	l.users = append(l.users, u)
	now := stamp(l.now())
	return l.event("user.created", map[string]any{
		"id": u.ID, "external_id": u.ExternalID, "email": u.Email,
		"username":   strings.SplitN(u.Email, "@", 2)[0],
		"first_name": u.First, "last_name": u.Last, "full_name": u.First + " " + u.Last,
		"job_title":  simTitles[l.rnd.IntN(len(simTitles))],
		"created_at": now, "updated_at": now,
	})
}

func (l *lms) userUpdated() simEvent {
	u := l.users[l.rnd.IntN(len(l.users))]
	return l.event("user.updated", map[string]any{
		"id": u.ID, "external_id": u.ExternalID, "email": u.Email,
		"username":   strings.SplitN(u.Email, "@", 2)[0],
		"first_name": u.First, "last_name": u.Last, "full_name": u.First + " " + u.Last,
		"job_title":  "Senior " + simTitles[l.rnd.IntN(len(simTitles))],
		"updated_at": stamp(l.now()),
	})
}

func (l *lms) enrolled() simEvent {
	l.enrollSeq++
	now := l.now()
	e := &simEnrollment{
		ID:        fmt.Sprintf("enr_%d", 7000+l.enrollSeq),
		User:      l.users[l.rnd.IntN(len(l.users))],
		Course:    simCourses[l.rnd.IntN(len(simCourses))],
		Status:    "not_started",
		Enrolled:  now,
		Mandatory: l.rnd.IntN(3) == 0,
	}
	l.active = append(l.active, e)
	return l.enrollmentEvent("course_enrollment.created", e, map[string]any{
		"status": "not_started", "progress_percent": 0, "time_spent_seconds": 0,
		"started_at": nil, "completed_at": nil, "passed": nil, "certificate_id": nil, "completion_source": nil,
		"due_at": stamp(now.Add(30 * 24 * time.Hour)),
	})
}

func (l *lms) started() simEvent {
	e := l.pick("not_started", 0)
	e.Status, e.Started, e.Progress, e.Spent = "in_progress", l.now(), 1+l.rnd.IntN(10), 60+l.rnd.IntN(300)
	return l.enrollmentEvent("course_enrollment.started", e, map[string]any{"completed_at": nil, "passed": nil})
}

func (l *lms) progressed() simEvent {
	e := l.pick("in_progress", 0)
	e.Progress = min(95, e.Progress+10+l.rnd.IntN(30))
	e.Spent += 300 + l.rnd.IntN(1500)
	return l.enrollmentEvent("course_enrollment.progressed", e, map[string]any{"completed_at": nil, "passed": nil})
}

func (l *lms) completed() simEvent {
	e := l.pick("in_progress", 60)
	l.finish(e)
	raw := 70 + l.rnd.IntN(31)
	now := l.now()
	l.documentSeq++
	certID := fmt.Sprintf("cert_%d", 9000+l.documentSeq)
	e.Status, e.Progress, e.Spent = "completed", 100, e.Spent+600+l.rnd.IntN(1200)
	source := map[string]any{"type": "course", "id": e.Course.ID, "title": e.Course.Title}
	l.pending = append(l.pending, l.event("certificate.awarded", map[string]any{
		"id": certID, "user": userRef(e.User), "source": source,
		"title":     e.Course.Title + " — Certificate of Completion",
		"status":    "valid",
		"issued_at": stamp(now), "expires_at": stamp(now.AddDate(1, 0, 0)),
		"url":               "https://learn.example.com/certificates/" + certID + ".pdf",
		"verification_code": fmt.Sprintf("SIM-%04X-%04X", l.rnd.IntN(1<<16), l.rnd.IntN(1<<16)),
	}))
	if l.rnd.IntN(4) == 0 {
		l.pending = append(l.pending, l.event("badge.awarded", map[string]any{
			"id": fmt.Sprintf("bdga_%d", 5000+l.documentSeq), "user": userRef(e.User), "source": source,
			"awarded_at": stamp(now),
		}))
	}
	return l.enrollmentEvent("course_enrollment.completed", e, map[string]any{
		"score":  map[string]any{"raw": raw, "min": 0, "max": 100, "scaled": float64(raw) / 100},
		"passed": true, "completed_at": stamp(now), "completion_source": "learner",
		"certificate_id": certID, "credits_awarded": 1.5,
	})
}

func (l *lms) failed() simEvent {
	e := l.pick("in_progress", 60)
	l.finish(e)
	raw := 30 + l.rnd.IntN(35)
	e.Status, e.Progress = "failed", 100
	return l.enrollmentEvent("course_enrollment.failed", e, map[string]any{
		"score":  map[string]any{"raw": raw, "min": 0, "max": 100, "scaled": float64(raw) / 100},
		"passed": false, "completed_at": nil, "certificate_id": nil, "completion_source": nil,
	})
}

func (l *lms) withdrawn() simEvent {
	e := l.active[l.rnd.IntN(len(l.active))]
	l.finish(e)
	e.Status = "withdrawn"
	return l.enrollmentEvent("course_enrollment.withdrawn", e, map[string]any{
		"completed_at": nil, "passed": nil, "certificate_id": nil, "completion_source": nil,
	})
}

// enrollmentEvent renders e's current state, plus extra, as an event of typ.
func (l *lms) enrollmentEvent(typ string, e *simEnrollment, extra map[string]any) simEvent {
	data := map[string]any{
		"id":     e.ID,
		"user":   userRef(e.User),
		"course": map[string]any{"id": e.Course.ID, "code": e.Course.Code, "title": e.Course.Title, "kind": e.Course.Kind, "url": "https://learn.example.com/courses/" + e.Course.ID},
		"status": e.Status, "progress_percent": e.Progress, "time_spent_seconds": e.Spent,
		"attempt": 1, "enrolled_at": stamp(e.Enrolled), "is_mandatory": e.Mandatory, "expires_at": nil,
	}
	if !e.Started.IsZero() {
		data["started_at"] = stamp(e.Started)
	}
	for k, v := range extra {
		data[k] = v
	}
	if _, ok := l.examples[typ]["actor"]; ok {
		data["actor"] = map[string]any{"type": "learner", "id": e.User.ID}
		if typ == "course_enrollment.created" {
			data["actor"] = map[string]any{"type": "admin", "id": "u_1015"}
		}
	}
	return l.event(typ, data)
}

// event lays data over a copy of typ's catalog example.
func (l *lms) event(typ string, data map[string]any) simEvent {
	out := make(map[string]any, len(l.examples[typ])+len(data))
	for k, v := range l.examples[typ] {
		out[k] = v
	}
	for k, v := range data {
		out[k] = v
	}
	return simEvent{Type: typ, Data: out}
}

func userRef(u simUser) map[string]any {
	return map[string]any{"id": u.ID, "external_id": u.ExternalID, "email": u.Email,
		"first_name": u.First, "last_name": u.Last, "full_name": u.First + " " + u.Last}
}

// stamp renders t as the API does: RFC 3339 in UTC with milliseconds.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }
