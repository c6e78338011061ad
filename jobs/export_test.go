package jobs

// Stopping is closed when Stop begins (tests wait on it instead of sleeping).
func (s *Scheduler) Stopping() <-chan struct{} { return s.stopped }
