package catalog

import (
	"encoding/json"
	"testing"
)

// BenchmarkValidate measures the schema check of one typical event, as
// every publish runs it.
func BenchmarkValidate(b *testing.B) {
	c, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	data := json.RawMessage(`{"id":"enr_1","status":"completed","progress_percent":100,"passed":true,"completed_at":"2026-11-23T09:12:44Z","time_spent_seconds":5400,"user":{"id":"u_1","email":"learner1@acme.example","first_name":"Ana","last_name":"López"},"course":{"id":"c_1","code":"HSE-101","title":"Workplace Safety Fundamentals","kind":"online"},"score":{"raw":92,"min":0,"max":100,"scaled":0.92}}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Validate("course_enrollment.completed", data); err != nil {
			b.Fatal(err)
		}
	}
}
