package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ledger/domain"
	"ledger/store"
	"ledger/store/storetest"
)

// BenchmarkAcceptEvent measures durable webhook accepts with 8 concurrent
// publishers (each call returns after its fsync'd commit).
func BenchmarkAcceptEvent(b *testing.B) {
	db := storetest.MustOpen(b)
	ten, bind := storetest.MustPairing(b, db, 0)
	storetest.MustActivate(b, db, bind.ID)
	payload := []byte(`{"increment_id":"000000042","grand_total":"120.00","items":[{"sku":"A","qty":1,"price":"100.00"}]}`)
	const pubs = 8
	var (
		next      atomic.Int64
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, b.N)
		wg        sync.WaitGroup
	)
	b.ResetTimer()
	start := time.Now()
	for p := 0; p < pubs; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, b.N/pubs+1)
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					break
				}
				t := time.Now()
				_, err := db.AcceptEvent(context.Background(), store.AcceptRequest{
					TenantID: ten.ID, IdempotencyKey: fmt.Sprintf("bench-%d", i), Event: domain.EventInvoiceCreated,
					Envelope: domain.Envelope{MagentoEntityID: i, Payload: payload},
				})
				if err != nil {
					b.Error(err)
					return
				}
				local = append(local, time.Since(t))
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(latencies)
	if len(latencies) > 0 {
		p99 := latencies[(len(latencies)*99)/100]
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "accepts/s")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	}
}
