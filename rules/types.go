// Package rules holds the domain rules of plan 67/KH-UBND as plain functions
// over plain structs: candidate selection, categories, relapse, yearly
// targets and reporting deadlines. Nothing here does I/O.
//
// Civil dates (a day in the province, with no time of day) are time.Time
// values at 00:00 UTC; see period.Day. Comparing two such values compares
// calendar days, whatever the province's time zone.
package rules

import "time"

// Category is one of the four area categories of plan 67, II.1.b.
type Category int

// The four categories. Areas meeting only "other criteria" are attached to
// one of them by the provincial committee.
const (
	Cat1 Category = 1 // tội phạm xâm phạm TTXH và tệ nạn xã hội
	Cat2 Category = 2 // trật tự quản lý kinh tế
	Cat3 Category = 3 // môi trường, tài nguyên, an toàn thực phẩm
	Cat4 Category = 4 // ma túy
)

// Categories lists the valid categories in order.
var Categories = [...]Category{Cat1, Cat2, Cat3, Cat4}

// Valid reports whether c is one of the four categories.
func (c Category) Valid() bool { return c >= Cat1 && c <= Cat4 }

// District is a grouping unit (huyện, thị xã, thành phố) whose Steering
// Committee 138 receives alerts. A deployment without a district level has
// none; since 1 July 2025 districts exist only in the history, and their
// validity says until when.
type District struct {
	Code string
	Name string
	Kind string // huyen | thi_xa | thanh_pho
	// ValidFrom and ValidTo bound the days the district exists (both
	// included); zero: open-ended.
	ValidFrom, ValidTo time.Time
}

// Unit is a commune-level unit (xã, phường, đặc khu; thị trấn before the
// 2025 reform): what is selected, transformed and watched for relapse.
type Unit struct {
	Code     string
	Name     string
	Kind     string // one of UnitKinds
	District string // grouping code; "" when there is no grouping level
	// NTMCertifiedOn is the day the unit was certified as meeting the
	// new-rural standard (đạt chuẩn nông thôn mới); zero when never.
	NTMCertifiedOn time.Time
}

// UnitKinds are the kinds of commune-level unit: xã, phường, đặc khu
// (special zones on islands, since 1 July 2025) and thị trấn (towns,
// abolished by the 2025 reform and kept for the history).
var UnitKinds = []string{"xa", "phuong", "dac_khu", "thi_tran"}

// DistrictKinds are the kinds of district: huyện, thị xã, thành phố.
var DistrictKinds = []string{"huyen", "thi_xa", "thanh_pho"}

// Counts are one unit's statistics summed over one period.
type Counts struct {
	// SocialOrder counts crimes against social order (số vụ phạm tội xâm
	// phạm trật tự xã hội): the eligibility gate's measure.
	SocialOrder int
	// ByCategory[k] counts offences of category k (index 0 unused).
	ByCategory [5]int
}

// Add sums two counts.
func (c Counts) Add(o Counts) Counts {
	c.SocialOrder += o.SocialOrder
	for k := range c.ByCategory {
		c.ByCategory[k] += o.ByCategory[k]
	}
	return c
}

// Selection is a provincial committee decision selecting a unit for
// transformation in a year, in one category: a unit selected in several
// categories has one Selection per category, and GroupSelections makes
// them one area.
type Selection struct {
	Year      int
	Unit      string
	Category  Category
	DecidedOn time.Time
	// Number and Signer name the decision that made the selection
	// ("12/QĐ-BCĐ", the signer's name) when they are recorded; both are
	// optional.
	Number, Signer string
}

// Assessment is the committee's verdict on a selected unit for a year:
// transformed (chuyển hóa đạt) on AssessedOn, or not.
type Assessment struct {
	Year        int
	Unit        string
	Transformed bool
	AssessedOn  time.Time
}

// Submission records that a committee sent a report for an obligation and
// period. Unit is set for obligations owed per selected commune.
type Submission struct {
	District    string
	Obligation  string
	Period      string
	Unit        string
	SubmittedOn time.Time
}
