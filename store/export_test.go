package store

import "context"

// SetLoadHook makes Load call hook inside its transaction after writing each
// table, so tests can make a load fail after rows were written.
func SetLoadHook(s *Store, hook func(table string) error) { s.loadHook = hook }

// MigrateTo migrates s up or down to version, as an upgrade from an older
// release (or a rollback) finds it.
func MigrateTo(ctx context.Context, s *Store, version int64) error {
	p, err := s.provider(ctx)
	if err != nil {
		return err
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if cur > version {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	s.unusable.forget()
	return err
}

// Cores is how many cores s counts its PostgreSQL server as sharing with
// this process (0: elsewhere).
func Cores(s *Store) int { return s.cores }

// LocalCores is localCores.
var LocalCores = localCores

// UnusableProbe is the condition countsFlagged probes crime_stats with.
var UnusableProbe = unusableCount

// SetSumHook makes Aggregate call hook with the context of each sum.
func SetSumHook(s *Store, hook func(ctx context.Context)) { s.sumHook = hook }

// SideBySideOf is how many sums ctx says run at once (SideBySide; 0 when
// it says nothing).
func SideBySideOf(ctx context.Context) int {
	n, _ := ctx.Value(sideBySideKey{}).(int)
	return n
}
