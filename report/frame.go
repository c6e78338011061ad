package report

import (
	"time"

	"chuyenhoa/config"
	"chuyenhoa/labels"
)

// Frame is what makes a page a state document (Decree 30/2020/NĐ-CP, as
// plan 67/KH-UBND itself is laid out): the issuing body over its number,
// the national motto and tagline over the place and date, the kind and
// summary line; after the body, the recipients and the signature. The
// templates lay it out (templates/frame.html.tmpl); the words come from
// the configuration's documents section and package labels.
type Frame struct {
	Superior, Issuer string
	// Number is the registered number ("" leaves it blank for the clerk);
	// Code the kind's abbreviation (BC, QĐ), Symbol the issuer's (BCĐ).
	Number, Code, Symbol string
	Place                string
	// Day is the date line's day; zero leaves day and month blank for the
	// signer (a draft), in year Year.
	Day  time.Time
	Year int
	// Kind is the document's kind (BÁO CÁO), Summary its summary line
	// (trích yếu).
	Kind, Summary string
	// Draft marks a draft (dự thảo) for the committee to amend and sign.
	Draft      bool
	Recipients []string
	Signer     config.Signer
}

// reportFrame is the frame of a report of the configured issuer, dated
// day, numbered number ("" blank).
func reportFrame(d config.Documents, number string, day time.Time, summary string) Frame {
	return Frame{
		Superior: d.Superior, Issuer: d.Issuer, Number: number, Code: labels.CodeReport, Symbol: d.Symbol, Place: d.Place,
		Day: day, Year: day.Year(), Kind: labels.KindReport, Summary: summary, Recipients: d.Recipients, Signer: d.Signer,
	}
}

// DateLine is the place and date line; "" when the day is left blank.
func (f Frame) DateLine() string {
	if f.Day.IsZero() {
		return ""
	}
	return labels.DocumentDate(f.Place, f.Day)
}

// Motto and Tagline are the national motto and tagline.
func (Frame) Motto() string   { return labels.Motto }
func (Frame) Tagline() string { return labels.Tagline }
