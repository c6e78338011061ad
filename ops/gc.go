package ops

import (
	"runtime/debug"
	"strconv"
)

// TuneGC sets the garbage collector's target percentage to gogc (the
// configuration's runtime.gogc) unless the GOGC environment variable is
// set: the runtime applied that one at start, and an operator who set it
// meant it. It returns the setting in force and where it came from, for
// the start-up log.
func TuneGC(gogc int, getenv func(string) string) (setting, from string) {
	if v := getenv("GOGC"); v != "" {
		return v, "GOGC"
	}
	debug.SetGCPercent(gogc)
	return strconv.Itoa(gogc), "runtime.gogc"
}
