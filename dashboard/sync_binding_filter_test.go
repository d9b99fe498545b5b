package dashboard

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
)

var (
	bindingSelectRE = regexp.MustCompile(`<select id="binding" name="binding">(.*?)</select>`)
	bindingOptionRE = regexp.MustCompile(`<option value="(\d+)"`)
	bindingInputRE  = regexp.MustCompile(`<input id="binding" name="binding" type="search" value="([^"]*)"`)
	matchLinkRE     = regexp.MustCompile(`<li><a href="([^"]*)">#(\d+) `)
)

// bindingForm is what the Sync history filter offers for bindings.
type bindingForm struct {
	Select  []string // option values; nil without a select
	Input   *string  // the text field's value; nil without one
	Matches []string // hrefs of an ambiguous search's choices
}

func parseBindingForm(body string) bindingForm {
	var bf bindingForm
	if m := bindingSelectRE.FindStringSubmatch(body); m != nil {
		bf.Select = []string{}
		for _, o := range bindingOptionRE.FindAllStringSubmatch(m[1], -1) {
			bf.Select = append(bf.Select, o[1])
		}
	}
	if m := bindingInputRE.FindStringSubmatch(body); m != nil {
		v := html.UnescapeString(m[1])
		bf.Input = &v
	}
	for _, m := range matchLinkRE.FindAllStringSubmatch(body, -1) {
		bf.Matches = append(bf.Matches, html.UnescapeString(m[1]))
	}
	return bf
}

func ptr(s string) *string { return &s }

// TestSyncBindingFilterSelect: a merchant or a small agency picks the
// binding from a select of exactly the bindings they can see.
func TestSyncBindingFilterSelect(t *testing.T) {
	f := setup(t)
	agency(f, bindingSelectMax-2) // the admin sees 2 + 48 = 50: still a select
	for _, tt := range []struct {
		email, query string
		want         bindingForm
	}{
		{"alice@example.com", "", bindingForm{Select: []string{"10"}}},
		{"bob@example.com", "?binding=20", bindingForm{Select: []string{"20"}}},
		{"admin@example.com", "", bindingForm{Select: append([]string{"10", "20"}, idStrings(span(1001, 1048))...)}},
	} {
		p := f.browser().login(tt.email).get("/dashboard/sync" + tt.query)
		if d := cmp.Diff(tt.want, parseBindingForm(p.body)); d != "" {
			t.Errorf("%s %s binding form (-want +got):\n%s", tt.email, tt.query, d)
		}
	}
}

