package dashboard

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"ledger/magento"
)

// BenchmarkWebhookAccept: 8 concurrent publishers over real HTTP on
// loopback against a real bbolt store (fsync'd group commits), each
// delivery a new event with a fresh token. Reports accepts/s and p99.
func BenchmarkWebhookAccept(b *testing.B) {
	f := mgSetup(b, "http://ledger.test")
	f.srv.cfg.Now = time.Now // real clock: tokens are minted with it below
	f.srv.magento.verifier.Now = time.Now
	f.srv.cfg.Enqueued = nil
	const publishers = 8
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: publishers}}
	url := f.ts.URL + "/webhooks/magento/" + f.tenant.ID + "/invoice.created"
	var seq atomic.Int64
	lat := make([][]time.Duration, publishers)
	var failed atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	per := (b.N + publishers - 1) / publishers
	for p := 0; p < publishers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				id := seq.Add(1)
				iat := time.Now().Unix()
				tok := magento.Mint(f.outbound, magento.Claims{Iss: magento.IssuerMagento, Sub: f.tenant.ID, Aud: magento.IssuerLedger,
					Iat: iat, Nbf: iat, Exp: iat + 60, Jti: uuid.NewString()})
				body := fmt.Sprintf(`{"magento_entity_id":%d,"website_id":1,"store_id":1,"occurred_at":"2026-04-29T10:11:12Z","payload":{}}`, id)
				req, _ := http.NewRequest("POST", url, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Idempotency-Key", fmt.Sprintf("invoice.created:%d", id))
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[p] = append(lat[p], time.Since(t0))
				if resp.StatusCode != http.StatusAccepted {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d deliveries were not accepted", n)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "accepts/s")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}
