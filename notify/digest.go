package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"math"
	"sort"
	"strings"
	texttemplate "text/template"
	"time"

	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/names"
	"chuyenhoa/rules"
	"chuyenhoa/store"
)

// Digest is one committee's mail: every open item of that committee, the
// ones new since the last mail marked, and what closed since then. A
// district's digest holds only that district's communes, a commune's body's
// only its commune; the provincial one holds the province-wide picture.
type Digest struct {
	Tag           string // subject tag users filter on, e.g. [CHUYENHOA]
	Province      string
	Committee     rules.Committee
	CommitteeName string // "Ban Chỉ đạo 138 huyện Bình Sơn", "Công an xã Bình Châu"
	// Grouped is set when the digest speaks of district committees: a
	// district's, or the provincial one while the province has districts.
	Grouped bool
	Date    time.Time
	Repeat  bool // nothing new: a reminder after the repeat interval

	// Why and when, set by the dispatcher (dispatch.go).
	Reason      Reason        // why this mail was sent: news, repeat or immediate
	NextRepeat  time.Time     // the digest time its open items are mailed again if nothing changes; zero without open items
	Silenced    int           // open items held back by a silence, not listed
	RepeatEvery time.Duration // mail.repeat_interval
	// Overview links to the committee's view of the status page ("" with
	// no http.public_url); each item has its own link too.
	Overview      string
	SilencesEnded []SilenceEnded // silences over listed items that ended since the last digest

	Deadlines   []Item // district or commune: its obligations needing action
	Escalations []Item // province: obligations escalated by the committees below
	Relapses    []Item // areas complex again
	AtRisk      []Item // early warnings: areas missing an indicator after six months
	Projections []Item // province: yearly targets projected to be missed
	Decisions   []Item // province: the recorded selection departs from the plan's rules
	Forwarded   []Forward
	Resolved    []Item
	Ended       []Item           // obligations that ended without being met: never worded as fixed
	Targets     []rules.Progress // province: yearly target progress
	TargetPct   [2]int           // transformed %, stable %
}

// Item is one line of a digest with everything a reader needs to act: its
// wording (labels.Line) and where it stands among the others.
type Item struct {
	labels.Line
	New       bool
	Committee string // committee name, in the provincial digest
	// Link opens the item's commune (or the committee's view) on the
	// status page, as the digest's committee sees it; "" without a
	// public URL.
	Link string
	// Key is the alert's key, and Silence the command that silences it
	// for the digest's committee; both "" for lines that are no alert.
	Key, Silence string
	order        string
	unit         string // the commune the item is about, "" for none
	year         int    // a projection's year: its targets are judged at that statistical year's end
}

// Forward lists the open items of a committee (a district's, a commune's
// body) that has no mail address, so the provincial committee can pass
// them on.
type Forward struct {
	Committee string
	Items     []Item
}

// item renders one alert as a digest line; grouped is the digest's mode,
// for the lines about the whole province.
func item(d *names.Directory, a store.Alert, grouped bool) (Item, error) {
	it := Item{New: a.Open && a.NotifiedState != a.State}
	b, la := d.Bodies(), labels.Alert{Kind: a.Kind, Open: a.Open, State: a.State}
	src := a.Kind.Source()
	switch a.Kind {
	case finding.AlertDeadline, finding.AlertEscalation:
		dl, err := finding.Decode[rules.Deadline](src, a.Payload)
		if err != nil {
			return it, fmt.Errorf("alert %s: decode deadline: %w", a.Key, err)
		}
		it.Committee, it.order, it.unit = d.Committee(dl.Committee), deadlineOrder(dl, a), dl.Unit
		it.Line = b.DeadlineLine(la, dl, d.UnitName(dl.Unit), it.Committee)
	case finding.AlertRelapse:
		r, err := finding.Decode[finding.RelapseItem](src, a.Payload)
		if err != nil {
			return it, fmt.Errorf("alert %s: decode relapse: %w", a.Key, err)
		}
		owner := r.Committee
		if owner.IsProvince() {
			// Stored before payloads named the committee.
			owner = d.CommitteeOf(r.Area.Unit)
		}
		it.Committee, it.order, it.unit = d.Committee(owner), r.Area.Unit, r.Area.Unit
		it.Line = b.RelapseLine(la, r, d.UnitName(r.Area.Unit), owner.Level == rules.LevelDistrict)
	case finding.AlertProposal, finding.AlertProposalEscalation:
		pd, err := finding.Decode[rules.ProposalDeadline](src, a.Payload)
		if err != nil {
			return it, fmt.Errorf("alert %s: decode proposal obligation: %w", a.Key, err)
		}
		it.Committee, it.order, it.unit = d.Committee(pd.Committee), deadlineOrder(pd.Deadline, a), pd.Unit
		it.Line = b.ProposalLine(la, pd, d.UnitName(pd.Unit), it.Committee)
	case finding.AlertAtRisk:
		c, err := finding.Decode[finding.CycleItem](src, a.Payload)
		if err != nil {
			return it, fmt.Errorf("alert %s: decode area: %w", a.Key, err)
		}
		it.Committee, it.order, it.unit = d.Committee(rules.CommitteeFor(c.District, c.Unit)), c.Unit+fmt.Sprint(c.Year), c.Unit
		it.Line = b.AtRiskLine(la, c, d.UnitName(c.Unit))
	case finding.AlertProjection:
		p, err := finding.Decode[finding.ProjectionItem](src, a.Payload)
		if err != nil {
			return it, fmt.Errorf("alert %s: decode projection: %w", a.Key, err)
		}
		it.order, it.year = p.Target, p.Year
		it.Line = b.ProjectionLine(la, p, grouped)
	default:
		return it, fmt.Errorf("alert %s: unknown kind %q", a.Key, a.Kind)
	}
	return it, nil
}

