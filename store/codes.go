package store

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// UnitCodes lists every unit code ever recorded, valid or not: imports of
// old statistics refer to units that merged away.
func (s *Store) UnitCodes(ctx context.Context) ([]string, error) {
	var codes []string
	if err := s.DB().SelectContext(ctx, &codes, `SELECT code FROM units ORDER BY code`); err != nil {
		return nil, fmt.Errorf("list unit codes: %w", err)
	}
	return codes, nil
}

// Redact hides the password of a database URL for logs and messages.
func Redact(raw string) string {
	if !strings.Contains(raw, "://") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable database URL)"
	}
	return u.Redacted()
}
