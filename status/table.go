package status

import (
	"cmp"
	"html/template"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"chuyenhoa/csvsafe"
)

// A table is one of the page's tables as data: every table is filtered,
// searched, sorted, paginated and downloaded the same way, on the server,
// from query parameters, so it works without JavaScript, a filtered view
// is a link one can send, and a committee's link can never ask for rows
// outside its scope (the scope is applied before anything else).
//
// The query parameters (Vietnamese, as users see them in the address):
//
//	don-vi  a committee (rules.Committee's string form); huyen too
//	tt      a state, as the page writes it
//	loai    a kind, as the page writes it
//	q       words the row must contain (any case, with or without diacritics)
//	sx      the column to sort by, from 1; -N sorts it descending
//	trang   the page of a long table, from 1
type table struct {
	Name  string // its path under /bang/ and its CSV file name
	Title string
	Cols  []column
	Rows  []row
	Note  string // a line under the title
	Empty string // what stands in for no rows
	// Province marks a table about the whole province (targets, runs): a
	// committee's view does not show it.
	Province bool

	// The filter's choices, found on first use.
	opts          sync.Once
	kinds, states []string
	committees    []option
}

type column struct {
	Title string
	Num   bool // right-aligned, sorted as a number
}

// cell is one value: its text, maybe a link, a badge class and a muted
// note after it; Sort orders it when it is not its text (a date, a
// number).
type cell struct {
	Text, Href, Badge, Note string
	Sort                    string
	Num                     float64
}

// row is one line with what it is filtered on.
type row struct {
	Committee string // its committee's string form; "" for none
	// ToProvince marks a row addressed to the provincial committee (an
	// escalation's copy, its digest): the province's view shows it, a
	// committee's does not, though it names one of its communes.
	ToProvince bool
	Unit       string // the commune it is about; "" for none
	Kind       string // as shown
	State      string // as shown
	Cells      []cell
	search     string // the folded text of its cells, built on first search
}

// query is a table request: the filters, the sort and the page.
type query struct {
	Committee, State, Kind, Search string
	Sort                           int // column from 1; negative: descending; 0: the table's order
	Page                           int // from 1
}

func parseQuery(v url.Values) query {
	q := query{Committee: v.Get("don-vi"), State: v.Get("tt"), Kind: v.Get("loai"), Search: strings.TrimSpace(v.Get("q"))}
	if q.Committee == "" {
		q.Committee = v.Get("huyen") // a district, as users write it
	}
	q.Sort, _ = strconv.Atoi(v.Get("sx"))
	q.Page, _ = strconv.Atoi(v.Get("trang"))
	if q.Page < 1 {
		q.Page = 1
	}
	return q
}

// values writes q back as query parameters.
func (q query) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"don-vi": q.Committee, "tt": q.State, "loai": q.Kind, "q": q.Search} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Sort != 0 {
		v.Set("sx", strconv.Itoa(q.Sort))
	}
	if q.Page > 1 {
		v.Set("trang", strconv.Itoa(q.Page))
	}
	return v
}

// apply filters and sorts t's rows by q; it never changes t (the rows it
// returns without a filter or a sort are t's own: read them only).
func (t *table) apply(q query) []row {
	if q.Committee == "" && q.State == "" && q.Kind == "" && q.Search == "" && q.Sort == 0 {
		return t.Rows
	}
	words := strings.Fields(fold(q.Search))
	out := make([]row, 0, len(t.Rows))
	for i := range t.Rows {
		r := &t.Rows[i]
		if q.Committee != "" && r.Committee != q.Committee || q.State != "" && r.State != q.State || q.Kind != "" && r.Kind != q.Kind {
			continue
		}
		if len(words) > 0 {
			text := r.search
			if text == "" { // a table made for one page
				text = fold(r.text())
			}
			if !containsAll(text, words) {
				continue
			}
		}
		out = append(out, *r)
	}
	if c := abs(q.Sort) - 1; c >= 0 && c < len(t.Cols) {
		num := t.Cols[c].Num
		slices.SortStableFunc(out, func(a, b row) int {
			x, y := a.Cells[c], b.Cells[c]
			var d int
			switch {
			case num:
				d = cmp.Compare(x.Num, y.Num)
			default:
				d = cmp.Compare(x.key(), y.key())
			}
			if q.Sort < 0 {
				d = -d
			}
			return d
		})
	}
	return out
}

func (c cell) key() string {
	if c.Sort != "" {
		return c.Sort
	}
	return strings.ToLower(c.Text)
}

