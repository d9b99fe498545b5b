package dashboard

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"ledger/domain"
)

type homeTile struct {
	ID                   uint64
	MagentoHost, OrgName string
	// StoreHost and StorePort title the tile: the store's host name
	// without "www.", and its port only when the URL names one.
	StoreHost, StorePort string
	StatusLabel          string
	StatusClass          string
	NeedsReauth          bool
	Pending, Failed24h   int
	LastSync             string
	Chart                template.HTML
}

type pendingPrompt struct {
	ID          uint64
	MagentoHost string
}

type homeData struct {
	PromptPair bool
	Pending    []pendingPrompt
	Tiles      []homeTile
	// Total is how many bindings the user may see; when it exceeds
	// homeTileLimit the page shows the first ones and a link to them all.
	Total    int
	ShowAll  bool
	MorePend int // pending prompts left out
}

const (
	chartDays = 30
	// homeTileLimit caps the tiles (and the connect prompts) on the home
	// page; an agency's other bindings are one link away, paged.
	homeTileLimit = 12
	// homeLiveSeconds is how often app.js refreshes the tiles.
	homeLiveSeconds = 15
)

// handleHome shows the first-run prompts and one health tile per binding.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	vis, err := s.visibleBindings(c)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	now := s.cfg.Now()
	d := homeData{PromptPair: len(vis) == 0, Total: len(vis), ShowAll: len(vis) > homeTileLimit}
	for _, v := range vis {
		if v.B.Status == domain.BindingPendingOAuth {
			if len(d.Pending) < homeTileLimit {
				d.Pending = append(d.Pending, pendingPrompt{ID: v.B.ID, MagentoHost: v.MagentoHost()})
			} else {
				d.MorePend++
			}
		}
	}
	if len(vis) > homeTileLimit {
		vis = vis[:homeTileLimit]
	}
	for _, v := range vis {
		t := homeTile{ID: v.B.ID, MagentoHost: v.MagentoHost(), OrgName: v.OrgName(),
			NeedsReauth: v.B.Status == domain.BindingNeedsReauth, LastSync: "never"}
		t.StoreHost, t.StorePort = storeHost(v.T.MagentoURL)
		t.StatusLabel, t.StatusClass = bindingStatus(v.B.Status)
		t.LastSync = agoOrNever(now, v.B.LastSyncAt)
		if st, err := s.store.RunStats(v.B.ID); err == nil {
			t.Pending, t.Failed24h = st.Pending, st.Failed24h
		} else {
			s.cfg.Logger.Warn("dashboard: run stats", "binding", v.B.ID, "err", err)
		}
		days, err := s.store.DailyCounts(v.B.ID, chartDays)
		if err != nil {
			s.cfg.Logger.Warn("dashboard: daily counts", "binding", v.B.ID, "err", err)
		}
		t.Chart = chartSVG(days)
		d.Tiles = append(d.Tiles, t)
	}
	s.render(w, r, http.StatusOK, "home", view{Title: "Home", User: c.user, CSRF: c.sess.CSRF, Nav: "home",
		Live: homeLiveSeconds, Self: r.URL.RequestURI(), Data: d})
}

// storeHost splits a store's base URL into the host name a merchant knows
// (shop.example.com for https://www.shop.example.com/) and the port, when
// the URL names one; a URL that does not parse is shown as it is.
func storeHost(raw string) (host, port string) {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return raw, ""
	}
	return strings.TrimPrefix(u.Hostname(), "www."), u.Port()
}
