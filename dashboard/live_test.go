package dashboard

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"ledger/domain"
)

// regions parses a page and returns its live marker (main's data-live),
// the Refresh link, whether it has a polite status line, and the inner
// HTML of each data-live-region by name.
type liveMarkup struct {
	Live, Refresh string
	Status        bool
	Regions       map[string]string
}

func parseLive(t *testing.T, body string) liveMarkup {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	m := liveMarkup{Regions: map[string]string{}}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			a := map[string]string{}
			has := map[string]bool{}
			for _, at := range n.Attr {
				a[at.Key], has[at.Key] = at.Val, true
			}
			switch {
			case n.Data == "main":
				m.Live = a["data-live"]
			case n.Data == "a" && n.FirstChild != nil && n.FirstChild.Data == "Refresh":
				m.Refresh = a["href"]
			case has["data-live-status"]:
				m.Status = a["aria-live"] == "polite"
			}
			if name, ok := a["data-live-region"]; ok {
				if _, dup := m.Regions[name]; dup {
					t.Errorf("two regions named %q", name)
				}
				var b strings.Builder
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					_ = html.Render(&b, c)
				}
				m.Regions[name] = b.String()
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return m
}

// TestLiveMarkup: Sync history and home are marked live, with a Refresh
// link to the very URL (filters kept) and a polite status line; other
// pages are not.
func TestLiveMarkup(t *testing.T) {
	f := setup(t)
	admin := f.browser().login("admin@example.com")
	for _, tt := range []struct {
		path    string
		live    string
		regions []string
	}{
		{"/dashboard", "15", []string{"tiles"}},
		{"/dashboard/sync", "5", []string{"runs"}},
		{"/dashboard/sync?status=failed&binding=10", "5", []string{"runs"}},
		{"/dashboard/sync?magento_id=nope", "5", []string{"runs"}},
		{"/dashboard/bindings", "", nil},
		{"/dashboard/bindings/10", "", nil},
		{"/dashboard/sync/100", "", nil},
		{"/dashboard/bindings/10/settings", "", nil},
	} {
		m := parseLive(t, admin.get(tt.path).body)
		var names []string
		for n := range m.Regions {
			names = append(names, n)
		}
		want := liveMarkup{Live: tt.live, Status: tt.live != ""}
		if tt.live != "" {
			want.Refresh = tt.path
		}
		got := liveMarkup{Live: m.Live, Refresh: m.Refresh, Status: m.Status}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("GET %s live markup (-want +got):\n%s", tt.path, d)
		}
		if d := cmp.Diff(tt.regions, names); d != "" {
			t.Errorf("GET %s regions (-want +got):\n%s", tt.path, d)
		}
	}
	if m := parseLive(t, f.browser().get("/login").body); m.Live != "" {
		t.Error("the login page is live")
	}
}

// TestLiveRegionsFollowState: what app.js swaps in is the region of a
// later fetch of the same URL: a run that succeeds shows there, the filter
// form is never inside a region (it would lose what the user types), and a
// home tile's counts move.
func TestLiveRegionsFollowState(t *testing.T) {
	f := setup(t)
	alice := f.browser().login("alice@example.com")
	const u = "/dashboard/sync?binding=10"
	before := parseLive(t, alice.get(u).body).Regions["runs"]
	home := parseLive(t, alice.get("/dashboard").body).Regions["tiles"]
	if !strings.Contains(before, "#100") || !strings.Contains(before, ">failed<") {
		t.Fatalf("the runs region lacks run 100 failing:\n%s", before)
	}
	if strings.Contains(before, "<form method=\"get\"") || strings.Contains(before, "<select") {
		t.Error("the filter form is inside the live region")
	}
	f.st.mu.Lock()
	f.st.runs[100].Status = domain.RunSucceeded
	f.st.runs[100].ErrorMessage = ""
	f.st.runs[102] = &domain.SyncRun{ID: 102, TenantID: "tenant-a", BindingID: 10, Event: domain.EventInvoiceCreated, MagentoID: 44,
		Status: domain.RunQueued, CreatedAt: f.clock.Now()}
	f.st.mu.Unlock()
	after := parseLive(t, alice.get(u).body).Regions["runs"]
	if after == before {
		t.Fatal("the runs region did not change")
	}
	for _, want := range []string{"#102", ">queued<", ">succeeded<"} {
		if !strings.Contains(after, want) {
			t.Errorf("the refetched runs region lacks %q", want)
		}
	}
	if strings.Contains(after, ">failed<") {
		t.Error("the refetched runs region still shows run 100 failed")
	}
	if next := parseLive(t, alice.get("/dashboard").body).Regions["tiles"]; next == home {
		t.Error("the home tiles did not change with a new queued run")
	}
}
