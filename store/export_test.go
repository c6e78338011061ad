package store

// SetLoadHook makes Load call hook inside its transaction after writing each
// table, so tests can make a load fail after rows were written.
func SetLoadHook(s *Store, hook func(table string) error) { s.loadHook = hook }
