// Package links makes and checks the status page addresses a digest links
// to. A committee below the province reads its own view without an
// account: its links carry a token, signed with HMAC-SHA256 under the
// service's key, naming the committee and when the token expires. The
// status page opens the committee's communes only, and nothing of an
// expired or forged token. The provincial view has no token: it keeps
// basic auth.
//
// A token is "v1.<committee>.<expiry>.<mac>": the committee in its
// string form (rules.Committee; a district's code, xa:<unit>) and the
// expiry in Unix seconds, both base64url, then the MAC over everything
// before it. The token names the committee in the clear, as the link's
// path does anyway; it proves only that the service issued it, for that
// committee, until then.
package links

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"chuyenhoa/rules"
)

// Param is the query parameter that carries a token.
const Param = "t"

// MinKeyLen is the shortest signing key accepted, in bytes: a key
// anybody could guess makes every committee's view public.
const MinKeyLen = 32

// Builder makes the status page URLs a digest links to; with no public URL
// every method returns "".
type Builder struct {
	base string // public URL without its trailing slash
	key  []byte
	ttl  time.Duration
	now  func() time.Time
}

// New returns a Builder for the page served at publicURL, signing with key
// tokens valid for ttl from now() (time.Now when nil). Without a key the
// committees' links are "" (the province's need none).
func New(publicURL string, key []byte, ttl time.Duration, now func() time.Time) *Builder {
	if now == nil {
		now = time.Now
	}
	return &Builder{base: strings.TrimRight(publicURL, "/"), key: key, ttl: ttl, now: now}
}

// Overview is the committee's view (province: the full page).
func (b *Builder) Overview(c rules.Committee) string {
	return b.url(c, CommitteePath(c))
}

// Commune is a commune page, seen as committee c.
func (b *Builder) Commune(c rules.Committee, unit string) string {
	return b.url(c, CommunePath(unit))
}

func (b *Builder) url(c rules.Committee, path string) string {
	if b == nil || b.base == "" {
		return ""
	}
	if c.IsProvince() {
		return b.base + path
	}
	if len(b.key) == 0 || b.ttl <= 0 {
		return ""
	}
	return b.base + path + "?" + Param + "=" + Sign(b.key, c, b.now().Add(b.ttl))
}

// CommitteePath is the path of committee c's page: "/" for the province,
// /don-vi/<string form> for the others.
func CommitteePath(c rules.Committee) string {
	if c.IsProvince() {
		return "/"
	}
	return "/don-vi/" + url.PathEscape(c.String())
}

// CommunePath is the path of a commune's page.
func CommunePath(unit string) string { return "/xa/" + url.PathEscape(unit) }

const version = "v1"

var enc = base64.RawURLEncoding

// Sign returns a token for committee c valid until exp (to the second).
func Sign(key []byte, c rules.Committee, exp time.Time) string {
	body := version + "." + enc.EncodeToString([]byte(c.String())) + "." + enc.EncodeToString([]byte(strconv.FormatInt(exp.Unix(), 10)))
	return body + "." + enc.EncodeToString(mac(key, body))
}

func mac(key []byte, body string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(body))
	return m.Sum(nil)
}

// The reasons Verify refuses a token.
var (
	ErrInvalid = errors.New("link token is not one this service signed")
	ErrExpired = errors.New("link token has expired")
)

// Verify checks token under key at now and returns the committee it opens
// and when it expires. A token for the province is refused: the
// provincial view is opened by its password, never by a link.
func Verify(key []byte, token string, now time.Time) (rules.Committee, time.Time, error) {
	if len(key) == 0 {
		return rules.Committee{}, time.Time{}, ErrInvalid
	}
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return rules.Committee{}, time.Time{}, ErrInvalid
	}
	body, sig := token[:i], token[i+1:]
	got, err := enc.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(key, body)) {
		return rules.Committee{}, time.Time{}, ErrInvalid
	}
	parts := strings.Split(body, ".")
	if len(parts) != 3 || parts[0] != version {
		return rules.Committee{}, time.Time{}, ErrInvalid
	}
	com, err1 := enc.DecodeString(parts[1])
	exps, err2 := enc.DecodeString(parts[2])
	secs, err3 := strconv.ParseInt(string(exps), 10, 64)
	c := rules.ParseCommittee(string(com))
	if err1 != nil || err2 != nil || err3 != nil || c.IsProvince() {
		return rules.Committee{}, time.Time{}, ErrInvalid
	}
	exp := time.Unix(secs, 0)
	if !now.Before(exp) {
		return c, exp, ErrExpired
	}
	return c, exp, nil
}
