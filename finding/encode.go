package finding

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"chuyenhoa/period"
	"chuyenhoa/rules"
)

// A national round encodes a candidate finding for each of 10,600
// communes, every day, and compares it with the one stored: through
// encoding/json's reflection, and the MarshalJSON and compaction of
// every time in it, that was a tenth of the round's own work. The
// candidate payload is therefore written out here, byte for byte as
// encoding/json writes it (TestCandidateJSONIsEncodingJSONs holds it to
// that, over every field): stored payloads compare equal whichever wrote
// them.

// appendCandidate appends v's JSON as json.Marshal(v) writes it.
func appendCandidate(b []byte, v CandidateItem) ([]byte, error) {
	var err error
	b = append(b, `{"Year":`...)
	b = strconv.AppendInt(b, int64(v.Year), 10)
	b = append(b, `,"Reference":`...)
	if b, err = appendRange(b, v.Reference); err != nil {
		return nil, err
	}
	b = append(b, `,"TotalUnits":`...)
	b = strconv.AppendInt(b, int64(v.TotalUnits), 10)
	b = append(b, `,"Cap":`...)
	b = strconv.AppendInt(b, int64(v.Cap), 10)

	c := v.Candidate
	b = append(b, `,"Unit":{"Code":`...)
	b = appendString(b, c.Unit.Code)
	b = append(b, `,"Name":`...)
	b = appendString(b, c.Unit.Name)
	b = append(b, `,"Kind":`...)
	b = appendString(b, c.Unit.Kind)
	b = append(b, `,"District":`...)
	b = appendString(b, c.Unit.District)
	b = append(b, `,"NTMCertifiedOn":`...)
	if b, err = appendTime(b, c.Unit.NTMCertifiedOn); err != nil {
		return nil, err
	}
	b = append(b, `},"Counts":{"SocialOrder":`...)
	b = strconv.AppendInt(b, int64(c.Counts.SocialOrder), 10)
	b = append(b, `,"ByCategory":`...)
	b = appendInts(b, c.Counts.ByCategory[:])
	b = append(b, `},"ProvinceAvg":`...)
	if b, err = appendFloat(b, c.ProvinceAvg); err != nil {
		return nil, err
	}
	b = append(b, `,"HasDistrict":`...)
	b = strconv.AppendBool(b, c.HasDistrict)
	b = append(b, `,"DistrictAvg":`...)
	if b, err = appendFloat(b, c.DistrictAvg); err != nil {
		return nil, err
	}
	b = append(b, `,"AboveProvince":`...)
	b = strconv.AppendBool(b, c.AboveProvince)
	b = append(b, `,"AboveDistrict":`...)
	b = strconv.AppendBool(b, c.AboveDistrict)
	b = append(b, `,"Eligible":`...)
	b = strconv.AppendBool(b, c.Eligible)
	b = append(b, `,"Complex":`...)
	b = appendCategories(b, c.Complex)
	b = append(b, `,"Primary":`...)
	b = strconv.AppendInt(b, int64(c.Primary), 10)
	b = append(b, `,"Severity":`...)
	if b, err = appendFloat(b, c.Severity); err != nil {
		return nil, err
	}
	b = append(b, `,"Rank":`...)
	b = strconv.AppendInt(b, int64(c.Rank), 10)
	b = append(b, `,"Status":`...)
	b = appendString(b, string(c.Status))
	b = append(b, `,"NTM":`...)
	b = strconv.AppendBool(b, c.NTM)
	return append(b, '}'), nil
}

func appendRange(b []byte, r period.Range) ([]byte, error) {
	var err error
	b = append(b, `{"From":`...)
	if b, err = appendTime(b, r.From); err != nil {
		return nil, err
	}
	b = append(b, `,"To":`...)
	if b, err = appendTime(b, r.To); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// appendCategories is a []rules.Category as encoding/json writes it: null
// when nil.
func appendCategories(b []byte, cs []rules.Category) []byte {
	if cs == nil {
		return append(b, "null"...)
	}
	return appendInts(b, cs)
}

// appendInts is a list of whole numbers as a JSON array.
func appendInts[T ~int](b []byte, xs []T) []byte {
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(x), 10)
	}
	return append(b, ']')
}

// appendTime is time.Time.MarshalJSON's output: RFC 3339 with
// nanoseconds, quoted, refused outside the years 0-9999.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); y < 0 || y >= 10000 {
		return nil, fmt.Errorf("json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]")
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}

// errFloat is what encoding/json refuses: NaN and the infinities.
var errFloat = errors.New("json: unsupported value: NaN or infinite float")

// appendFloat is encoding/json's float64 encoding.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("%w (%s)", errFloat, strconv.FormatFloat(f, 'g', -1, 64))
	}
	// As encoding/json: ES6 number formatting, exponents for very small
	// and very large magnitudes, without a leading zero in the exponent.
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

const hex = "0123456789abcdef"

// appendString is a string as encoding/json writes it by default: HTML's
// <, > and & escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
