// Command loadtest measures how fast a running dangjian server answers some pages: it signs in
// once, then requests each URL -n times from -c concurrent clients and prints the status
// counts and the latency percentiles per URL. It is a measuring tool for the figures in the
// docs, not part of the program:
//
//	go run ./scripts/loadtest -base http://127.0.0.1:8080 -user U -password-stdin -n 200 -c 2 \
//	    /orgs/5/calendar?month=2026-06 /reminders
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "the server's address")
	user := flag.String("user", "", "the account to sign in as")
	stdin := flag.Bool("password-stdin", false, "read the password from standard input")
	n := flag.Int("n", 100, "requests per URL")
	c := flag.Int("c", 2, "concurrent clients")
	flag.Parse()
	if *user == "" || !*stdin || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: loadtest -base URL -user U -password-stdin [-n N] [-c C] PATH...")
		os.Exit(2)
	}
	password, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(*base+"/signin", url.Values{"username": {*user}, "password": {strings.TrimSpace(password)}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sign-in:", err)
		os.Exit(1)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		fmt.Fprintln(os.Stderr, "sign-in refused: status", resp.StatusCode)
		os.Exit(1)
	}
	for _, path := range flag.Args() {
		measure(client, *base+path, path, *n, *c)
	}
}

// measure requests u n times from c clients and prints what it saw.
func measure(client *http.Client, u, name string, n, c int) {
	var mu sync.Mutex
	var times []time.Duration
	status := map[int]int{}
	var bytes int64
	jobs := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Go(func() {
			for range jobs {
				t0 := time.Now()
				resp, err := client.Get(u)
				code := 0
				var size int64
				if err == nil {
					size, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					code = resp.StatusCode
				}
				d := time.Since(t0)
				mu.Lock()
				times = append(times, d)
				status[code]++
				bytes += size
				mu.Unlock()
			}
		})
	}
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	wall := time.Since(start)
	slices.Sort(times)
	pct := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
	fmt.Printf("%s\n  %d requests, %d clients, %.1f req/s, status %v, %d bytes/response\n  p50 %v  p90 %v  p99 %v  max %v\n",
		name, n, c, float64(n)/wall.Seconds(), status, bytes/int64(n), pct(0.5).Round(10*time.Microsecond),
		pct(0.9).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), times[len(times)-1].Round(10*time.Microsecond))
}
