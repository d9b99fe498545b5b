package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSyncHistoryLive: with Sync history open in a real Chromium, an
// invoice the store publishes shows up and reaches "succeeded" without a
// reload — app.js swaps the runs region in place; the filter the user has
// focused keeps focus and the polite status line says it updated.
func TestSyncHistoryLive(t *testing.T) {
	if chromiumPath() == "" {
		t.Skip("chromium is not installed (apt-get install chromium); .ci/run installs it so CI runs these browser tests")
	}
	s := startStack(t)
	b := &tab{t: t, ctx: newChrome(t), dir: screenshotDir(t), s: s}
	b.do("log in", login(s.base, browserEmail, browserPassword))
	b.waitText("main", "Pair your Magento store")
	for _, st := range []struct {
		name string
		f    func(*tab)
	}{{"pair Magento", (*tab).pair}, {"connect Xero", (*tab).connectXero}, {"settings", (*tab).settings}} {
		if !t.Run(st.name, func(t *testing.T) { b.t = t; st.f(b) }) {
			t.Fatalf("step %q failed", st.name)
		}
	}
	b.t = t

	// Open Sync history, mark this document (a reload would lose the mark)
	// and put focus in the filter form, outside the live region.
	b.do("open sync history",
		chromedp.Navigate(s.base+"/dashboard/sync"),
		chromedp.WaitVisible(chromedp.CSS(`main[data-live] [data-live-region="runs"]`)),
		chromedp.Evaluate[chromedp.Void](`window.ledgerNoReload = "same document"; document.querySelector("#magento_id").focus()`))
	b.waitText(`[data-live-region="runs"]`, "No sync runs match.")
	b.shot("live-01-empty")

	b.publishInvoice(3001, "GBP")
	if err := waitText(b.ctx, `[data-live-region="runs"] table`, "succeeded", waitFor); err != nil {
		b.shot("fail-live")
		t.Fatalf("the run never reached succeeded in place: %v (region shows %q)", err, b.text(`[data-live-region="runs"]`))
	}
	b.shot("live-02-succeeded")
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[
	  String(window.ledgerNoReload),
	  document.activeElement ? document.activeElement.id : "",
	  document.querySelector("[data-live-status]").getAttribute("aria-live"),
	  document.querySelector("[data-live-status]").textContent,
	  document.querySelector('[data-live-region="runs"] table').innerText
	]`))
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "same document" {
		t.Errorf("the page was reloaded (mark %q)", got[0])
	}
	if got[1] != "magento_id" {
		t.Errorf("focus moved to %q, want #magento_id", got[1])
	}
	if got[2] != "polite" || len(got[3]) < len("Updated ") || got[3][:len("Updated ")] != "Updated " {
		t.Errorf("status line aria-live=%q says %q, want polite \"Updated …\"", got[2], got[3])
	}
	t.Logf("runs table after the live update: %q", got[4])

}
