package dashboard

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
)

// agency adds n bindings (ids 1001…) of n stores owned by the admin:
// shop001.example.com ↔ Org 001, …; every third one needs re-auth.
func agency(f *fixture, n int) {
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	for i := 1; i <= n; i++ {
		tid := fmt.Sprintf("tenant-m%03d", i)
		f.st.tenants[tid] = &domain.Tenant{ID: tid, MagentoURL: fmt.Sprintf("https://shop%03d.example.com", i), MagentoStatus: domain.MagentoActive, OwnerID: 1}
		st := domain.BindingActive
		if i%3 == 0 {
			st = domain.BindingNeedsReauth
		}
		id := uint64(1000 + i)
		f.st.bindings[id] = &domain.Binding{ID: id, TenantID: tid, Provider: "xero", Status: st, XeroOrgName: fmt.Sprintf("Org %03d", i), Policy: domain.DefaultPolicy()}
	}
}

var bindingRowRE = regexp.MustCompile(`href="/dashboard/bindings/(\d+)/settings"`)

// rowIDs are the bindings a list page shows, in order.
func rowIDs(body string) []uint64 {
	var ids []uint64
	for _, m := range bindingRowRE.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseUint(m[1], 10, 64)
		ids = append(ids, id)
	}
	return ids
}

// span is ids from…to inclusive.
func span(from, to uint64) []uint64 {
	var ids []uint64
	for id := from; id <= to; id++ {
		ids = append(ids, id)
	}
	return ids
}

var prevRE, nextRE = regexp.MustCompile(`<a href="([^"]*)" rel="prev">`), regexp.MustCompile(`<a href="([^"]*)" rel="next">`)

func link(re *regexp.Regexp, body string) string {
	if m := re.FindStringSubmatch(body); m != nil {
		return strings.ReplaceAll(m[1], "&amp;", "&")
	}
	return ""
}

// TestBindingsPaging: an admin with 122 bindings pages 50 at a time and
// filters by host, organisation and status, server-side.
func TestBindingsPaging(t *testing.T) {
	f := setup(t)
	agency(f, 120) // + alice's 10 and bob's 20
	admin := f.browser().login("admin@example.com")
	every3rd := func(from, to uint64) []uint64 {
		var ids []uint64
		for id := from; id <= to; id++ {
			if (id-1000)%3 == 0 {
				ids = append(ids, id)
			}
		}
		return ids
	}
	for _, tt := range []struct {
		query      string
		ids        []uint64
		prev, next string
		info       string // the "Bindings a–b of n" line, "" when one page
		err        string
	}{
		{query: "", ids: append([]uint64{10, 20}, span(1001, 1048)...), next: "/dashboard/bindings?page=2", info: "Connections 1–50 of 122"},
		{query: "?page=2", ids: span(1049, 1098), prev: "/dashboard/bindings", next: "/dashboard/bindings?page=3", info: "Connections 51–100 of 122"},
		{query: "?page=3", ids: span(1099, 1120), prev: "/dashboard/bindings?page=2", info: "Connections 101–122 of 122"},
		{query: "?page=99", ids: span(1099, 1120), prev: "/dashboard/bindings?page=2", info: "Connections 101–122 of 122"},
		{query: "?page=-4", ids: append([]uint64{10, 20}, span(1001, 1048)...), next: "/dashboard/bindings?page=2", info: "Connections 1–50 of 122"},
		{query: "?page=x", ids: append([]uint64{10, 20}, span(1001, 1048)...), next: "/dashboard/bindings?page=2", info: "Connections 1–50 of 122"},
		{query: "?q=shop007", ids: []uint64{1007}},
		{query: "?q=+SHOP007.EXAMPLE+", ids: []uint64{1007}},
		{query: "?q=org+01", ids: span(1010, 1019)},
		{query: "?q=alice", ids: []uint64{10}},
		{query: "?q=Alice+Ltd", ids: []uint64{10}},
		{query: "?q=nothing-like-this", ids: nil},
		{query: "?status=pending_oauth", ids: []uint64{20}},
		{query: "?status=needs_reauth", ids: every3rd(1001, 1120), info: ""},
		{query: "?status=active&q=shop1", ids: []uint64{1100, 1101, 1103, 1104, 1106, 1107, 1109, 1110, 1112, 1113, 1115, 1116, 1118, 1119}},
		{query: "?status=bogus&page=3", ids: span(1099, 1120), prev: "/dashboard/bindings?page=2", info: "Connections 101–122 of 122", err: "Unknown status filter; showing every status."},
		{query: "?q=shop&page=2", ids: span(1049, 1098), prev: "/dashboard/bindings?q=shop", next: "/dashboard/bindings?page=3&q=shop", info: "Connections 51–100 of 122"}, // alice-shop and bob-shop match too,
	} {
		t.Run(tt.query, func(t *testing.T) {
			p := admin.get("/dashboard/bindings" + tt.query)
			if p.code != 200 {
				t.Fatalf("status %d", p.code)
			}
			if d := cmp.Diff(tt.ids, rowIDs(p.body)); d != "" {
				t.Errorf("rows (-want +got):\n%s", d)
			}
			got := struct{ Prev, Next string }{link(prevRE, p.body), link(nextRE, p.body)}
			if d := cmp.Diff(struct{ Prev, Next string }{tt.prev, tt.next}, got); d != "" {
				t.Errorf("pager links (-want +got):\n%s", d)
			}
			if tt.info != "" && !strings.Contains(p.body, tt.info) {
				t.Errorf("no %q on the page", tt.info)
			}
			if tt.info == "" && strings.Contains(p.body, `class="pager"`) {
				t.Error("a single page shows a pager")
			}
			if tt.err != "" && !strings.Contains(p.body, tt.err) {
				t.Errorf("no error %q", tt.err)
			}
			if !strings.Contains(p.body, `<form method="get" action="/dashboard/bindings"`) {
				t.Error("no filter form for an agency")
			}
			if tt.ids == nil && !strings.Contains(p.body, "No connections match.") {
				t.Error("an empty filter result does not say so")
			}
		})
	}
	// The filter form keeps what was asked.
	p := admin.get("/dashboard/bindings?q=org+01&status=needs_reauth")
	for _, want := range []string{`id="q" name="q" type="search" value="org 01"`, `<option value="needs_reauth" selected>Xero sign-in expired</option>`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("filter form lacks %s", want)
		}
	}
}

