// Package config loads the service configuration: a YAML file, then
// environment overrides, then validation that reports every problem at once
// with the field path and the fix.
//
// Environment overrides (an empty variable counts as unset):
//
//	variable                   overrides            notes
//	CHUYENHOA_DATABASE_URL     database.url         sqlite:FILE or postgres://… (forms: package dburl)
//	CHUYENHOA_TIMEZONE         timezone             IANA name, e.g. Asia/Ho_Chi_Minh
//	CHUYENHOA_SMTP_HOST        mail.smtp.host
//	CHUYENHOA_SMTP_PORT        mail.smtp.port       whole number 1..65535
//	CHUYENHOA_SMTP_USERNAME    mail.smtp.username
//	CHUYENHOA_SMTP_PASSWORD    (no YAML key)        the SMTP password; wins over mail.smtp.password_file
//	CHUYENHOA_MAIL_TRANSPORT   mail.transport       file | smtp
//	CHUYENHOA_MAIL_DIR         mail.dir
//	CHUYENHOA_HTTP_LISTEN      http.listen          host:port
//	CHUYENHOA_HTTP_ALLOW_OPEN  http.allow_open      true | false
//	CHUYENHOA_HTTP_PASSWORD    (no YAML key)        status page basic-auth password; wins over http.password_file
//	CHUYENHOA_LINK_KEY         (no YAML key)        key signing the committees' links; wins over http.link_key_file
//
// The SMTP password is never read from the YAML file, so the file can be
// kept in version control and shown to anyone who runs the service.
package config

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	// The time zone is validated with time.LoadLocation; embedding the zone
	// database keeps that working on hosts and containers without one.
	_ "time/tzdata"

	"github.com/robfig/cron/v3"

	"chuyenhoa/dburl"
	"chuyenhoa/finding"
	"chuyenhoa/labels"
	"chuyenhoa/links"
	"chuyenhoa/period"
	"chuyenhoa/rules"
)

// Values accepted by the enumerated settings.
const (
	GroupingAuto     = "auto"
	GroupingDistrict = "district"
	GroupingNone     = "none"

	NTMAlways       = "always"        // Quảng Ngãi: a certified commune is never selected
	NTMPreviousYear = "previous_year" // only communes certified in the year before the selection year
	NTMNone         = "none"

	TransportFile = "file"
	TransportSMTP = "smtp"

	TLSStartTLS = "starttls"
	TLSImplicit = "implicit"
	TLSNone     = "none"

	AuthNone  = "none"
	AuthPlain = "plain"
	AuthLogin = "login"

	PeriodYear  = "year"
	PeriodHalf1 = "half1"
	PeriodHalf2 = "half2"
)

// Config is the whole service configuration.
type Config struct {
	Province struct {
		Code string `yaml:"code"`
		Name string `yaml:"name"`
	} `yaml:"province"`
	Timezone string `yaml:"timezone"`
	Database struct {
		URL string `yaml:"url"`
	} `yaml:"database"`
	// Grouping is the level between province and commune used for the
	// district-average rule and for recipients: "auto" (the data decides
	// for each day: districts while their rows are valid, the province
	// alone once they are not, as since 1 July 2025), or "district" /
	// "none" to override it (districts whatever their dates; never).
	Grouping string `yaml:"grouping"`
	// Bodies names the committees in mail, pages and documents; each key
	// left out keeps its default (labels.DefaultBodies).
	Bodies  labels.Bodies `yaml:"bodies"`
	Periods struct {
		CutoffDay int `yaml:"cutoff_day"`
	} `yaml:"periods"`
	Selection struct {
		CapPercent       int     `yaml:"cap_percent"`
		NTMExclusion     string  `yaml:"ntm_exclusion"`
		CategoryFactor   float64 `yaml:"category_factor"`
		CategoryMinCount int     `yaml:"category_min_count"`
	} `yaml:"selection"`
	Relapse struct {
		WatchMonths int `yaml:"watch_months"` // 0 = watch forever
	} `yaml:"relapse"`
	Targets struct {
		TransformedPercent int `yaml:"transformed_percent"`
		StablePercent      int `yaml:"stable_percent"`
	} `yaml:"targets"`
	// Indicators are the thresholds of the assessment indicators (tiêu chí
	// chuyển hóa đạt) computed from the case statistics during the year.
	Indicators struct {
		DetectionPercent        int `yaml:"detection_percent"`
		SeriousDetectionPercent int `yaml:"serious_detection_percent"`
		ReportsHandledPercent   int `yaml:"reports_handled_percent"`
		ReoffendingBelowPercent int `yaml:"reoffending_below_percent"`
	} `yaml:"indicators"`
	// Proposals is the yearly obligation of each district committee to
	// propose areas for the coming selection.
	Proposals Proposals `yaml:"proposals"`
	// Obligations replaces the default list as a whole when given.
	Obligations []Obligation `yaml:"obligations"`
	Mail        Mail         `yaml:"mail"`
	Recipients  Recipients   `yaml:"recipients"`
	// Schedule maps a job name to a standard 5-field cron spec. Jobs left
	// out of the file keep their default spec.
	Schedule map[finding.Job]string `yaml:"schedule"`
	// Documents and Plans are the official documents' settings (see
	// documents.go); a plans list in the file replaces the default one
	// whole.
	Documents Documents `yaml:"documents"`
	Plans     []Plan    `yaml:"plans"`
	HTTP      HTTP      `yaml:"http"`
	Runtime   Runtime   `yaml:"runtime"`

	// origin maps a field path to the environment variable that set it, so
	// that an error about the value points at where it came from.
	origin map[string]string
	// loc caches the zone checked by Validate.
	loc *time.Location
}

