// Command statuspage measures the status page at national scale
// (`make bench-status`; BENCHMARKS.md, "The status page"): the overview,
// a district's page opened by its link, a table page and a commune page,
// each with 1 and 16 concurrent clients, against the baseline of a static
// file of the same size served by the same server; the size of each
// page; the first answer after a run (the page reads the new results);
// and the process's memory while 50 clients ask for commune pages at
// once.
//
// The database is one `chuyenhoa gen` filled and the jobs ran on:
//
//	chuyenhoa gen --units 10600 --years 5 --db URL
//	CHUYENHOA_DATABASE_URL=URL chuyenhoa run-once all --at 2026-11-25
//	go run ./bench/statuspage -db URL
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"chuyenhoa/config"
	"chuyenhoa/finding"
	"chuyenhoa/links"
	"chuyenhoa/rules"
	"chuyenhoa/status"
	"chuyenhoa/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "statuspage:", err)
		os.Exit(1)
	}
}

func run() error {
	db := flag.String("db", os.Getenv("BENCH_STATUS_DB"), "database `URL` filled by chuyenhoa gen, the jobs run on it (default $BENCH_STATUS_DB)")
	at := flag.String("at", "2026-11-25", "the day of the runs (`YYYY-MM-DD`): the page is read as on that day at 08:00")
	n := flag.Int("requests", 400, "requests per page and concurrency")
	memprof := flag.String("memprofile", "", "write a heap profile after the first answers to `FILE`")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the first answers and the timed ones to `FILE`")
	flag.Parse()
	if *db == "" {
		return fmt.Errorf("give -db or BENCH_STATUS_DB: a database chuyenhoa gen filled and the jobs ran on")
	}
	day, err := time.Parse(time.DateOnly, *at)
	if err != nil {
		return fmt.Errorf("-at %q: %w", *at, err)
	}
	ctx := context.Background()
	st, err := store.OpenExisting(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	cfg := config.Default()
	if err := cfg.Validate(); err != nil {
		return err
	}
	now := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, cfg.Location())
	key := []byte("the benchmark's link key, thirty-two bytes at least")
	srv := &status.Server{Store: st, Config: cfg, Now: func() time.Time { return now }, LinkKey: key}

	// The pages: a district with selected areas, and its first at-risk
	// (or else selected) commune.
	_, fs, err := st.LatestFindings(ctx, finding.JobCycle)
	if err != nil {
		return err
	}
	var unit, district string
	for _, f := range fs {
		if f.Kind == finding.KindCycleArea && (unit == "" || f.State == finding.CycleAtRisk) {
			unit, district = f.Unit, f.District
			if f.State == finding.CycleAtRisk {
				break
			}
		}
	}
	if unit == "" {
		return fmt.Errorf("no area of the year in the database: run the jobs first (chuyenhoa run-once all --at %s)", *at)
	}
	com := rules.ParseCommittee(district)
	b := links.New("http://x", key, time.Hour, func() time.Time { return now })
	_, tok, _ := strings.Cut(b.Overview(com), "?t=")
	pages := []struct{ name, path string }{
		{"overview", "/"},
		{"district (link)", links.CommitteePath(com) + "?t=" + tok},
		{"table de-xuat", "/bang/de-xuat"},
		{"commune", links.CommunePath(unit)},
	}
	var areas []string
	for _, f := range fs {
		if f.Kind == finding.KindCycleArea {
			areas = append(areas, f.Unit)
		}
	}

	// The server: the page and, beside it, static files of each page's size.
	dir, err := os.MkdirTemp("", "statuspage")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	mux := http.NewServeMux()
	page := srv.Handler()
	mux.Handle("/", page)
	mux.Handle("/tinh/", http.StripPrefix("/tinh/", http.FileServer(http.Dir(dir))))
	base, stopServer, err := serve(mux)
	if err != nil {
		return err
	}
	defer stopServer()
	// The same pages rendered for every request: a second page over the
	// same store, without the cache of rendered pages.
	nocache := &status.Server{Store: st, Config: cfg, Now: srv.Now, LinkKey: key, PageCache: -1}
	fresh, stopFresh, err := serve(nocache.Handler())
	if err != nil {
		return err
	}
	defer stopFresh()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}, Timeout: 10 * time.Minute}

	// The first answer: the page reads what the runs stored.
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	runtime.GC()
	heap0 := heapInUse()
	start := time.Now()
	first, size, err := get(client, base+"/")
	if err != nil {
		return err
	}
	readTook := time.Since(start)
	start = time.Now()
	if _, _, err := get(client, base+pages[3].path); err != nil {
		return err
	}
	if _, _, err := get(client, fresh+pages[3].path); err != nil { // its own snapshot
		return err
	}
	monthsTook := time.Since(start) // waits for the months if still being read
	runtime.GC()
	heap1 := heapInUse()
	if *memprof != "" {
		f, err := os.Create(*memprof)
		if err != nil {
			return err
		}
		if err := pprof.WriteHeapProfile(f); err != nil {
			return err
		}
		f.Close()
	}
	fmt.Printf("first answer after the runs: %s (%d B, code %d); first commune page %s; snapshot in the heap %.1f MiB\n",
		readTook.Round(time.Millisecond), size, first, monthsTook.Round(time.Millisecond), float64(heap1-heap0)/(1<<20))

	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "page\tbytes\tclients\tp50\tp95\tp99\tstatic p50\tstatic p95\tp95 ratio\treq/s\t")
	for _, p := range pages {
		code, body, err := getBody(client, base+p.path)
		if err != nil || code != 200 {
			return fmt.Errorf("GET %s = %d: %v", p.path, code, err)
		}
		file := strings.NewReplacer(" ", "-", "(", "", ")", "").Replace(p.name) + ".html"
		if err := os.WriteFile(filepath.Join(dir, file), body, 0o644); err != nil {
			return err
		}
		for _, clients := range []int{1, 16} {
			stat, _, err := load(client, func(int) string { return base + "/tinh/" + file }, clients, *n)
			if err != nil {
				return err
			}
			for _, c := range []struct {
				name string
				url  func(int) string
			}{
				{p.name, func(int) string { return base + p.path }},
				{p.name + ", rendered", func(int) string { return fresh + p.path }},
			} {
				lat, rate, err := load(client, c.url, clients, *n)
				if err != nil {
					return err
				}
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%.1f×\t%.0f\t\n", c.name, len(body), clients, ms(pct(lat, 50)), ms(pct(lat, 95)), ms(pct(lat, 99)),
					ms(pct(stat, 50)), ms(pct(stat, 95)), float64(pct(lat, 95))/float64(pct(stat, 95)), rate)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if *prof != "" {
		pprof.StopCPUProfile()
	}

	// Memory: 1 then 50 clients on commune pages for ten seconds each,
	// every commune of the year in turn (2,000 and more: each rendered,
	// and kept while the cache has room). The page without a cache is
	// stopped first: one snapshot in the process, as in service.
	stopFresh()
	nocache = nil
	for _, clients := range []int{1, 50} {
		if err := memory(client, base, areas, clients); err != nil {
			return err
		}
	}
	return nil
}

func get(c *http.Client, url string) (int, int, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, int(n), err
}

func getBody(c *http.Client, url string) (int, []byte, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// load sends n requests for url from clients goroutines and returns the
// sorted latencies and the rate.
func load(c *http.Client, url func(i int) string, clients, n int) ([]time.Duration, float64, error) {
	for i := range 5 { // warm the connections
		if _, _, err := get(c, url(n+i)); err != nil {
			return nil, 0, err
		}
	}
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t := time.Now()
				code, _, err := get(c, url(i))
				lat[i] = time.Since(t)
				if err == nil && code != 200 {
					err = fmt.Errorf("GET %s = %d", url(i), code)
				}
				if err != nil {
					mu.Lock()
					first = err
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	rate := float64(n) / time.Since(start).Seconds()
	slices.Sort(lat)
	return lat, rate, first
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// rss is the process's resident set (Linux), in bytes.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			var kb uint64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}

// memory asks clients goroutines for commune pages for ten seconds and
// prints the answers and the process's memory.
func memory(client *http.Client, base string, areas []string, clients int) error {
	runtime.GC()
	rss0, heap0 := rss(), heapInUse()
	peakRSS, peakHeap := rss0, heap0
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var lat []time.Duration
	var failed int
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := i; ; k += clients {
				select {
				case <-stop:
					return
				default:
				}
				t := time.Now()
				code, _, err := get(client, base+links.CommunePath(areas[k%len(areas)]))
				mu.Lock()
				if err == nil && code == 200 {
					lat = append(lat, time.Since(t))
				} else {
					failed++
				}
				mu.Unlock()
			}
		}()
	}
	tick := time.NewTicker(20 * time.Millisecond)
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); <-tick.C {
		peakRSS, peakHeap = max(peakRSS, rss()), max(peakHeap, heapInUse())
	}
	tick.Stop()
	close(stop)
	wg.Wait()
	if len(lat) == 0 {
		return fmt.Errorf("no commune page answered")
	}
	slices.Sort(lat)
	fmt.Printf("%d clients on commune pages, 10 s: %d answers, %d not 200; p50 %s, p95 %s, max %s; RSS %.0f → peak %.0f MiB; Go heap in use %.0f → peak %.0f MiB\n",
		clients, len(lat), failed, ms(pct(lat, 50)), ms(pct(lat, 95)), ms(lat[len(lat)-1]), float64(rss0)/(1<<20), float64(peakRSS)/(1<<20),
		float64(heap0)/(1<<20), float64(peakHeap)/(1<<20))
	return nil
}

// serve serves h on a loopback port and returns its base URL.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = hs.Close(); hs.Handler = nil }, nil
}
