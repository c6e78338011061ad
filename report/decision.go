package report

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/jobs"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/period"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Draft is the draft selection decision (dự thảo Quyết định) made from the
// proposal: the areas the plan's rules propose for the year, with their
// categories and reasons, for the provincial committee to amend and sign.
// Number and day are left blank. What the committee weighs beside it —
// the areas cut by the cap, the new-rural communes left out, the local
// committees' proposals — follows the signature, outside the decision.
type Draft struct {
	Frame     Frame
	Year      int
	On        time.Time
	Bodies    labels.Bodies
	Grouped   bool
	Authority string
	Bases     []string // the "Căn cứ …" lines, the plan's first
	Proposer  string
	Areas     []DraftArea
	// PlanDays is how many days after the decision each area's plan is
	// due (the per-commune obligation); 0 when none is configured.
	PlanDays       int
	PlanObligation string
	Reference      period.Range
	// Partial is set when the reference period has not ended on On.
	Partial          bool
	Proposal         rules.Proposal
	CapPercent       int
	DistrictAverages []DistrictAverage
	Cut, Excluded    []DraftArea
	Proposals        []Proposal
	// Recorded is the year's decision already recorded, when there is one.
	Recorded *DecisionCheck
}

// DraftArea is a candidate area with its names and reason.
type DraftArea struct {
	rules.Candidate
	Name, District string
	Categories     []rules.Category
	Reason         string
	ProposedBy     string // the local committees that proposed it, if any
}

// BuildDraft makes the draft decision for year from the proposal computed
// on day (the candidates job's, among the communes of the day).
func BuildDraft(ctx context.Context, s *store.Store, cfg *config.Config, year int, day time.Time) (*Draft, error) {
	r := &jobs.Runner{Store: s, Config: cfg}
	cyc, err := r.CycleOf(ctx, jobs.CycleQuery{On: day, Year: year, ProposalYear: year})
	if err != nil {
		return nil, fmt.Errorf("decision %d: %w", year, err)
	}
	prop := cyc.Proposal
	if prop.TotalUnits == 0 {
		return nil, fmt.Errorf("decision %d: the database holds no commune valid on %s: %w", year, labels.Date(cyc.Among), ErrNoData)
	}
	if prop.Baseline.Province.Total == 0 {
		return nil, fmt.Errorf("decision %d: no crime statistics in the reference period %s, so no area can be proposed: %w", year, cyc.Reference, ErrNoData)
	}
	dir, err := names.Load(ctx, s, cfg.Bodies, cfg.Grouped())
	if err != nil {
		return nil, err
	}
	b := dir.Bodies()
	doc := cfg.Documents
	d := &Draft{
		Year: year, On: day, Bodies: b, Grouped: cyc.Grouped, Authority: doc.Decision.Authority, Proposer: doc.Decision.Proposer,
		Reference: cyc.Reference, Partial: day.Before(cyc.Reference.To), Proposal: prop, CapPercent: cfg.Selection.CapPercent,
		Frame: Frame{Superior: doc.Superior, Issuer: doc.Issuer, Code: labels.CodeDecision, Symbol: doc.Symbol, Place: doc.Place,
			Year: year, Kind: labels.KindDecision, Summary: labels.DecisionSummary(year), Draft: true,
			Recipients: doc.Decision.Recipients, Signer: doc.DecisionSigner()},
	}
	if p, ok := cfg.PlanFor(year); ok {
		d.Bases = append(d.Bases, "Căn cứ "+labels.PlanBasis(p.Number, p.Issued(), p.Issuer, p.Name)+";")
	}
	d.Bases = append(d.Bases, doc.Decision.Bases...)
	for _, o := range cfg.Obligations {
		if o.PerUnit {
			d.PlanDays, d.PlanObligation = o.DueAfterDecisionDays, o.Name
			break
		}
	}
	for _, code := range slices.Sorted(maps.Keys(prop.Baseline.Districts)) {
		d.DistrictAverages = append(d.DistrictAverages, DistrictAverage{Name: dir.District(code), Avg: prop.Baseline.Districts[code].Avg})
	}
	by := map[string][]string{}
	for _, c := range cyc.Proposals {
		by[c.Proposal.Unit] = append(by[c.Proposal.Unit], dir.Committee(rules.CommitteeFor(c.Proposal.District, c.Proposal.Unit)))
	}
	for _, c := range prop.Candidates {
		a := DraftArea{Candidate: c, Name: c.Unit.Name, District: dir.District(c.Unit.District), Categories: c.Complex,
			Reason: b.Reason(c, prop.TotalUnits, cfg.Selection.CapPercent, prop.Cap), ProposedBy: strings.Join(by[c.Unit.Code], "; ")}
		if len(a.Categories) == 0 {
			a.Categories = []rules.Category{c.Primary}
		}
		switch c.Status {
		case rules.StatusProposed:
			d.Areas = append(d.Areas, a)
		case rules.StatusCutByCap:
			d.Cut = append(d.Cut, a)
		case rules.StatusExcludedNTM:
			d.Excluded = append(d.Excluded, a)
		}
	}
	for _, c := range cyc.Proposals {
		d.Proposals = append(d.Proposals, Proposal{ProposalCheck: c, Name: unitOf(dir, c.Proposal.Unit).Name, District: dir.District(c.Proposal.District),
			Note: b.ProposalNote(c, prop, cfg.Selection.CapPercent), OK: c.Acceptable()})
	}
	if cyc.HasDecision {
		d.Recorded = namedDecision(dir, cyc.Decision)
	}
	return d, nil
}

func (d *Draft) base() string { return fmt.Sprintf("du-thao-quyet-dinh-%d", d.Year) }

// Files renders the page and the tables.
func (d *Draft) Files() ([]File, error) {
	return documentFiles(d.base(), "decision.html.tmpl", d, d.Tables())
}

// Tables are the draft's tables: the proposed areas, and the others the
// committee weighs (cut by the cap, excluded as new-rural).
func (d *Draft) Tables() []Table {
	g := d.Grouped
	row := func(a DraftArea) []any {
		var davg any
		if a.HasDistrict {
			davg = Dec{a.DistrictAvg, 2}
		}
		var rank any
		if a.Rank > 0 {
			rank = a.Rank
		}
		r := []any{d.Year, a.Unit.Code, a.Name, a.District, labels.Categories(a.Categories), a.Counts.SocialOrder, Dec{a.ProvinceAvg, 2}, davg,
			rank, labels.Status(a.Status), a.Reason, a.ProposedBy}
		if !g {
			r = slices.Delete(r, 7, 8)
		}
		return labels.WithDistrict(g, 3, r...)
	}
	proposed := [][]any{cells(labels.DraftHeadings(g))}
	for _, a := range d.Areas {
		proposed = append(proposed, row(a))
	}
	others := [][]any{cells(labels.DraftHeadings(g))}
	for _, group := range [][]DraftArea{d.Cut, d.Excluded} {
		for _, a := range group {
			others = append(others, row(a))
		}
	}
	return []Table{{"dia-ban-de-xuat", "Địa bàn đề xuất", proposed}, {"dia-ban-khac", "Đủ điều kiện, không đề xuất", others}}
}
