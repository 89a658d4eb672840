package catalog

import "bytes"

// The quick path's own format checks. Each accepts a plain, common subset
// of what the full validator accepts for its format (and so may say "not
// sure" of a valid value, never "valid" of an invalid one): no leap
// seconds, no quoted or bracketed email parts.

// isDateTime reports whether s is an RFC 3339 date-time of the form
// 2025-03-14T09:26:53(.123)(Z|+01:00).
func isDateTime(s []byte) bool {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' {
		return false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	h, ok4 := digits(s[11:13])
	m, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || h > 23 || m > 59 || sec > 59 {
		return false
	}
	rest := s[19:]
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 {
			return false
		}
		rest = rest[n:]
	}
	if len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z') {
		return true
	}
	if len(rest) != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':' {
		return false
	}
	zh, ok1 := digits(rest[1:3])
	zm, ok2 := digits(rest[4:6])
	return ok1 && ok2 && zh <= 23 && zm <= 59
}

// digits parses s, made only of ASCII digits.
func digits(s []byte) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn returns the number of days of month in year (Gregorian).
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// isPlainEmail reports whether s is local@domain with a local part of
// letters, digits and ._%+- (no dot first, last or twice in a row) and a
// domain of hostname labels.
func isPlainEmail(s []byte) bool {
	if len(s) > 254 {
		return false
	}
	local, domain, ok := bytes.Cut(s, []byte("@"))
	if !ok || len(local) == 0 || len(local) > 64 || local[0] == '.' || local[len(local)-1] == '.' || bytes.Contains(local, []byte("..")) {
		return false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !(isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-') {
			return false
		}
	}
	if len(domain) == 0 || len(domain) > 253 {
		return false
	}
	for label := range bytes.SplitSeq(domain, []byte(".")) {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !isAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
