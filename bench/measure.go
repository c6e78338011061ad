package main

import (
	"bufio"
	"cmp"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sample is what one measured call cost.
type Sample struct {
	Wall time.Duration
	// HeapPeak is the highest Go heap (live and not yet collected objects)
	// seen during the call, above the live heap before it.
	HeapPeak uint64
	// Alloc is what the call allocated on the Go heap in total.
	Alloc uint64
	// RSSPeak is the process' peak resident set during the call above the
	// resident set before it (Linux only; -1 elsewhere). It also counts
	// memory outside the Go heap, such as SQLite's page cache.
	RSSPeak int64
	// CPU is the processor time this process spent during the call, on
	// every core, user and system (getrusage; 0 where there is none): the
	// work done here rather than in the database server.
	CPU time.Duration
	// Busy is the processor time the whole machine used during the call,
	// the database server's included (-1 when unknown).
	Busy time.Duration
	// GC is the part of CPU the garbage collector took (the runtime's
	// estimate), and GCs the collections that ended during the call.
	GC  time.Duration
	GCs uint64
}

// sampleEvery is how often the heap is read during a call: often enough
// to see a peak that lasts a garbage collection cycle.
const sampleEvery = time.Millisecond

// heapNow returns the heap's object bytes: cheap enough to read every
// millisecond, unlike runtime.ReadMemStats, which stops the world.
func heapNow() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// gcNow returns the garbage collector's CPU time so far (the runtime's
// estimate, /cpu/classes/gc/total) and the collections ended so far.
func gcNow() (time.Duration, uint64) {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return time.Duration(s[0].Value.Float64() * float64(time.Second)), s[1].Value.Uint64()
}

// allocated is the total allocated so far, exact (ReadMemStats flushes the
// per-processor caches that runtime/metrics does not).
func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// Measure runs fn once and reports its wall time and memory. It collects
// garbage first, so that the peak is the call's own.
func Measure(fn func() error) (Sample, error) {
	runtime.GC()
	base, alloc0 := heapNow(), allocated()
	rss0 := rssNow()
	resetPeakRSS()

	var (
		mu   sync.Mutex
		peak = base
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	note := func() {
		h := heapNow()
		mu.Lock()
		peak = max(peak, h)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				note()
			}
		}
	}()
	gc0, gcs0 := gcNow()
	cpu0, busy0, start := cpuTime(), machineBusy(), time.Now()
	err := fn()
	wall, cpu, busy1 := time.Since(start), cpuTime()-cpu0, machineBusy()
	gc1, gcs1 := gcNow()
	note()
	close(done)
	wg.Wait()
	alloc1 := allocated()

	busy := busy1 - busy0
	if busy0 < 0 || busy1 < 0 {
		busy = -1
	}
	s := Sample{Wall: wall, HeapPeak: peak - base, Alloc: alloc1 - alloc0, RSSPeak: -1, CPU: cpu, Busy: busy, GC: gc1 - gc0, GCs: gcs1 - gcs0}
	if hwm := peakRSS(); hwm >= 0 && rss0 >= 0 {
		s.RSSPeak = max(0, hwm-rss0)
	}
	return s, err
}

// resetPeakRSS resets the kernel's high-water mark of this process' RSS
// (VmHWM), so that peakRSS reports the peak since now. Linux only; a
// failure leaves the mark as it is, which over-reports.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func rssNow() int64  { return procStatus("VmRSS:") }
func peakRSS() int64 { return procStatus("VmHWM:") }

// procStatus reads a "kB" field of /proc/self/status in bytes, or -1.
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), field)
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return -1
		}
		return kb * 1024
	}
	return -1
}

// middle is the median of xs (the upper one of an even count); xs is not
// changed. It wants at least one value.
func middle[T cmp.Ordered](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// median returns the median wall, CPU, busy and GC times and collections, and the highest memory
// figures of all (memory is judged by its worst case).
func median(ss []Sample) Sample {
	if len(ss) == 0 {
		return Sample{}
	}
	walls := make([]time.Duration, len(ss))
	cpus := make([]time.Duration, len(ss))
	busy := make([]time.Duration, len(ss))
	gcs := make([]time.Duration, len(ss))
	cycles := make([]uint64, len(ss))
	out := Sample{RSSPeak: -1}
	for i, s := range ss {
		walls[i], cpus[i], busy[i], gcs[i], cycles[i] = s.Wall, s.CPU, s.Busy, s.GC, s.GCs
		out.HeapPeak = max(out.HeapPeak, s.HeapPeak)
		out.Alloc = max(out.Alloc, s.Alloc)
		out.RSSPeak = max(out.RSSPeak, s.RSSPeak)
	}
	out.Wall, out.CPU, out.Busy = middle(walls), middle(cpus), middle(busy)
	out.GC, out.GCs = middle(gcs), middle(cycles)
	return out
}
