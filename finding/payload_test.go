package finding

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"chuyenhoa/period"
	"chuyenhoa/rules"
)

var (
	day = time.Date(2026, 1, 20, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	win = period.Range{From: day, To: day.AddDate(0, 1, 0)}
)

// The stored JSON is the databases': these are the bytes the payloads had
// when they were still defined in package jobs, and must stay so.
func TestEncodeKeepsTheStoredJSON(t *testing.T) {
	check := func(t *testing.T, k Kind, b json.RawMessage, err error, wantKind Kind, want string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if k != wantKind {
			t.Errorf("kind = %q, want %q", k, wantKind)
		}
		if string(b) != want {
			t.Errorf("JSON changed:\n got %s\nwant %s", b, want)
		}
	}
	t.Run("candidate", func(t *testing.T) {
		k, b, err := Encode(CandidateItem{Year: 2027, Reference: win, TotalUnits: 10, Cap: 1, Candidate: rules.Candidate{Unit: rules.Unit{Code: "X01"}, Status: rules.StatusProposed, Rank: 1}})
		check(t, k, b, err, KindCandidate, `{"Year":2027,"Reference":{"From":"2026-01-20T00:00:00+07:00","To":"2026-02-20T00:00:00+07:00"},"TotalUnits":10,"Cap":1,"Unit":{"Code":"X01","Name":"","Kind":"","District":"","NTMCertifiedOn":"0001-01-01T00:00:00Z"},"Counts":{"SocialOrder":0,"ByCategory":[0,0,0,0,0]},"ProvinceAvg":0,"HasDistrict":false,"DistrictAvg":0,"AboveProvince":false,"AboveDistrict":false,"Eligible":false,"Complex":null,"Primary":0,"Severity":0,"Rank":1,"Status":"proposed","NTM":false}`)
	})
	t.Run("relapse", func(t *testing.T) {
		// Issue 12 added Area.Categories and CategoryChecks; the fields
		// before stay, holding the first category.
		k, b, err := Encode(RelapseItem{RelapseResult: rules.RelapseResult{Area: rules.Area{Unit: "X01", Year: 2025, Category: 2, Categories: []rules.Category{2, 3}},
			Relapsed: true, CategoryChecks: []rules.CategoryCheck{{Category: 2}, {Category: 3, Count: 4, ProvinceAvg: 1.5, DistrictAvg: 2, Complex: true}}},
			Changed: true, Since: day, EverRelapsed: true, Window: win})
		check(t, k, b, err, KindRelapse, `{"Area":{"Unit":"X01","Year":2025,"Category":2,"Categories":[2,3],"TransformedOn":"0001-01-01T00:00:00Z"},"Checked":false,"Relapsed":true,"ByGate":false,"ByCategory":false,"Counts":{"SocialOrder":0,"ByCategory":[0,0,0,0,0]},"ProvinceAvg":0,"DistrictAvg":0,"CatProvinceAvg":0,"CatDistrictAvg":0,"CategoryChecks":[{"Category":2,"Count":0,"ProvinceAvg":0,"DistrictAvg":0,"Complex":false},{"Category":3,"Count":4,"ProvinceAvg":1.5,"DistrictAvg":2,"Complex":true}],"Changed":true,"Since":"2026-01-20T00:00:00+07:00","EverRelapsed":true,"Window":{"From":"2026-01-20T00:00:00+07:00","To":"2026-02-20T00:00:00+07:00"}}`)
	})
	t.Run("cycle_area", func(t *testing.T) {
		k, b, err := Encode(CycleItem{CycleArea: rules.CycleArea{Unit: "X01", Year: 2026, Category: 1, Categories: []rules.Category{1, 4}}, District: "D01", Window: win, HasWindow: true, State: CycleAtRisk, YearEnd: day})
		check(t, k, b, err, KindCycleArea, `{"Unit":"X01","Year":2026,"CarriedOver":false,"Origin":0,"Reselected":false,"Category":1,"Categories":[1,4],"DecidedOn":"0001-01-01T00:00:00Z","HasVerdict":false,"Transformed":false,"AssessedOn":"0001-01-01T00:00:00Z","Stage":"","CarriesOver":false,"WatchEnds":"0001-01-01T00:00:00Z","District":"D01","Window":{"From":"2026-01-20T00:00:00+07:00","To":"2026-02-20T00:00:00+07:00"},"HasWindow":true,"Indicators":{"HasData":false,"Counts":{"Crimes":0,"Detected":0,"SeriousCrimes":0,"SeriousDetected":0,"ReportsReceived":0,"ReportsHandled":0,"Released":0,"Reoffended":0,"Rows":0},"Indicators":null,"Met":false},"State":"at_risk","YearEnd":"2026-01-20T00:00:00+07:00"}`)
	})
	t.Run("projection", func(t *testing.T) {
		k, b, err := Encode(ProjectionItem{Target: PassTarget, Percent: 60, Projection: rules.Projection{Year: 2026, On: day}})
		check(t, k, b, err, KindProjection, `{"Target":"pass","Percent":60,"Year":2026,"On":"2026-01-20T00:00:00+07:00","Selected":0,"Assessed":0,"Transformed":0,"Meeting":0,"Below":0,"NoData":0,"Passing":0,"HasPass":false,"PassRate":0,"PassNeeded":0,"PassMet":false,"AllTransformed":0,"Relapsed":0,"Stable":0,"HasStable":false,"StableRate":0,"StableNeeded":0,"StableMet":false}`)
	})
	t.Run("data_error", func(t *testing.T) {
		k, b, err := Encode(DataError{Relation: "units", Problem: ProblemNull, Rows: 2, Example: "x", Action: ActionLeftOut, Message: "m"})
		check(t, k, b, err, KindDataError, `{"Relation":"units","Problem":"null","Rows":2,"Example":"x","Action":"left_out","Truncated":false,"Message":"m"}`)
	})
}

func TestKindOf(t *testing.T) {
	for _, c := range []struct {
		got, want Kind
	}{
		{KindOf[CandidateItem](), KindCandidate},
		{KindOf[RelapseItem](), KindRelapse},
		{KindOf[rules.Progress](), KindTarget},
		{KindOf[rules.Deadline](), KindDeadline},
		{KindOf[CycleItem](), KindCycleArea},
		{KindOf[rules.ProposalCheck](), KindProposal},
		{KindOf[rules.ProposalDeadline](), KindProposalDeadline},
		{KindOf[ProjectionItem](), KindProjection},
		{KindOf[DataError](), KindDataError},
		{KindOf[rules.DecisionCheck](), KindDecision},
	} {
		if c.got != c.want {
			t.Errorf("KindOf = %q, want %q", c.got, c.want)
		}
	}
}

func TestDecode(t *testing.T) {
	d := rules.Deadline{Committee: rules.DistrictCommittee("D01"), Period: "2026", Due: day, State: rules.DeadlineOverdue, DaysLate: 3}
	k, b, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode[rules.Deadline](k, b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Committee != rules.DistrictCommittee("D01") || got.State != rules.DeadlineOverdue || got.DaysLate != 3 || !got.Due.Equal(day) {
		t.Errorf("decoded %+v, want %+v", got, d)
	}
	// The committee is stored under the deadline's old key, in its string
	// form: a payload stored before communes could owe reads as its
	// district's, and a commune's body round-trips.
	if !strings.Contains(string(b), `"District":"D01"`) {
		t.Errorf("a district's deadline encodes as %s", b)
	}
	old, err := Decode[rules.Deadline](KindDeadline, json.RawMessage(`{"District":"D01","Unit":"X01"}`))
	if err != nil || old.Committee != rules.DistrictCommittee("D01") {
		t.Errorf("a stored district deadline decodes as %+v, %v", old.Committee, err)
	}
	_, cb, _ := Encode(rules.Deadline{Committee: rules.CommuneCommittee("X01")})
	if c, err := Decode[rules.Deadline](KindDeadline, cb); err != nil || c.Committee != rules.CommuneCommittee("X01") || !strings.Contains(string(cb), `"District":"xa:X01"`) {
		t.Errorf("a commune's deadline: %s decodes as %+v, %v", cb, c.Committee, err)
	}
	// A proposal obligation embeds a deadline: its JSON decodes as one,
	// which is exactly the mistake the kind check is there to refuse.
	if _, err := Decode[rules.ProposalDeadline](KindDeadline, b); err == nil || !strings.Contains(err.Error(), "deadline finding does not carry a proposal_deadline payload") {
		t.Errorf("decoding a deadline as a proposal obligation: err = %v", err)
	}
	if _, err := Decode[rules.Deadline](KindDeadline, json.RawMessage(`{"DaysLate":"x"}`)); err == nil {
		t.Error("a payload of the wrong shape decoded")
	}
}

func TestJobs(t *testing.T) {
	if got := strings.Join(Strings(Jobs()), " "); got != "candidates relapse deadlines cycle digest send" {
		t.Errorf("Jobs = %s", got)
	}
	for _, j := range Jobs() {
		if j.Recomputes() == (j == JobSend || j == JobDigest) {
			t.Errorf("%s.Recomputes() = %v", j, j.Recomputes())
		}
	}
	// Every alert kind is managed by exactly one job and raised by a kind
	// of finding, or no run could ever close it.
	managed := map[AlertKind]Job{}
	for _, j := range Jobs() {
		for _, k := range j.Manages() {
			if other, ok := managed[k]; ok {
				t.Errorf("%s managed by %s and %s", k, other, j)
			}
			managed[k] = j
		}
	}
	for _, k := range AlertKinds() {
		if _, ok := managed[k]; !ok {
			t.Errorf("no job manages %s alerts", k)
		}
		if k.Source() == "" {
			t.Errorf("%s alerts have no source finding", k)
		}
	}
}

// Findings and alerts stored before an area could have several categories
// hold a single Area.Category (and the averages of that category): they
// decode as an area of that one category, and an alert stored so is the
// same as the new payload of the same check, so an upgrade mails nothing.
func TestDecodeUpgradesOneCategory(t *testing.T) {
	old := json.RawMessage(`{"Area":{"Unit":"X01","Year":2024,"Category":2,"TransformedOn":"2025-01-20T00:00:00Z"},"Checked":true,"Relapsed":true,"ByGate":false,"ByCategory":true,"Counts":{"SocialOrder":7,"ByCategory":[0,1,4,2,0]},"ProvinceAvg":3.5,"DistrictAvg":4,"CatProvinceAvg":1.2,"CatDistrictAvg":1.5,"Changed":true,"Since":"2026-01-20T00:00:00+07:00","EverRelapsed":true,"Window":{"From":"2026-01-20T00:00:00+07:00","To":"2026-02-20T00:00:00+07:00"}}`)
	it, err := Decode[RelapseItem](KindRelapse, old)
	if err != nil {
		t.Fatal(err)
	}
	wantChecks := []rules.CategoryCheck{{Category: 2, Count: 4, ProvinceAvg: 1.2, DistrictAvg: 1.5, Complex: true}}
	if !slices.Equal(it.Area.Categories, []rules.Category{2}) || !slices.Equal(it.CategoryChecks, wantChecks) {
		t.Errorf("old relapse payload read as categories %v, checks %+v; want [2], %+v", it.Area.Categories, it.CategoryChecks, wantChecks)
	}
	if got := it.ComplexAgain(); !slices.Equal(got, []rules.Category{2}) {
		t.Errorf("complex again in %v, want [2]", got)
	}
	now := RelapseItem{RelapseResult: rules.RelapseResult{
		Area:    rules.Area{Unit: "X01", Year: 2024, Category: 2, Categories: []rules.Category{2}, TransformedOn: time.Date(2025, 1, 20, 0, 0, 0, 0, time.UTC)},
		Checked: true, Relapsed: true, ByCategory: true, Counts: rules.Counts{SocialOrder: 7, ByCategory: [5]int{0, 1, 4, 2, 0}},
		ProvinceAvg: 3.5, DistrictAvg: 4, CatProvinceAvg: 1.2, CatDistrictAvg: 1.5, CategoryChecks: wantChecks},
		Changed: true, Since: day, EverRelapsed: true, Window: win}
	b, err := json.Marshal(now)
	if err != nil {
		t.Fatal(err)
	}
	if !Same(AlertRelapse, old, b) {
		t.Error("the old payload and the new one of the same check differ")
	}
	two := now
	two.Area.Categories = []rules.Category{2, 3}
	two.CategoryChecks = append(slices.Clone(wantChecks), rules.CategoryCheck{Category: 3, Count: 2, ProvinceAvg: 0.5, DistrictAvg: 0.8, Complex: true})
	if b, err = json.Marshal(two); err != nil {
		t.Fatal(err)
	}
	if Same(AlertRelapse, old, b) {
		t.Error("a second category is no change")
	}

	oldArea := json.RawMessage(`{"Unit":"X01","Year":2026,"CarriedOver":false,"Origin":0,"Reselected":false,"Category":4,"DecidedOn":"2026-02-01T00:00:00Z","HasVerdict":false,"Transformed":false,"AssessedOn":"0001-01-01T00:00:00Z","Stage":"in_progress","CarriesOver":false,"WatchEnds":"0001-01-01T00:00:00Z","District":"D01","Window":{"From":"2026-01-20T00:00:00+07:00","To":"2026-02-20T00:00:00+07:00"},"HasWindow":true,"Indicators":{"HasData":false,"Counts":{"Crimes":0,"Detected":0,"SeriousCrimes":0,"SeriousDetected":0,"ReportsReceived":0,"ReportsHandled":0,"Released":0,"Reoffended":0,"Rows":0},"Indicators":null,"Met":false},"State":"at_risk","YearEnd":"2026-01-20T00:00:00+07:00"}`)
	area, err := Decode[CycleItem](KindCycleArea, oldArea)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(area.Categories, []rules.Category{4}) {
		t.Errorf("old cycle_area payload read as categories %v, want [4]", area.Categories)
	}
	area.Categories = []rules.Category{3, 4}
	if b, err = json.Marshal(area); err != nil {
		t.Fatal(err)
	}
	if Same(AlertAtRisk, oldArea, b) {
		t.Error("an area with a category more is no change")
	}
}
