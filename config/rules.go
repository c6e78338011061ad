package config

import (
	"time"

	"chuyenhoa/rules"
)

// RuleObligations converts the obligations to the rules package's form.
// Call it on a validated Config: an invalid due date converts to zero.
func (c *Config) RuleObligations() []rules.Obligation {
	out := make([]rules.Obligation, 0, len(c.Obligations))
	for _, o := range c.Obligations {
		r := rules.Obligation{
			Code:                 o.Code,
			Name:                 o.Name,
			PerUnit:              o.PerUnit,
			DueAfterDecisionDays: o.DueAfterDecisionDays,
			ReminderDays:         o.ReminderDays,
			GraceDays:            o.GraceDays,
			EscalateDays:         o.EscalateAfterDays,
		}
		if !o.PerUnit {
			r.Period = rules.PeriodKind(o.Period)
			r.DueMonth, r.DueDay, _ = DueDate(o.Due)
		}
		out = append(out, r)
	}
	return out
}

// SelectionParams are the selection settings for a proposal for year,
// computed on day asOf.
func (c *Config) SelectionParams(year int, asOf time.Time) rules.SelectionParams {
	return rules.SelectionParams{
		Year:             year,
		AsOf:             asOf,
		Grouped:          c.Grouped(),
		CapPercent:       c.Selection.CapPercent,
		NTMRule:          rules.NTMRule(c.Selection.NTMExclusion),
		CategoryFactor:   c.Selection.CategoryFactor,
		CategoryMinCount: c.Selection.CategoryMinCount,
	}
}

// RelapseParams are the relapse settings; the category test is the
// selection's, so an area relapses by the rule that selected it.
func (c *Config) RelapseParams() rules.RelapseParams {
	return rules.RelapseParams{
		Grouped:          c.Grouped(),
		CategoryFactor:   c.Selection.CategoryFactor,
		CategoryMinCount: c.Selection.CategoryMinCount,
		WatchMonths:      c.Relapse.WatchMonths,
	}
}

// TargetParams are the yearly targets.
func (c *Config) TargetParams() rules.TargetParams {
	return rules.TargetParams{
		TransformedPercent: c.Targets.TransformedPercent,
		StablePercent:      c.Targets.StablePercent,
	}
}

// IndicatorParams are the thresholds of the assessment indicators.
func (c *Config) IndicatorParams() rules.IndicatorParams {
	i := c.Indicators
	return rules.IndicatorParams{
		DetectionPercent:        i.DetectionPercent,
		SeriousDetectionPercent: i.SeriousDetectionPercent,
		ReportsHandledPercent:   i.ReportsHandledPercent,
		ReoffendingBelowPercent: i.ReoffendingBelowPercent,
	}
}

// CycleParams are the settings of the yearly cycle.
func (c *Config) CycleParams() rules.CycleParams {
	return rules.CycleParams{WatchMonths: c.Relapse.WatchMonths, Targets: c.TargetParams()}
}

// ProposalCode is the obligation code of the district proposals, in alert
// keys and findings.
const ProposalCode = "proposal"

// ProposalObligation is the proposal obligation in the rules package's
// form. Call it on a validated Config: an invalid due date converts to zero.
func (c *Config) ProposalObligation() rules.Obligation {
	p := c.Proposals
	o := rules.Obligation{
		Code: ProposalCode, Name: p.Name, Period: rules.PeriodYear,
		ReminderDays: p.ReminderDays, GraceDays: p.GraceDays, EscalateDays: p.EscalateAfterDays,
	}
	o.DueMonth, o.DueDay, _ = DueDate(p.Due)
	return o
}