func (r *row) text() string {
	var b strings.Builder
	for _, c := range r.Cells {
		b.WriteString(c.Text)
		b.WriteByte(' ')
		b.WriteString(c.Note)
		b.WriteByte(' ')
	}
	return b.String()
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// fold lowers s and strips the Vietnamese diacritics, so "binh chau"
// finds "Bình Châu" on a keyboard without them.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if f, ok := plain[r]; ok {
			b.WriteRune(f)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var plain = func() map[rune]rune {
	m := map[rune]rune{}
	for base, vs := range map[rune]string{
		'a': "àáảãạăằắẳẵặâầấẩẫậ", 'e': "èéẻẽẹêềếểễệ", 'i': "ìíỉĩị", 'o': "òóỏõọôồốổỗộơờớởỡợ",
		'u': "ùúủũụưừứửữự", 'y': "ỳýỷỹỵ", 'd': "đ",
	} {
		for _, v := range vs {
			m[v] = base
		}
	}
	return m
}()

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// options lists the distinct kinds and states of rows, in their first
// order, for the filter's choices.
func options(rows []row, get func(row) string) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		if v := get(r); v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// writeCSV writes rows as CSV with a header, in UTF-8 with a byte-order
// mark so that spreadsheet programs read the diacritics right.
func (t *table) writeCSV(w io.Writer, rows []row) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csvsafe.NewWriter(w)
	head := make([]string, len(t.Cols))
	for i, c := range t.Cols {
		head[i] = c.Title
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	rec := make([]string, len(t.Cols))
	for _, r := range rows {
		for i, c := range r.Cells {
			rec[i] = c.Text
			if c.Note != "" {
				rec[i] += " " + c.Note
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// HTML writes the rows as the page's table. It is Go, not a template:
// a national overview has a thousand cells, and html/template's
// reflection costs a microsecond or more per action.
func (tv tableView) HTML() template.HTML {
	var b strings.Builder
	b.Grow(256 * (len(tv.Rows) + 1))
	esc := template.HTMLEscapeString
	b.WriteString(`<table class="rt" id="bang-`)
	b.WriteString(esc(tv.T.Name))
	b.WriteString("\">\n<tr class=\"head\">")
	for i, c := range tv.T.Cols {
		b.WriteString("<th")
		if c.Num {
			b.WriteString(` class="n"`)
		}
		b.WriteString(">")
		if i < len(tv.Sorts) {
			s := tv.Sorts[i]
			b.WriteString(`<a href="`)
			b.WriteString(esc(s.Href))
			b.WriteString(`">`)
			b.WriteString(esc(c.Title))
			if s.Mark != "" {
				b.WriteString(" " + s.Mark)
			}
			b.WriteString("</a>")
		} else {
			b.WriteString(esc(c.Title))
		}
		b.WriteString("</th>")
	}
	b.WriteString("</tr>\n")
	// Each cell carries its column's title, shown beside the value when
	// a phone lays the rows out as cards (the layout's CSS).
	labels := make([]string, len(tv.T.Cols))
	for i, c := range tv.T.Cols {
		labels[i] = ` data-label="` + esc(c.Title) + `"`
		if c.Num {
			labels[i] += ` class="n"`
		}
		labels[i] += `><span class="lbl">` + esc(c.Title) + `</span><span class="v"`
	}
	for _, r := range tv.Rows {
		b.WriteString("<tr>")
		for i, c := range r.Cells {
			b.WriteString("<td")
			if i < len(labels) {
				b.WriteString(labels[i])
			}
			b.WriteString(">")
			closeV := i < len(labels)
			if c.Badge != "" {
				b.WriteString(`<span class="st st-` + esc(c.Badge) + `">`)
			}
			if c.Href != "" {
				b.WriteString(`<a href="`)
				b.WriteString(esc(tv.Nav.URL(c.Href)))
				b.WriteString(`">`)
				b.WriteString(esc(c.Text))
				b.WriteString("</a>")
			} else {
				b.WriteString(esc(c.Text))
			}
			if c.Badge != "" {
				b.WriteString("</span>")
			}
			if c.Note != "" {
				b.WriteString(` <span class="note">`)
				b.WriteString(esc(c.Note))
				b.WriteString("</span>")
			}
			if closeV {
				b.WriteString("</span>")
			}
			b.WriteString("</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>")
	return template.HTML(b.String()) // every value above is escaped
}
