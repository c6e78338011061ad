package store

import "context"

// SetLoadHook makes Load call hook inside its transaction after writing each
// table, so tests can make a load fail after rows were written.
func SetLoadHook(s *Store, hook func(table string) error) { s.loadHook = hook }

// MigrateTo applies the migrations up to version, so tests can load rows
// under an older schema and then migrate them.
func MigrateTo(s *Store, version int64) error {
	ctx := context.Background()
	p, err := s.provider(ctx)
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}