// Runtime tunes the Go runtime of the service's process.
type Runtime struct {
	// GOGC is the garbage collector's target percentage (Go's GOGC: the
	// next collection when the heap has grown by that much over what the
	// last one left live). The service keeps a round's reads and results
	// live while it allocates about twice as much again, so at Go's 100
	// the collector ran a dozen times in a national recompute and took a
	// quarter of the process's CPU; at 200 it runs half as often for a
	// heap peak about a fifth higher (BENCHMARKS.md). The GOGC environment
	// variable, when set, wins (ops.TuneGC).
	GOGC int `yaml:"gogc"`
}

// HTTP configures the status page and the probes.
type HTTP struct {
	Listen string `yaml:"listen"`
	// User, with the password from CHUYENHOA_HTTP_PASSWORD or
	// PasswordFile, turns on basic auth for the provincial view of the
	// status page (health probes stay open; committees' links carry their
	// own token).
	User         string `yaml:"user"`
	Password     string `yaml:"-"`
	PasswordFile string `yaml:"password_file"`
	// AllowOpen serves the page without a password on an address other
	// machines reach. Without it such a start is refused: the page shows
	// every district's statistics.
	AllowOpen bool `yaml:"allow_open"`
	// PublicURL is where users reach the page ("https://host/path"); the
	// digests link to it. Empty: the mail carries no links.
	PublicURL string `yaml:"public_url"`
	// LinkKey signs the committees' links (package links); it comes from
	// CHUYENHOA_LINK_KEY or LinkKeyFile only.
	LinkKey     []byte `yaml:"-"`
	LinkKeyFile string `yaml:"link_key_file"`
	// LinkTTL is how long a committee's link opens its view.
	LinkTTL Duration `yaml:"link_ttl"`
}

// Open reports whether the status page asks no password.
func (h HTTP) Open() bool { return h.User == "" || h.Password == "" }

// Obligation is one reporting duty of a district committee.
type Obligation struct {
	Code    string `yaml:"code"`
	Name    string `yaml:"name"`
	PerUnit bool   `yaml:"per_unit"` // owed once per selected commune
	// DueAfterDecisionDays counts from the selection decision; per-unit only.
	DueAfterDecisionDays int `yaml:"due_after_decision_days"`
	// Period and Due ("MM-DD") fix a yearly due date; when !PerUnit.
	Period            string `yaml:"period"`
	Due               string `yaml:"due"`
	ReminderDays      int    `yaml:"reminder_days"`
	GraceDays         int    `yaml:"grace_days"`
	EscalateAfterDays int    `yaml:"escalate_after_days"`
}

// Proposals configures the district committees' yearly proposals.
type Proposals struct {
	Name string `yaml:"name"`
	// MinPerDistrict is how many areas each district committee proposes a
	// year at least; 0 turns the obligation off.
	MinPerDistrict int `yaml:"min_per_district"`
	// MinPerUnit is, without a district, whether each commune's body must
	// propose (its own area) every year: 1, or 0 (the default) when the
	// province's own candidates stand and a commune proposes only when it
	// sees a reason. A commune proposes no other commune, so 1 is the most.
	MinPerUnit int `yaml:"min_per_unit"`
	// Due ("MM-DD") is the first such day on or after the start of the
	// selection year's statistical year (15/12 of the year before).
	Due               string `yaml:"due"`
	ReminderDays      int    `yaml:"reminder_days"`
	GraceDays         int    `yaml:"grace_days"`
	EscalateAfterDays int    `yaml:"escalate_after_days"`
}

// DefaultGOGC is runtime.gogc's default (Runtime).
const DefaultGOGC = 200