// TestBindingsPagingMerchantsUnchanged: a merchant with one store sees the
// plain list: no filter form, no pager; nor does a merchant see the
// agency's bindings through a filter.
func TestBindingsPagingMerchantsUnchanged(t *testing.T) {
	f := setup(t)
	agency(f, 120)
	alice := f.browser().login("alice@example.com")
	for _, q := range []string{"", "?page=2", "?q=shop", "?q=alice&page=9"} {
		p := alice.get("/dashboard/bindings" + q)
		if d := cmp.Diff([]uint64{10}, rowIDs(p.body)); d != "" {
			t.Errorf("alice GET %s rows (-want +got):\n%s", q, d)
		}
		if strings.Contains(p.body, `class="pager"`) || strings.Contains(p.body, "Connections 1–") {
			t.Errorf("alice GET %s shows a pager", q)
		}
	}
	if p := alice.get("/dashboard/bindings"); strings.Contains(p.body, `action="/dashboard/bindings"`) {
		t.Error("a merchant with one store sees a filter form")
	}
	if p := alice.get("/dashboard/bindings?q=org"); !strings.Contains(p.body, "No connections match.") || len(rowIDs(p.body)) != 0 {
		t.Error("alice's filter reaches other bindings or does not say none match")
	}
}

// TestHomeTileLimit: an agency's home shows at most homeTileLimit tiles and
// a link to all bindings; a merchant's home does not.
func TestHomeTileLimit(t *testing.T) {
	f := setup(t)
	agency(f, 120)
	tileRE := regexp.MustCompile(`<h2 id="tile-(\d+)"`)
	for _, tt := range []struct {
		who     string
		tiles   int
		showAll bool
	}{{"admin", homeTileLimit, true}, {"alice", 1, false}, {"bob", 1, false}} {
		body := f.browser().login(tt.who + "@example.com").get("/dashboard").body
		if got := len(tileRE.FindAllString(body, -1)); got != tt.tiles {
			t.Errorf("%s: %d tiles, want %d", tt.who, got, tt.tiles)
		}
		if got := strings.Contains(body, `<a href="/dashboard/bindings">Show all 122 connections</a>`); got != tt.showAll {
			t.Errorf("%s: show-all link %v, want %v", tt.who, got, tt.showAll)
		}
	}
}