// TestSyncBindingFilterSearch: past bindingSelectMax visible bindings the
// select becomes a text field; an id or a search that names one binding
// filters on it, an ambiguous one offers links to choose from and lists no
// runs, and a search for nothing says so.
func TestSyncBindingFilterSearch(t *testing.T) {
	f := setup(t)
	agency(f, 60) // the admin sees 62
	f.st.mu.Lock()
	f.st.runs[300] = &domain.SyncRun{ID: 300, TenantID: "tenant-m007", BindingID: 1007, Event: domain.EventInvoiceCreated, MagentoID: 7, Status: domain.RunSucceeded, CreatedAt: f.clock.Now()}
	f.st.mu.Unlock()
	admin := f.browser().login("admin@example.com")
	const notQueried = -1
	matches := func(ids ...uint64) []string {
		var out []string
		for _, id := range ids {
			out = append(out, "/dashboard/sync?binding="+strconv.FormatUint(id, 10))
		}
		return out
	}
	for _, tt := range []struct {
		query     string
		form      bindingForm
		filter    RunFilter // Limit notQueried: no runs listed
		want, not []string
	}{
		{"", bindingForm{Input: ptr("")}, RunFilter{Limit: syncPageSize + 1}, []string{">#100<", ">#300<"}, []string{"shop001.example.com"}},
		{"?binding=1007", bindingForm{Input: ptr("1007")}, RunFilter{BindingID: 1007, Limit: syncPageSize + 1}, []string{">#300<"}, []string{">#100<"}},
		{"?binding=+SHOP007.example+", bindingForm{Input: ptr("SHOP007.example")}, RunFilter{BindingID: 1007, Limit: syncPageSize + 1}, []string{">#300<"}, []string{">#100<"}},
		{"?binding=Alice+Ltd", bindingForm{Input: ptr("Alice Ltd")}, RunFilter{BindingID: 10, Limit: syncPageSize + 1}, []string{">#100<"}, []string{">#300<"}},
		{"?binding=tenant-m012", bindingForm{Input: ptr("tenant-m012")}, RunFilter{BindingID: 1012, Limit: syncPageSize + 1}, nil, []string{">#100<"}},
		{"?binding=org+01", bindingForm{Input: ptr("org 01"), Matches: matches(span(1010, 1019)...)}, RunFilter{Limit: notQueried},
			[]string{"10 connections match “org 01”", "#1010 shop010.example.com ↔ Org 010"}, []string{">#100<", ">#300<"}},
		{"?status=failed&binding=org+05", bindingForm{Input: ptr("org 05"), Matches: []string{
			"/dashboard/sync?binding=1050&status=failed", "/dashboard/sync?binding=1051&status=failed", "/dashboard/sync?binding=1052&status=failed",
			"/dashboard/sync?binding=1053&status=failed", "/dashboard/sync?binding=1054&status=failed", "/dashboard/sync?binding=1055&status=failed",
			"/dashboard/sync?binding=1056&status=failed", "/dashboard/sync?binding=1057&status=failed", "/dashboard/sync?binding=1058&status=failed",
			"/dashboard/sync?binding=1059&status=failed"}}, RunFilter{Limit: notQueried}, nil, nil},
		{"?binding=example", bindingForm{Input: ptr("example"), Matches: matches(append([]uint64{10, 20}, span(1001, 1018)...)...)}, RunFilter{Limit: notQueried},
			[]string{"62 connections match", "42 more match; narrow the search."}, []string{">#100<"}},
		{"?binding=nowhere", bindingForm{Input: ptr("nowhere")}, RunFilter{Limit: notQueried},
			[]string{"No connection matches “nowhere”"}, []string{">#100<", ">#300<"}},
		{"?binding=999999", bindingForm{Input: ptr("999999")}, RunFilter{Limit: notQueried},
			[]string{"No connection you can see has number 999999"}, []string{">#100<", ">#300<"}},
	} {
		t.Run(tt.query, func(t *testing.T) {
			f.st.mu.Lock()
			f.st.lastRunFilter = RunFilter{Limit: notQueried}
			f.st.mu.Unlock()
			p := admin.get("/dashboard/sync" + tt.query)
			if p.code != 200 {
				t.Fatalf("status %d", p.code)
			}
			if d := cmp.Diff(tt.form, parseBindingForm(p.body)); d != "" {
				t.Errorf("binding form (-want +got):\n%s", d)
			}
			f.st.mu.Lock()
			got := f.st.lastRunFilter
			f.st.mu.Unlock()
			if d := cmp.Diff(tt.filter, got); d != "" {
				t.Errorf("run filter (-want +got):\n%s", d)
			}
			for _, s := range tt.want {
				if !strings.Contains(p.body, s) {
					t.Errorf("lacks %q", s)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(p.body, s) {
					t.Errorf("shows %q", s)
				}
			}
		})
	}
	// A merchant among them still sees a select of their own binding.
	if got := parseBindingForm(f.browser().login("alice@example.com").get("/dashboard/sync").body); got.Input != nil {
		t.Errorf("alice has a text field: %+v", got)
	}
}

// TestSyncBindingFilterPageWeight: with 1 000 bindings the Sync history
// page no longer carries them all.
func TestSyncBindingFilterPageWeight(t *testing.T) {
	f := setup(t)
	agency(f, 1000)
	p := f.browser().login("admin@example.com").get("/dashboard/sync")
	if n := strings.Count(p.body, "example.com ↔"); n != 0 {
		t.Errorf("the page lists %d bindings", n)
	}
	if len(p.body) > 32<<10 {
		t.Errorf("Sync history with 1 000 bindings is %d bytes", len(p.body))
	}
}

func idStrings(ids []uint64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprint(id)
	}
	return out
}

// FuzzResolveBindingFilter: whatever the query, the filter names a visible
// binding found by id or by a search, or offers at most bindingMatchMax
// choices, or says nothing matched — never two of these at once.
func FuzzResolveBindingFilter(f *testing.F) {
	for _, s := range []string{"", "1007", "shop007", "ORG 01", "example", " ", "\x00", "18446744073709551616", "-1", "é"} {
		f.Add(s)
	}
	var vis []visibleBinding
	for i := 1; i <= 60; i++ {
		tid := fmt.Sprintf("tenant-m%03d", i)
		vis = append(vis, visibleBinding{
			T: &domain.Tenant{ID: tid, MagentoURL: fmt.Sprintf("https://shop%03d.example.com", i)},
			B: &domain.Binding{ID: uint64(1000 + i), TenantID: tid, XeroOrgName: fmt.Sprintf("Org %03d", i)},
		})
	}
	f.Fuzz(func(t *testing.T, q string) {
		bf := resolveBindingFilter(vis, q)
		if !bf.Search || bf.Options != nil {
			t.Fatalf("60 bindings: search=%v options=%d", bf.Search, len(bf.Options))
		}
		outcomes := 0
		for _, b := range []bool{bf.ID != 0, len(bf.Matches) > 0, bf.Error != ""} {
			if b {
				outcomes++
			}
		}
		if outcomes > 1 || len(bf.Matches) > bindingMatchMax || (bf.More > 0 && len(bf.Matches) != bindingMatchMax) {
			t.Fatalf("%q: %+v", q, bf)
		}
		if strings.TrimSpace(q) == "" && outcomes != 0 {
			t.Fatalf("empty query filters: %+v", bf)
		}
		if len(bf.Matches) == 1 {
			t.Fatalf("%q: one match offered instead of filtering: %+v", q, bf)
		}
	})
}