// Default reminder, grace and escalation days, also used for obligations
// listed in the file without them.
const (
	defaultReminderDays = 7
	defaultGraceDays    = 3
	defaultEscalateDays = 10
)

// Mail configures outgoing alert mail.
type Mail struct {
	Transport      string   `yaml:"transport"` // file | smtp
	Dir            string   `yaml:"dir"`       // file transport: folder for .eml files
	From           string   `yaml:"from"`
	SubjectTag     string   `yaml:"subject_tag"`
	RepeatInterval Duration `yaml:"repeat_interval"`
	// DigestTimes are the times of day ("HH:MM", provincial time) at which
	// the dispatcher mails each committee its digest: at most one per
	// committee per time. The default, one in the morning, comes after the
	// daily jobs (deadlines 07:00, cycle 07:30).
	DigestTimes []string `yaml:"digest_times"`
	// ImmediateKinds are alert kinds mailed at once, by the job run that
	// opens or changes them, besides the next digest (which shows the
	// same state).
	ImmediateKinds []finding.AlertKind `yaml:"immediate_kinds"`
	SMTP           struct {
		Host     string `yaml:"host"`
		Port     int    `yaml:"port"`
		TLS      string `yaml:"tls"`  // starttls | implicit | none
		Auth     string `yaml:"auth"` // none | plain | login
		Username string `yaml:"username"`
		// Password comes from CHUYENHOA_SMTP_PASSWORD or PasswordFile only.
		Password     string   `yaml:"-"`
		PasswordFile string   `yaml:"password_file"`
		Timeout      Duration `yaml:"timeout"`
	} `yaml:"smtp"`
}

// Recipients are the alert mail addresses.
type Recipients struct {
	Province  []string            `yaml:"province"`  // provincial committee
	Cc        []string            `yaml:"cc"`        // copied on every digest
	Districts map[string][]string `yaml:"districts"` // district code → addresses of its committee
	// Units addresses the body of a commune without a district (unit
	// code → addresses): the commune police since the 2025 reform.
	Units map[string][]string `yaml:"units"`
	// Muted lists committees whose mail is held back, in their string
	// form: a district's code, or xa:<unit code> for a commune's body.
	Muted []string `yaml:"muted"`
}

// Addresses are the addresses of committee c: recipients.province,
// recipients.districts.<code> or recipients.units.<code>; none when the
// committee has no address (its items are forwarded to the province).
func (r Recipients) Addresses(c rules.Committee) []string {
	switch c.Level {
	case rules.LevelDistrict:
		return r.Districts[c.Code]
	case rules.LevelCommune:
		return r.Units[c.Code]
	}
	return r.Province
}

// Default returns the built-in configuration: Quảng Ngãi's rules, SQLite,
// mail written to files. It is valid as it stands.
func Default() *Config {
	c := &Config{}
	c.Province.Code = "51"
	c.Province.Name = "Quảng Ngãi"
	c.Timezone = "Asia/Ho_Chi_Minh"
	c.Database.URL = "sqlite:chuyenhoa.db"
	c.Grouping = GroupingAuto
	c.Bodies = labels.DefaultBodies()
	c.Periods.CutoffDay = period.DefaultCutoff
	c.Selection.CapPercent = 15
	c.Selection.NTMExclusion = NTMAlways
	c.Selection.CategoryFactor = 1.0
	c.Selection.CategoryMinCount = 1
	c.Relapse.WatchMonths = 0
	c.Targets.TransformedPercent = 60
	c.Targets.StablePercent = 85
	c.Indicators.DetectionPercent = 80
	c.Indicators.SeriousDetectionPercent = 95
	c.Indicators.ReportsHandledPercent = 100
	c.Indicators.ReoffendingBelowPercent = 15
	c.Proposals = Proposals{Name: "Đề xuất địa bàn chuyển hóa", MinPerDistrict: 1, Due: "01-31",
		ReminderDays: defaultReminderDays, GraceDays: defaultGraceDays, EscalateAfterDays: defaultEscalateDays}
	c.Obligations = []Obligation{
		{Code: "plan", Name: "Kế hoạch chuyển hóa địa bàn", PerUnit: true, DueAfterDecisionDays: 30,
			ReminderDays: defaultReminderDays, GraceDays: defaultGraceDays, EscalateAfterDays: defaultEscalateDays},
		{Code: "report_h1", Name: "Báo cáo sơ kết 6 tháng", Period: PeriodHalf1, Due: "06-20",
			ReminderDays: defaultReminderDays, GraceDays: defaultGraceDays, EscalateAfterDays: defaultEscalateDays},
		{Code: "report_year", Name: "Báo cáo tổng kết năm", Period: PeriodYear, Due: "12-20",
			ReminderDays: defaultReminderDays, GraceDays: defaultGraceDays, EscalateAfterDays: defaultEscalateDays},
	}
	c.Runtime.GOGC = DefaultGOGC
	c.Mail.Transport = TransportFile
	c.Mail.Dir = "outbox-mail"
	c.Mail.From = "Ban Chỉ đạo 138 tỉnh <bcd138@localhost>"
	c.Mail.SubjectTag = "[CHUYENHOA]"
	c.Mail.RepeatInterval = Duration{168 * time.Hour}
	c.Mail.DigestTimes = []string{"08:00"}
	c.Mail.SMTP.Port = 587
	c.Mail.SMTP.TLS = TLSStartTLS
	c.Mail.SMTP.Auth = AuthNone
	c.Mail.SMTP.Timeout = Duration{30 * time.Second}
	c.Schedule = map[finding.Job]string{
		finding.JobCandidates: "0 6 * * 1",
		finding.JobRelapse:    "0 5 15 * *",
		finding.JobDeadlines:  "0 7 * * *",
		finding.JobCycle:      "30 7 * * *",
		finding.JobSend:       "*/5 * * * *",
	}
	c.HTTP.Listen = "127.0.0.1:9138"
	c.Documents = defaultDocuments()
	c.Plans = defaultPlans()
	// Two repeat intervals: a link in a digest still opens when the next
	// digest comes.
	c.HTTP.LinkTTL = Duration{336 * time.Hour}
	return c
}