// BenchmarkBindingsPage renders the first page of 1 000 bindings as admin
// and reports its weight (it was 311 KB when the list was unpaged).
func BenchmarkBindingsPage(b *testing.B) {
	f := setup(b)
	agency(f, 998)
	br := f.browser().login("admin@example.com")
	var n int
	for b.Loop() {
		p := br.get("/dashboard/bindings")
		if p.code != 200 {
			b.Fatalf("status %d", p.code)
		}
		n = len(p.body)
	}
	b.ReportMetric(float64(n), "html-bytes")
}

// merchantStores gives alice (user 2) n more stores, one binding each, and
// the first store a second binding. Binding ids run against the order of
// the tenant ids (tenant-s001 holds the largest), so a list that is not
// ordered by binding id shows.
func merchantStores(f *fixture, n int) (ids []uint64) {
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	add := func(id uint64, tid string, i int) {
		f.st.bindings[id] = &domain.Binding{ID: id, TenantID: tid, Provider: "xero", Status: domain.BindingActive,
			XeroOrgName: fmt.Sprintf("Alice Branch %03d", i), Policy: domain.DefaultPolicy()}
		ids = append(ids, id)
	}
	for i := 1; i <= n; i++ {
		tid := fmt.Sprintf("tenant-s%03d", i)
		f.st.tenants[tid] = &domain.Tenant{ID: tid, MagentoURL: fmt.Sprintf("https://branch%03d.example.com", i), MagentoStatus: domain.MagentoActive, OwnerID: 2}
		add(uint64(3000-i), tid, i)
	}
	add(4000, "tenant-s001", 1)
	slices.Sort(ids)
	return ids
}

// TestMerchantListsReadOwnStores: a merchant's lists (bindings, home, sync
// history) read the merchant's own stores by owner, never every tenant and
// binding; paging and filters work on them as on an admin's, ordered by
// binding id. An admin still sees every binding.
func TestMerchantListsReadOwnStores(t *testing.T) {
	f := setup(t)
	agency(f, 20) // the admin's, not alice's
	own := append([]uint64{10}, merchantStores(f, 60)...)
	slices.Sort(own)
	alice := f.browser().login("alice@example.com")
	f.st.fullScans.Store(0)
	for _, tt := range []struct {
		query string
		ids   []uint64
	}{
		{"", own[:50]},
		{"?page=2", own[50:]},
		{"?q=branch007", []uint64{2993}},
		{"?q=alice+branch+001", []uint64{2999, 4000}},
		{"?q=shop", []uint64{10}}, // alice-shop; the agency's shops are not hers
		{"?status=pending_oauth", nil},
	} {
		p := alice.get("/dashboard/bindings" + tt.query)
		if p.code != 200 {
			t.Fatalf("GET /dashboard/bindings%s: %d", tt.query, p.code)
		}
		if d := cmp.Diff(tt.ids, rowIDs(p.body)); d != "" {
			t.Errorf("alice GET /dashboard/bindings%s rows (-want +got):\n%s", tt.query, d)
		}
	}
	if p := alice.get("/dashboard"); p.code != 200 || !strings.Contains(p.body, "Show all 62 connections") {
		t.Errorf("alice's home: %d, no link to her 62 bindings", p.code)
	}
	if p := alice.get("/dashboard/sync?binding=4000"); p.code != 200 {
		t.Errorf("alice's sync history of binding 4000: %d", p.code)
	}
	if p := alice.get("/dashboard/sync?binding=1001"); p.code != 200 || !strings.Contains(p.body, "No connection you can see has number 1001") {
		t.Errorf("alice's sync history of the admin's binding 1001: %d, does not say she cannot see it", p.code)
	}
	if n := f.st.fullScans.Load(); n != 0 {
		t.Errorf("alice's pages listed every tenant or binding %d times, want 0 (read by owner)", n)
	}
	admin := f.browser().login("admin@example.com")
	if p := admin.get("/dashboard/bindings?page=2"); !strings.Contains(p.body, "Connections 51–83 of 83") {
		t.Errorf("admin's second page does not count all 83 bindings:\n%s", p.body)
	}
}
