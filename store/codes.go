package store

import (
	"context"
	"fmt"

	"chuyenhoa/dburl"
)

// UnitCodes lists every unit code ever recorded, valid or not: imports of
// old statistics refer to units that merged away.
func (s *Store) UnitCodes(ctx context.Context) ([]string, error) {
	var codes []string
	if err := s.db.SelectContext(ctx, &codes, `SELECT code FROM units ORDER BY code`); err != nil {
		return nil, fmt.Errorf("list unit codes: %w", err)
	}
	return codes, nil
}

// Redact hides the secrets of a database URL for logs and messages.
//
// Deprecated: use dburl.Redact; this stays until its last callers move.
func Redact(raw string) string { return dburl.Redact(raw) }