// Location is the province's time zone. Validate has checked it; an
// invalid name that slipped past yields UTC.
func (c *Config) Location() *time.Location {
	if c.loc != nil && c.loc.String() == c.Timezone {
		return c.loc
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Calendar is the statistical calendar for the configured cut-off day.
func (c *Config) Calendar() period.Calendar {
	return period.Calendar{Cutoff: c.Periods.CutoffDay}
}

// Grouped reports whether communes may be grouped into districts: with
// grouping auto, on the days the data has districts in force.
func (c *Config) Grouped() bool { return c.Grouping != GroupingNone }

// DatedGrouping reports whether the districts' validity decides the
// grouping of each day (grouping auto).
func (c *Config) DatedGrouping() bool { return c.Grouping == GroupingAuto }

// DueDate splits a valid "MM-DD" due date; ok is false otherwise.
// 29 February is refused because a yearly due date must exist every year.
func DueDate(s string) (m time.Month, d int, ok bool) {
	if len(s) != 5 || s[2] != '-' {
		return 0, 0, false
	}
	mm, err1 := strconv.Atoi(s[:2])
	dd, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || mm < 1 || mm > 12 || dd < 1 {
		return 0, 0, false
	}
	// 2001 is not a leap year: a date that survives it exists every year.
	t := time.Date(2001, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if t.Month() != time.Month(mm) || t.Day() != dd {
		return 0, 0, false
	}
	return time.Month(mm), dd, true
}

var (
	obligationCode = regexp.MustCompile(`^[a-z0-9_]+$`)
	groupCode      = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

// fieldErr builds an error for a field, naming the environment variable
// when the value came from one.
func (c *Config) fieldErr(path, format string, args ...any) error {
	msg := path + ": " + fmt.Sprintf(format, args...)
	if v, ok := c.origin[path]; ok {
		msg += " (set by " + v + ")"
	}
	return errors.New(msg)
}

// Validate checks every setting and returns all problems joined, each
// naming the field path and what to write instead. It caches the time zone
// for Location, so call it before sharing the Config between goroutines.
func (c *Config) Validate() error {
	var errs []error
	add := func(path, format string, args ...any) { errs = append(errs, c.fieldErr(path, format, args...)) }
	intRange := func(path string, v, lo, hi int) {
		if v < lo || v > hi {
			add(path, "%d is out of range; use %d..%d", v, lo, hi)
		}
	}
	nonNegative := func(path string, v int) {
		if v < 0 {
			add(path, "%d is negative; use 0 or more", v)
		}
	}
	oneOf := func(path, v string, allowed ...string) {
		if !slices.Contains(allowed, v) {
			add(path, "%q is not allowed; use one of %s", v, strings.Join(allowed, ", "))
		}
	}

	if strings.TrimSpace(c.Province.Code) == "" {
		add("province.code", "is empty; set the province code, e.g. \"51\"")
	}
	if strings.TrimSpace(c.Province.Name) == "" {
		add("province.name", "is empty; set the province name, e.g. \"Quảng Ngãi\"")
	}

	c.loc = nil
	if c.Timezone == "" {
		add("timezone", "is empty; use an IANA zone name such as Asia/Ho_Chi_Minh")
	} else if loc, err := time.LoadLocation(c.Timezone); err != nil {
		add("timezone", "%q is not a known time zone; use an IANA zone name such as Asia/Ho_Chi_Minh", c.Timezone)
	} else {
		c.loc = loc
	}

	errs = append(errs, c.validateDatabase()...)
	oneOf("grouping", c.Grouping, GroupingAuto, GroupingDistrict, GroupingNone)
	if c.Periods.CutoffDay < 1 || c.Periods.CutoffDay > 28 {
		add("periods.cutoff_day", "%d is out of range; use 1..28 (15 per Decree 09/2019, 1 for calendar months)", c.Periods.CutoffDay)
	}

	intRange("selection.cap_percent", c.Selection.CapPercent, 1, 100)
	intRange("runtime.gogc", c.Runtime.GOGC, 25, 1000)
	oneOf("selection.ntm_exclusion", c.Selection.NTMExclusion, NTMAlways, NTMPreviousYear, NTMNone)
	if f := c.Selection.CategoryFactor; !(f > 0) || math.IsInf(f, 0) {
		add("selection.category_factor", "%v must be a number above 0; use 1.0 for \"above the average\"", f)
	}
	nonNegative("selection.category_min_count", c.Selection.CategoryMinCount)
	nonNegative("relapse.watch_months", c.Relapse.WatchMonths)
	intRange("targets.transformed_percent", c.Targets.TransformedPercent, 1, 100)
	intRange("targets.stable_percent", c.Targets.StablePercent, 1, 100)
	intRange("indicators.detection_percent", c.Indicators.DetectionPercent, 1, 100)
	intRange("indicators.serious_detection_percent", c.Indicators.SeriousDetectionPercent, 1, 100)
	intRange("indicators.reports_handled_percent", c.Indicators.ReportsHandledPercent, 1, 100)
	intRange("indicators.reoffending_below_percent", c.Indicators.ReoffendingBelowPercent, 1, 100)
	errs = append(errs, c.validateProposals()...)
	errs = append(errs, c.validateBodies()...)

	errs = append(errs, c.validateObligations()...)
	errs = append(errs, c.validateMail()...)
	errs = append(errs, c.validateRecipients()...)
	errs = append(errs, c.validateSchedule()...)
	errs = append(errs, c.validateDocuments()...)
	errs = append(errs, c.validatePlans()...)

	errs = append(errs, c.validateHTTP()...)
	return errors.Join(errs...)
}

// validateHTTP fails closed: a password without a user, or an address
// other machines reach with no password, is refused rather than served
// open.
func (c *Config) validateHTTP() []error {
	var errs []error
	add := func(path, format string, args ...any) { errs = append(errs, c.fieldErr(path, format, args...)) }
	h := &c.HTTP
	if h.User != "" && h.Password == "" {
		add("http.user", "%q is set but there is no password; set CHUYENHOA_HTTP_PASSWORD or http.password_file, or remove http.user", h.User)
	}
	if h.User == "" && h.Password != "" {
		add("http.user", "is empty but a password is set (CHUYENHOA_HTTP_PASSWORD or http.password_file), so the page would stay open; set http.user or remove the password")
	}
	if host, port, err := net.SplitHostPort(h.Listen); err != nil {
		add("http.listen", "%q is not host:port; use e.g. 127.0.0.1:9138", h.Listen)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		add("http.listen", "%q has a bad port; use e.g. 127.0.0.1:9138", h.Listen)
	} else if !isLoopback(host) && h.Open() && h.User == "" && h.Password == "" && !h.AllowOpen {
		add("http.listen", "%q is reachable from other machines and the status page has no password; set http.user and CHUYENHOA_HTTP_PASSWORD (or http.password_file), listen on 127.0.0.1 behind a proxy that authenticates, or set http.allow_open: true to serve it open on purpose", h.Listen)
	}
	if h.PublicURL != "" {
		u, err := url.Parse(h.PublicURL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			add("http.public_url", "%q is not an absolute http(s) address; use e.g. https://bcd138.example.gov.vn", h.PublicURL)
		case u.RawQuery != "" || u.Fragment != "":
			add("http.public_url", "%q has a query or fragment; give the page's address only", h.PublicURL)
		case len(h.LinkKey) == 0 && h.LinkKeyFile == "":
			add("http.public_url", "is set but the committees' links have no signing key; set CHUYENHOA_LINK_KEY or http.link_key_file (at least %d random bytes, e.g. head -c 32 /dev/urandom | base64)", links.MinKeyLen)
		}
	}
	// A key file that failed to read was reported when loading.
	if n := len(h.LinkKey); n > 0 && n < links.MinKeyLen {
		path := "http.link_key_file"
		if h.LinkKeyFile == "" {
			path = "CHUYENHOA_LINK_KEY"
		}
		add(path, "the link key has %d bytes; use at least %d random bytes, e.g. head -c 32 /dev/urandom | base64", n, links.MinKeyLen)
	}
	if h.LinkTTL.Duration <= 0 {
		add("http.link_ttl", "%s must be above 0; use e.g. 336h (two weeks)", h.LinkTTL)
	}
	return errs
}

func (c *Config) validateDatabase() []error {
	if _, err := dburl.Parse(c.Database.URL); err != nil {
		return []error{c.fieldErr("database.url", "%v", err)}
	}
	return nil
}

func (c *Config) validateObligations() []error {
	var errs []error
	seen := map[string]int{}
	for i, o := range c.Obligations {
		p := fmt.Sprintf("obligations[%d]", i)
		add := func(field, format string, args ...any) {
			errs = append(errs, c.fieldErr(p+"."+field, format, args...))
		}
		switch {
		case !obligationCode.MatchString(o.Code):
			add("code", "%q is not a code; use lower-case letters, digits and _ (e.g. report_h1)", o.Code)
		case seen[o.Code] > 0:
			add("code", "%q is already used by obligations[%d]; codes must be unique", o.Code, seen[o.Code]-1)
		default:
			seen[o.Code] = i + 1
		}
		if strings.TrimSpace(o.Name) == "" {
			add("name", "is empty; give the report's Vietnamese name, e.g. \"Báo cáo sơ kết 6 tháng\"")
		}
		if o.PerUnit {
			if o.DueAfterDecisionDays < 1 {
				add("due_after_decision_days", "%d must be at least 1 for a per-unit obligation (e.g. 30)", o.DueAfterDecisionDays)
			}
			if o.Period != "" || o.Due != "" {
				add("period", "a per-unit obligation is due after the selection decision; remove period and due, or set per_unit: false")
			}
		} else {
			if o.DueAfterDecisionDays != 0 {
				add("due_after_decision_days", "applies only with per_unit: true; remove it or set per_unit: true")
			}
			switch o.Period {
			case PeriodYear, PeriodHalf1, PeriodHalf2:
			case "":
				add("period", "is required when per_unit is false; use year, half1 or half2")
			default:
				add("period", "%q is not allowed; use year, half1 or half2", o.Period)
			}
			if o.Due == "" {
				add("due", "is required when per_unit is false; use \"MM-DD\", e.g. \"06-20\"")
			} else if _, _, ok := DueDate(o.Due); !ok {
				add("due", "%q is not a date that exists every year; use \"MM-DD\", e.g. \"06-20\"", o.Due)
			}
		}
		if o.ReminderDays < 0 {
			add("reminder_days", "%d is negative; use 0 or more", o.ReminderDays)
		}
		if o.GraceDays < 0 {
			add("grace_days", "%d is negative; use 0 or more", o.GraceDays)
		}
		if o.EscalateAfterDays < 0 {
			add("escalate_after_days", "%d is negative; use 0 or more", o.EscalateAfterDays)
		}
	}
	return errs
}

func (c *Config) validateProposals() []error {
	var errs []error
	p := &c.Proposals
	add := func(field, format string, args ...any) {
		errs = append(errs, c.fieldErr("proposals."+field, format, args...))
	}
	if strings.TrimSpace(p.Name) == "" {
		add("name", "is empty; give the obligation's Vietnamese name, e.g. \"Đề xuất địa bàn chuyển hóa\"")
	}
	if p.MinPerDistrict < 0 {
		add("min_per_district", "%d is negative; use 1 or more, or 0 to turn the obligation off", p.MinPerDistrict)
	}
	if p.MinPerUnit < 0 || p.MinPerUnit > 1 {
		add("min_per_unit", "%d is not allowed; use 1 (each commune without a district proposes its own area every year) or 0 (none owed)", p.MinPerUnit)
	}
	if _, _, ok := DueDate(p.Due); !ok {
		add("due", "%q is not a date that exists every year; use \"MM-DD\", e.g. \"01-31\"", p.Due)
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"reminder_days", p.ReminderDays}, {"grace_days", p.GraceDays}, {"escalate_after_days", p.EscalateAfterDays}} {
		if f.v < 0 {
			add(f.name, "%d is negative; use 0 or more", f.v)
		}
	}
	return errs
}

func (c *Config) validateMail() []error {
	var errs []error
	m := &c.Mail
	add := func(path, format string, args ...any) { errs = append(errs, c.fieldErr(path, format, args...)) }

	switch m.Transport {
	case TransportFile:
		if strings.TrimSpace(m.Dir) == "" {
			add("mail.dir", "is empty; the file transport needs a folder for .eml files, e.g. outbox-mail")
		}
	case TransportSMTP:
		if strings.TrimSpace(m.SMTP.Host) == "" {
			add("mail.smtp.host", "is empty; transport smtp needs the mail server's host name")
		}
	default:
		add("mail.transport", "%q is not allowed; use file or smtp", m.Transport)
	}
	if err := checkAddress(m.From); err != nil {
		add("mail.from", "%q is not an email address; use e.g. \"Ban Chỉ đạo 138 tỉnh <bcd138@example.gov.vn>\"", m.From)
	}
	if strings.TrimSpace(m.SubjectTag) == "" || strings.ContainsAny(m.SubjectTag, "\r\n") {
		add("mail.subject_tag", "%q must be a non-empty single line; use e.g. [CHUYENHOA]", m.SubjectTag)
	}
	if m.RepeatInterval.Duration <= 0 {
		add("mail.repeat_interval", "%s must be above 0; use e.g. 168h", m.RepeatInterval)
	}
	if len(m.DigestTimes) == 0 {
		add("mail.digest_times", "is empty; give at least one time of day, e.g. [\"08:00\"]")
	}
	seen := map[time.Duration]bool{}
	for i, v := range m.DigestTimes {
		at, ok := clockTime(v)
		switch {
		case !ok:
			add(fmt.Sprintf("mail.digest_times[%d]", i), "%q is not a time of day; use HH:MM (24-hour), e.g. \"08:00\"", v)
		case seen[at]:
			add(fmt.Sprintf("mail.digest_times[%d]", i), "%q is listed twice", v)
		}
		seen[at] = true
	}
	for i, k := range m.ImmediateKinds {
		if !slices.Contains(finding.AlertKinds(), k) {
			add(fmt.Sprintf("mail.immediate_kinds[%d]", i), "%q is not an alert kind; use one of %s", k, strings.Join(finding.Strings(finding.AlertKinds()), ", "))
		}
	}

	s := &m.SMTP
	if s.Port < 1 || s.Port > 65535 {
		add("mail.smtp.port", "%d is out of range; use 1..65535 (587 for starttls, 465 for implicit)", s.Port)
	}
	tlsOK, authOK := true, true
	if !slices.Contains([]string{TLSStartTLS, TLSImplicit, TLSNone}, s.TLS) {
		tlsOK = false
		add("mail.smtp.tls", "%q is not allowed; use starttls, implicit or none", s.TLS)
	}
	if !slices.Contains([]string{AuthNone, AuthPlain, AuthLogin}, s.Auth) {
		authOK = false
		add("mail.smtp.auth", "%q is not allowed; use none, plain or login", s.Auth)
	}
	if s.Timeout.Duration <= 0 {
		add("mail.smtp.timeout", "%s must be above 0; use e.g. 30s", s.Timeout)
	}
	if m.Transport == TransportSMTP && authOK && s.Auth != AuthNone {
		if strings.TrimSpace(s.Username) == "" {
			add("mail.smtp.username", "is empty; auth %s needs a user name (or set auth: none)", s.Auth)
		}
		// A password file that failed to read was reported when loading.
		if s.Password == "" && s.PasswordFile == "" {
			add("mail.smtp.auth", "%s needs a password; set CHUYENHOA_SMTP_PASSWORD or mail.smtp.password_file", s.Auth)
		}
		if tlsOK && s.TLS == TLSNone && !isLoopback(s.Host) {
			add("mail.smtp.tls", "none with auth %s would send the password in clear to %s; use starttls or implicit", s.Auth, s.Host)
		}
	}
	return errs
}

// clockTime reads "HH:MM" as the time since midnight.
func clockTime(v string) (time.Duration, bool) {
	t, err := time.Parse("15:04", v)
	if err != nil || len(v) != len("15:04") {
		return 0, false
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, true
}

// DigestClock lists the digest times as durations since midnight, earliest
// first. Validate has checked them; one that does not read is left out.
func (m Mail) DigestClock() []time.Duration {
	var out []time.Duration
	for _, v := range m.DigestTimes {
		if at, ok := clockTime(v); ok && !slices.Contains(out, at) {
			out = append(out, at)
		}
	}
	slices.Sort(out)
	return out
}

// Immediate reports whether alerts of kind k are mailed at once.
func (m Mail) Immediate(k finding.AlertKind) bool { return slices.Contains(m.ImmediateKinds, k) }

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkAddress accepts "name@domain" or "Name <name@domain>" on one line.
func checkAddress(s string) error {
	if strings.ContainsAny(s, "\r\n") {
		return errors.New("line break in address")
	}
	_, err := mail.ParseAddress(s)
	return err
}

func (c *Config) validateRecipients() []error {
	var errs []error
	r := &c.Recipients
	addrs := func(path string, list []string) {
		for i, a := range list {
			if checkAddress(a) != nil {
				errs = append(errs, fmt.Errorf("%s[%d]: %q is not an email address; write name@domain or \"Name <name@domain>\"", path, i, a))
			}
		}
	}
	addrs("recipients.province", r.Province)
	addrs("recipients.cc", r.Cc)
	byCode := func(key, what, example string, m map[string][]string) {
		for _, code := range slices.Sorted(maps.Keys(m)) {
			if !groupCode.MatchString(code) {
				errs = append(errs, fmt.Errorf("recipients.%s: %q is not a %s code; use the code used in the unit data, e.g. %s", key, code, what, example))
				continue
			}
			addrs("recipients."+key+"."+code, m[code])
		}
	}
	byCode("districts", "district", "D01", r.Districts)
	byCode("units", "unit", "X01", r.Units)
	if c.Grouping == GroupingNone && len(r.Districts) > 0 {
		errs = append(errs, errors.New("recipients.districts: set but grouping is none; remove it or set grouping: district"))
	}
	for i, m := range r.Muted {
		if code, commune := strings.CutPrefix(m, "xa:"); !groupCode.MatchString(code) {
			what := "a district code"
			if commune {
				what = "xa: and a unit code"
			}
			errs = append(errs, fmt.Errorf("recipients.muted[%d]: %q is not %s; use a district's code (D01) or xa: and a commune's code (xa:X01)", i, m, what))
		}
	}
	return errs
}

// validateBodies checks the names of the bodies: each a single line, the
// district and commune templates with their {name} once, the others
// without.
func (c *Config) validateBodies() []error {
	var errs []error
	b := &c.Bodies
	for _, f := range []struct {
		key, v   string
		template bool
		example  string
	}{
		{"province", b.Province, false, "Ban Chỉ đạo 138 tỉnh"},
		{"province_short", b.ProvinceShort, false, "Ban Chỉ đạo tỉnh"},
		{"district", b.District, true, "Ban Chỉ đạo 138 {name}"},
		{"districts", b.Districts, false, "Ban Chỉ đạo 138 cấp huyện"},
		{"districts_short", b.DistrictsShort, false, "Ban Chỉ đạo cấp huyện"},
		{"district_level", b.Level, false, "huyện"},
		{"commune", b.Commune, true, "Công an {name}"},
		{"communes", b.Communes, false, "Công an cấp xã"},
	} {
		n := strings.Count(f.v, labels.NamePlaceholder)
		switch {
		case strings.TrimSpace(f.v) == "" || strings.ContainsAny(f.v, "\r\n"):
			errs = append(errs, c.fieldErr("bodies."+f.key, "%q must be a non-empty single line, e.g. %q", f.v, f.example))
		case f.template && n != 1:
			errs = append(errs, c.fieldErr("bodies."+f.key, "%q must hold %s once, where the name goes, e.g. %q", f.v, labels.NamePlaceholder, f.example))
		case !f.template && n > 0:
			errs = append(errs, c.fieldErr("bodies."+f.key, "%q names a level, not one body: remove %s, e.g. %q", f.v, labels.NamePlaceholder, f.example))
		}
	}
	return errs
}

func (c *Config) validateSchedule() []error {
	var errs []error
	jobs := make([]finding.Job, 0, len(c.Schedule))
	for j := range c.Schedule {
		jobs = append(jobs, j)
	}
	slices.Sort(jobs)
	for _, j := range jobs {
		if j == finding.JobDigest {
			errs = append(errs, fmt.Errorf("schedule.%s: the digest runs at mail.digest_times; remove schedule.%s and list the times there, e.g. digest_times: [\"08:00\"]", j, j))
			continue
		}
		if !slices.Contains(finding.Jobs(), j) {
			cronJobs := slices.DeleteFunc(finding.Jobs(), func(j finding.Job) bool { return j == finding.JobDigest })
			errs = append(errs, fmt.Errorf("schedule.%s: unknown job; use one of %s", j, strings.Join(finding.Strings(cronJobs), ", ")))
			continue
		}
		if _, err := cron.ParseStandard(c.Schedule[j]); err != nil {
			errs = append(errs, fmt.Errorf("schedule.%s: %q is not a cron spec (%v); use 5 fields, e.g. \"0 7 * * *\" for 07:00 daily", j, c.Schedule[j], err))
		}
	}
	return errs
}