// deadlineRank orders deadline items most urgent first.
var deadlineRank = map[rules.DeadlineState]string{rules.DeadlineEscalated: "0", rules.DeadlineOverdue: "1", rules.DeadlineDue: "2", rules.DeadlineUpcoming: "3"}

func deadlineOrder(dl rules.Deadline, a store.Alert) string {
	return deadlineRank[dl.State] + dl.Due.Format(time.DateOnly) + a.Key
}

func sortItems(items []Item) {
	sort.SliceStable(items, func(i, j int) bool { return items[i].order < items[j].order })
}

// Subject is the digest's subject line: the tag, the committee and counts.
func (g *Digest) Subject() string {
	n := labels.DigestCounts{Escalations: len(g.Escalations), Relapses: len(g.Relapses), AtRisk: len(g.AtRisk),
		Projections: len(g.Projections), Resolved: len(g.Resolved)}
	for _, it := range g.Deadlines {
		switch it.order[:1] {
		case "0", "1":
			n.Late++
		case "2":
			n.Due++
		default:
			n.Soon++
		}
	}
	for _, f := range g.Forwarded {
		n.Forwarded += len(f.Items)
	}
	n.Ended, n.Decisions = len(g.Ended), len(g.Decisions)
	return labels.DigestSubject(g.Tag, g.CommitteeName, n, g.Date)
}

//go:embed templates/*.tmpl
var templateFS embed.FS

var funcs = map[string]any{
	"date":           labels.Date,
	"percent":        labels.Percent,
	"upper":          strings.ToUpper,
	"met":            labels.TargetStatus,
	"card":           func(color string, it Item) card { return card{color, it} },
	"section":        func(title, color string, items []Item) section { return section{title, color, items} },
	"transformedBar": transformedBar,
	"stableBar":      stableBar,
	"words":          func() map[string]string { return words },
}

// words are the labels the templates use by name.
var words = map[string]string{"item": labels.DigestLinkItem, "overview": labels.DigestLinkOverview, "silence": labels.DigestSilenceLabel,
	"ended": labels.DigestEndedTitle, "decision": labels.DigestDecisionTitle}

// card is one item of the HTML digest, with its section's colour.
type card struct {
	Color string
	Item  Item
}

// section is a titled list of cards.
type section struct {
	Title, Color string
	Items        []Item
}

// bar is one yearly target as a table bar of the HTML digest: mail
// clients show tables, not SVG.
type bar struct {
	Label, Status, Color string
	Has                  bool
	Rate                 float64
	Width, Target        int // percent of the bar's full width
}

func barWidth(rate float64) int { return max(0, min(100, int(math.Round(rate)))) }

func transformedBar(pct [2]int, p rules.Progress) bar {
	has := p.Assessed > 0
	return bar{Label: labels.TargetBarTransformed, Status: labels.TargetStatusNeeded(has, p.TransformedMet, p.TransformedNeeded), Color: "#1f5fa8",
		Has: has, Rate: p.TransformedRate, Width: barWidth(p.TransformedRate), Target: pct[0]}
}

func stableBar(pct [2]int, p rules.Progress) bar {
	return bar{Label: labels.TargetBarStable, Status: labels.TargetStatusNeeded(p.HasTransformed, p.StableMet, p.StableNeeded), Color: "#2e8b57",
		Has: p.HasTransformed, Rate: p.StableRate, Width: barWidth(p.StableRate), Target: pct[1]}
}

var (
	textTmpl = texttemplate.Must(texttemplate.New("digest.txt.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/digest.txt.tmpl"))
	htmlTmpl = htmltemplate.Must(htmltemplate.New("digest.html.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/digest.html.tmpl"))
)

func (g *Digest) open() int {
	return len(g.Deadlines) + len(g.Escalations) + len(g.Relapses) + len(g.AtRisk) + len(g.Projections)
}

// Why says why the digest was sent.
func (g *Digest) Why() string { return labels.DigestWhy(string(g.Reason), g.CommitteeName, g.open()) }

// RepeatNote says when the open items come again.
func (g *Digest) RepeatNote() string {
	return labels.DigestRepeat(g.open(), g.NextRepeat, g.RepeatEvery)
}

// SilenceHow says how to stop the mail about an item.
func (g *Digest) SilenceHow() string { return labels.DigestSilenceHow }

// Render produces the plain-text and HTML bodies of a digest.
func (g *Digest) Render() (text, html string, err error) {
	var t, h bytes.Buffer
	if err := textTmpl.Execute(&t, g); err != nil {
		return "", "", fmt.Errorf("render text digest: %w", err)
	}
	if err := htmlTmpl.Execute(&h, g); err != nil {
		return "", "", fmt.Errorf("render html digest: %w", err)
	}
	return t.String(), h.String(), nil
}
