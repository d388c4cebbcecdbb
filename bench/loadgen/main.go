// Command loadgen sends POST requests to one URL, open-loop at a constant rate or closed-loop at
// saturation, and prints one JSON object with the latency percentiles (ms) and the throughput.
//
//	loadgen -url http://127.0.0.1:8082/v1/checks -token T -customers 1000 -prefix c -rate 1000 -duration 10s
//	loadgen ... -rate 0 -concurrency 32 -duration 10s   (saturation)
//
// Open-loop latency is measured from each request's scheduled time, so a stalled server is not
// hidden by a stalled client (no coordinated omission). Standard library only.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"
)

type result struct {
	Mode       string  `json:"mode"`
	Requests   int     `json:"requests"`
	OK         int     `json:"ok"`
	Errors     int     `json:"errors"`
	Seconds    float64 `json:"seconds"`
	ReqPerS    float64 `json:"req_per_s"`
	TargetRate float64 `json:"target_rate"`
	P50        float64 `json:"p50_ms"`
	P95        float64 `json:"p95_ms"`
	P99        float64 `json:"p99_ms"`
	Max        float64 `json:"max_ms"`
	FirstError string  `json:"first_error,omitempty"`
}

type sample struct {
	latency time.Duration
	ok      bool
	err     string
}

func main() {
	url := flag.String("url", "http://127.0.0.1:8082/v1/checks", "endpoint")
	token := flag.String("token", "", "bearer token")
	customers := flag.Int("customers", 1000, "customer ids <prefix>0000000 .. <prefix>N-1")
	prefix := flag.String("prefix", "c", "customer id prefix")
	rate := flag.Float64("rate", 1000, "requests per second; 0 = closed loop at saturation")
	concurrency := flag.Int("concurrency", 32, "workers of the closed loop")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	flag.Parse()

	transport := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, MaxConnsPerHost: 1024}
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	bodies := make([][]byte, *customers)
	actions := []string{"transact", "redeem", "book_online", "book"}
	for i := range bodies {
		bodies[i], _ = json.Marshal(map[string]string{
			"customer_id": fmt.Sprintf("%s%07d", *prefix, i), "action": actions[i%len(actions)],
		})
	}
	send := func(i int) sample {
		req, _ := http.NewRequest("POST", *url, bytes.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+*token)
		resp, err := client.Do(req)
		if err != nil {
			return sample{err: err.Error()}
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return sample{err: fmt.Sprintf("HTTP %d", resp.StatusCode)}
		}
		return sample{ok: true}
	}

	var mu sync.Mutex
	var samples []sample
	record := func(s sample) { mu.Lock(); samples = append(samples, s); mu.Unlock() }
	start := time.Now()
	mode := "open-loop"
	if *rate > 0 {
		var wg sync.WaitGroup
		total := int(*rate * duration.Seconds())
		interval := time.Duration(float64(time.Second) / *rate)
		for i := 0; i < total; i++ {
			due := start.Add(time.Duration(i) * interval)
			if wait := time.Until(due); wait > 0 {
				time.Sleep(wait)
			}
			wg.Add(1)
			go func(i int, due time.Time) {
				defer wg.Done()
				s := send(i)
				s.latency = time.Since(due)
				record(s)
			}(i, due)
		}
		wg.Wait()
	} else {
		mode = "closed-loop"
		var wg sync.WaitGroup
		stop := start.Add(*duration)
		for w := 0; w < *concurrency; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := w; time.Now().Before(stop); i += *concurrency {
					began := time.Now()
					s := send(i)
					s.latency = time.Since(began)
					record(s)
				}
			}(w)
		}
		wg.Wait()
	}
	elapsed := time.Since(start).Seconds()
	out := result{Mode: mode, Requests: len(samples), Seconds: elapsed, TargetRate: *rate}
	var ms []float64
	for _, s := range samples {
		if s.ok {
			out.OK++
			ms = append(ms, float64(s.latency.Microseconds())/1000)
		} else {
			out.Errors++
			if out.FirstError == "" {
				out.FirstError = s.err
			}
		}
	}
	out.ReqPerS = float64(out.OK) / elapsed
	sort.Float64s(ms)
	rank := func(q float64) float64 {
		if len(ms) == 0 {
			return 0
		}
		i := int(q*float64(len(ms))+0.999999) - 1
		if i < 0 {
			i = 0
		}
		if i >= len(ms) {
			i = len(ms) - 1
		}
		return ms[i]
	}
	out.P50, out.P95, out.P99, out.Max = rank(0.50), rank(0.95), rank(0.99), rank(1)
	json.NewEncoder(os.Stdout).Encode(out)
}
