package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/shopspring/decimal"

	"ledger/domain"
	"ledger/magento"
	"ledger/magento/magentotest"
	"ledger/xero/xerotest"
)

// TestDashboardInBrowser walks a merchant through the dashboard in a real
// Chromium against ledger wired as `ledger serve` with the fake Magento and
// Xero: log in, pair, connect Xero, settings, a synced invoice, a failed
// run retried, every page reviewed at desktop and phone width, the embed
// inside the Magento admin, and disconnect. Each step leaves screenshots in
// $LEDGER_SCREENSHOTS (or a temp dir).
func TestDashboardInBrowser(t *testing.T) {
	if chromiumPath() == "" {
		t.Skip("chromium is not installed (apt-get install chromium); .ci/run installs it so CI runs these browser tests")
	}
	s := startStack(t)
	ctx := newChrome(t)
	b := &tab{t: t, ctx: ctx, dir: screenshotDir(t), s: s}
	steps := []struct {
		name string
		f    func(*tab)
	}{
		{"login", (*tab).login},
		{"pair Magento", (*tab).pair},
		{"connect Xero", (*tab).connectXero},
		{"settings", (*tab).settings},
		{"invoice synced", (*tab).invoiceSynced},
		{"retry failed run", (*tab).retryFailed},
		{"review every page at desktop and phone width", (*tab).reviewPages},
		{"embed in Magento admin", (*tab).embed},
		{"disconnect", (*tab).disconnect},
	}
	for _, st := range steps {
		if !t.Run(st.name, func(t *testing.T) { b.t = t; st.f(b) }) {
			t.Fatalf("step %q failed; later steps depend on it", st.name)
		}
	}
}

// tab is the browser tab and what the steps learn along the way.
type tab struct {
	t       *testing.T
	ctx     context.Context
	dir     string
	s       *stack
	binding uint64
}

const waitFor = 20 * time.Second

// do runs actions and fails the step (with a screenshot) on an error.
func (b *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.shot("fail-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("%s: %v", what, err)
	}
}

// waitText fails the step unless sel shows want within waitFor.
func (b *tab) waitText(sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(waitFor)
	err := waitText(b.ctx, sel, want, waitFor)
	for err != nil && navigating(err) && time.Now().Before(deadline) {
		// A poll started before a form's or a link's navigation ends with
		// it; poll again on the new page.
		err = waitText(b.ctx, sel, want, time.Until(deadline))
	}
	if err != nil {
		b.shot("fail-wait")
		b.t.Fatalf("%s never showed %q: %v (it shows %q)", sel, want, err, b.text(sel))
	}
}

// navigating reports an error of a page that went away under a command,
// or of a frame whose new document has no execution context yet (Chrome
// answers -32602 "Either objectId or executionContextId … must be
// specified" while an iframe is between two documents).
func navigating(err error) bool {
	m := err.Error()
	return strings.Contains(m, "navigated or closed") || strings.Contains(m, "Not attached") ||
		strings.Contains(m, "context was destroyed") || strings.Contains(m, "Cannot find context") ||
		strings.Contains(m, "executionContextId")
}

func (b *tab) text(sel string) string {
	s, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => { const e = document.querySelector(`+jsString(sel)+`); return e ? e.innerText : "(absent)"; })()`))
	return s
}

func (b *tab) shot(name string) { b.t.Helper(); shot(b.t, b.ctx, b.dir, name) }

// reloadUntil reloads a server-rendered page until sel shows want: the
// page has no live updates, so a reload is the way to see new state. Each
// round waits for the page to load; the loop ends at waitFor.
func (b *tab) reloadUntil(u, sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(waitFor)
	b.do("open "+u, chromedp.Navigate(u))
	for !hasText(b.ctx, sel, want) {
		if time.Now().After(deadline) {
			b.shot("fail-reload")
			b.t.Fatalf("%s never showed %q on %s; it shows %q", sel, want, u, b.text(sel))
		}
		b.do("reload", chromedp.Reload())
	}
}

// checkPage asserts the cheap accessibility rules on the current page:
// every form control has a label, and there is exactly one h1.
func (b *tab) checkPage(name string) {
	b.t.Helper()
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`(() => {
	  const bad = [];
	  for (const e of document.querySelectorAll("input, select, textarea")) {
	    if (e.type === "hidden") continue;
	    const named = (e.labels && e.labels.length) || e.getAttribute("aria-label") || e.getAttribute("aria-labelledby");
	    if (!named) bad.push(e.outerHTML.slice(0, 80));
	  }
	  if (document.querySelectorAll("h1").length !== 1) bad.push("h1 count " + document.querySelectorAll("h1").length);
	  if (!document.documentElement.lang) bad.push("no lang");
	  return bad;
	})()`))
	if err != nil {
		b.t.Fatalf("%s: accessibility check: %v", name, err)
	}
	if len(got) > 0 {
		b.t.Errorf("%s: controls without a label (or heading problems): %q", name, got)
	}
}

// focusVisible tabs to the next control and checks it shows an outline.
func (b *tab) focusVisible(name string) {
	b.t.Helper()
	b.do("tab", chromedp.KeyEvent(kb.Tab))
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => {
	  const e = document.activeElement; const s = getComputedStyle(e);
	  return e.tagName + " " + (e.getAttribute("href") || e.id || "") + "|" + s.outlineStyle + "|" + s.outlineWidth;
	})()`))
	if err != nil {
		b.t.Fatal(err)
	}
	parts := strings.Split(got, "|")
	if len(parts) != 3 || parts[1] == "none" || parts[2] == "0px" || strings.HasPrefix(parts[0], "BODY") {
		b.t.Errorf("%s: keyboard focus is not visible: %s", name, got)
	}
}

// 1. A wrong password shows the error; the right one lands on the home
// page with the first-run prompt.
func (b *tab) login() {
	base := b.s.base
	b.do("open login", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS(`#email`)))
	b.checkPage("login")
	b.focusVisible("login")
	b.audit("login", map[string]bool{}, desktopWidth)
	b.atPhoneWidth(func() { b.audit("login (phone)", map[string]bool{}, phoneWidth); b.shot("01-login-phone") })
	b.do("wrong password",
		chromedp.SendKeys(chromedp.CSS(`#email`), browserEmail),
		chromedp.SendKeys(chromedp.CSS(`#password`), "not the password"),
		chromedp.Submit(chromedp.CSS(`#password`)))
	b.waitText(".error", "Email or password is incorrect.")
	b.shot("01-login-wrong-password")
	b.do("log in", login(base, browserEmail, browserPassword))
	b.waitText("main", "Pair your Magento store")
	b.checkPage("home")
	b.shot("01-home-first-run")
}

// 2. Pair the fake store through the connect-magento form.
func (b *tab) pair() {
	b.do("open connect-magento", chromedp.Click(chromedp.CSS(`.prompt a.button`)), chromedp.WaitVisible(chromedp.CSS(`#magento_url`)))
	b.checkPage("connect-magento")
	b.do("fill pairing form",
		chromedp.SendKeys(chromedp.CSS(`#magento_url`), b.s.admin),
		chromedp.SendKeys(chromedp.CSS(`#code`), b.s.mg.GeneratePairingCode()))
	b.shot("02-pair-form")
	b.do("submit pairing form", chromedp.Submit(chromedp.CSS(`#code`)))
	b.waitText(".banner", "Xero not connected yet")
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	id, err := strconv.ParseUint(loc[strings.LastIndexByte(loc, '/')+1:], 10, 64)
	if err != nil {
		b.t.Fatalf("after pairing the browser is at %s, want /dashboard/bindings/{id}", loc)
	}
	b.binding = id
	tenant, _, learnt := b.s.mg.Credentials()
	if tenant == "" || learnt != b.s.base {
		b.t.Fatalf("the store learnt tenant %q and ledger URL %q, want a tenant and %s", tenant, learnt, b.s.base)
	}
	b.s.tenant.Store(&tenant)
	b.checkPage("binding pending")
	b.shot("02-binding-xero-not-connected")
}

// 3. Connect Xero with the banner's button; the fake consents at once.
func (b *tab) connectXero() {
	b.do("click connect", chromedp.Click(chromedp.CSS(`.banner a`)))
	b.waitText("h1", "Demo Ltd")
	b.waitText("dl.stats", "Active")
	b.waitText("main", "Updated")
	if hasText(b.ctx, "main", "Xero not connected yet") {
		b.t.Error("the banner is still shown after connecting")
	}
	bd, err := b.s.app.DB.Binding(b.binding)
	if err != nil || bd.Status != domain.BindingActive {
		b.t.Fatalf("binding after connect: %+v %v", bd, err)
	}
	b.shot("03-binding-active")
}

// 4. Settings: an out-of-range value is refused next to its field; a valid
// save persists and shows after a reload.
func (b *tab) settings() {
	u := fmt.Sprintf("%s/dashboard/bindings/%d/settings", b.s.base, b.binding)
	terms := chromedp.CSS(`#f-default_xero_payment_terms_days`)
	b.do("open settings", chromedp.Navigate(u), chromedp.WaitVisible(terms))
	b.checkPage("settings")
	b.do("invalid terms", chromedp.SetValue(terms, "999"), chromedp.Submit(terms))
	b.waitText("#e-default_xero_payment_terms_days", "out_of_range")
	b.waitText(".errors", "Nothing was saved: 1 setting needs fixing.")
	if got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.activeElement.className`)); err != nil || got != "errors" {
		b.t.Errorf("after a refused save the focus is on %q (%v), want the error summary", got, err)
	}
	b.do("follow the summary's link", chromedp.Click(chromedp.CSS(`.errors a[href="#f-default_xero_payment_terms_days"]`)))
	b.do("scroll to the error", chromedp.ScrollIntoView(chromedp.CSS(`#e-default_xero_payment_terms_days`)))
	b.shot("04-settings-out-of-range")

	b.do("valid settings",
		chromedp.WaitVisible(terms),
		chromedp.SetValue(terms, "30"),
		chromedp.SetValue(chromedp.CSS(`#f-default_xero_revenue_account_code`), xerotest.RevenueAccountCode),
		chromedp.SetValue(chromedp.CSS(`#f-default_xero_tax_type`), "OUTPUT2"),
		chromedp.Submit(terms))
	b.waitText(".flash", "")
	if hasText(b.ctx, "main", "Nothing was saved") {
		b.t.Fatalf("valid settings refused: %s", b.text(".errors"))
	}
	b.do("reload settings", chromedp.Navigate(u), chromedp.WaitVisible(terms))
	for sel, want := range map[string]string{
		`#f-default_xero_payment_terms_days`:   "30",
		`#f-default_xero_revenue_account_code`: xerotest.RevenueAccountCode,
		`#f-default_xero_tax_type`:             "OUTPUT2",
	} {
		got, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel)))
		if err != nil || got != want {
			b.t.Errorf("after a reload %s = %q (%v), want %q", sel, got, err, want)
		}
	}
	bd, _ := b.s.app.DB.Binding(b.binding)
	if bd == nil || bd.Policy.PaymentTermsDays == nil || *bd.Policy.PaymentTermsDays != 30 {
		b.t.Errorf("stored policy: %+v", bd.Policy)
	}
	b.shot("04-settings-saved")
}

// 5. An invoice published by the store reaches Xero; its row turns
// "succeeded" and its timeline opens.
func (b *tab) invoiceSynced() {
	b.publishInvoice(2001, "GBP")
	b.reloadUntil(b.s.base+"/dashboard/sync?magento_id=2001", "table", "succeeded")
	b.checkPage("sync history")
	b.shot("05-sync-history-succeeded")
	b.do("open run", chromedp.Click(chromedp.CSS(`table td a`)))
	b.waitText("h1", "Sync run #")
	b.waitText("ol.timeline", "ok")
	b.waitText("dl.stats", "000002001") // the Xero invoice, numbered as in Magento
	b.shot("05-run-timeline")
	if n := len(b.s.xs.Invoices(b.s.xs.Organisations()[0])); n != 1 {
		b.t.Errorf("Xero holds %d invoices, want 1", n)
	}
}

// 6. A EUR invoice fails while EUR is not enabled in Xero, with the reason
// on the row; after enabling EUR, Retry syncs it.
func (b *tab) retryFailed() {
	b.publishInvoice(2002, "EUR")
	b.reloadUntil(b.s.base+"/dashboard/sync?magento_id=2002", "table", "failed")
	msg := b.text("table .field-error")
	b.t.Logf("failed run says: %s", msg)
	if !strings.Contains(msg, "EUR") {
		b.t.Errorf("the failed run's message %q does not name the currency", msg)
	}
	b.shot("06-sync-history-failed")
	b.s.xs.EnableCurrency(b.s.xs.Organisations()[0], "EUR")
	b.do("retry", chromedp.Click(chromedp.CSS(`table form.inline button`)))
	b.waitText("h1", "Sync run #")
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	b.reloadUntil(loc, "dl.stats", "succeeded")
	b.shot("06-run-retried-succeeded")
	b.pageWeight()
}

// publishInvoice registers a one-line invoice in the store and publishes
// invoice.created as the Byte8 outbox would.
func (b *tab) publishInvoice(id int64, currency string) {
	b.t.Helper()
	b.s.mg.AddInvoice(simpleInvoice(id, currency))
	payload, _ := json.Marshal(map[string]string{"increment_id": fmt.Sprintf("%09d", id)})
	env := domain.Envelope{MagentoEntityID: id, WebsiteID: 1, StoreID: 1, OccurredAt: time.Now().UTC().Format(time.RFC3339), Payload: payload}
	status, body, err := b.s.mg.Publish(context.Background(), "", domain.EventInvoiceCreated, env)
	if err != nil || status/100 != 2 {
		b.t.Fatalf("publish invoice %d: %d %s %v", id, status, body, err)
	}
}

// simpleInvoice is two mugs at 10.00 with 20 % VAT: 24.00, paid.
func simpleInvoice(id int64, currency string) magento.Invoice {
	d := decimal.RequireFromString
	g := magentotest.Guest(fmt.Sprintf("buyer%d@example.com", id), "Ada", "Lovelace")
	bill := g.Addresses[0]
	bill.Kind = "billing"
	rate, simple, method, one := d("0.2"), "simple", magentotest.ShopPaidMethod, d("1")
	inc := fmt.Sprintf("%09d", id)
	return magento.Invoice{
		MagentoID: id, IncrementID: inc, OrderID: id, OrderIncrementID: inc, WebsiteID: 1, StoreID: 1,
		Currency: currency, State: "paid", Customer: g,
		Lines: []magento.Line{{SKU: "MUG-01", Name: "Enamel Mug", Qty: d("2"), UnitPrice: d("10"), LineSubtotal: d("20"),
			LineTax: d("4"), LineTotal: d("24"), TaxRate: &rate, ProductType: &simple}},
		Subtotal: d("20"), TaxAmount: d("4"), ShippingAmount: d("0"), ShippingTaxAmount: d("0"),
		DiscountAmount: d("0"), GrandTotal: d("24"), CreatedAt: time.Now().UTC().Format(time.RFC3339),
		PaymentMethod: &method, BillingAddress: &bill, BaseToOrderRate: &one,
	}
}

// 7. The embed inside the store's admin page: log in inside the frame and
// see the history. A page of another origin cannot frame it (CSP
// frame-ancestors): the frame stays empty and the console says why.
func (b *tab) embed() {
	b.do("log out", chromedp.Navigate(b.s.base+"/dashboard"), chromedp.Click(chromedp.CSS(`header form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#password`)))
	b.do("open the Magento admin", chromedp.Navigate(b.s.admin+"/admin/xero/sync"), chromedp.WaitVisible(chromedp.CSS(`iframe`)))
	b.pollFrame(`!!document.querySelector("#password")`)
	frame := b.frame()
	b.shot("07-embed-login")
	b.do("log in inside the frame",
		chromedp.SendKeys(chromedp.CSS(`#email`), browserEmail, chromedp.FromNode(frame)),
		chromedp.SendKeys(chromedp.CSS(`#password`), browserPassword, chromedp.FromNode(frame)),
		chromedp.Submit(chromedp.CSS(`#password`), chromedp.FromNode(frame)))
	b.pollFrame(`!!document.querySelector("table") && document.body.innerText.includes("succeeded")`)
	b.shot("07-embed-history")

	msgs := chromedp.Console(b.ctx)
	b.do("open a foreign page", chromedp.Navigate(b.s.foreign+"/admin/xero/sync"), chromedp.WaitVisible(chromedp.CSS(`iframe`)))
	cctx, cancel := context.WithTimeout(b.ctx, waitFor)
	defer cancel()
	refused := false
	for m, err := range msgs {
		if err != nil || cctx.Err() != nil {
			break
		}
		if strings.Contains(m.Text, "frame-ancestors") {
			b.t.Logf("console: %s", m.Text)
			refused = true
			break
		}
	}
	if !refused {
		b.t.Error("no frame-ancestors refusal in the console for a foreign origin")
	}
	frame = b.frame()
	got, err := chromedp.Run(b.ctx, chromedp.Nodes(chromedp.CSS(`#password, table`), chromedp.FromNode(frame), chromedp.AtLeast(0)))
	if err != nil || len(got) != 0 {
		b.t.Errorf("the foreign page's frame shows ledger content (%d nodes, %v)", len(got), err)
	}
	b.shot("07-embed-foreign-blocked")
}

func (b *tab) frame() *chromedp.Node {
	b.t.Helper()
	nodes, err := chromedp.Run(b.ctx, chromedp.Nodes(chromedp.CSS(`iframe`)))
	if err != nil || len(nodes) == 0 {
		b.t.Fatalf("no iframe: %v", err)
	}
	return nodes[0]
}

// pollFrame waits until expr holds inside the page's iframe, following
// the frame's navigations.
func (b *tab) pollFrame(expr string) {
	b.t.Helper()
	deadline := time.Now().Add(waitFor)
	var err error
	for {
		_, err = chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInFrame(b.frame()),
			chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil || !navigating(err) || time.Now().After(deadline) {
			break
		}
		// The frame is between documents: ask again once it had a moment
		// to create its new context, not in a hot loop.
		select {
		case <-b.ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err != nil {
		b.shot("fail-frame")
		b.t.Fatalf("inside the frame, %s never held: %v", expr, err)
	}
}

// 8. Disconnect: the confirmation says what goes and what stays; confirming
// revokes the binding.
func (b *tab) disconnect() {
	b.do("log in again", login(b.s.base, browserEmail, browserPassword))
	u := fmt.Sprintf("%s/dashboard/bindings/%d", b.s.base, b.binding)
	b.do("open binding", chromedp.Navigate(u), chromedp.Click(chromedp.CSS(`a[href$="/disconnect"]`)))
	b.waitText("main", "What gets removed")
	b.waitText("main", "What stays")
	b.checkPage("disconnect")
	b.shot("08-disconnect-confirm")
	b.do("confirm", chromedp.Click(chromedp.CSS(`button.danger`)))
	b.waitText("dl.stats", "Disconnected")
	bd, err := b.s.app.DB.Binding(b.binding)
	if err != nil || bd.Status != domain.BindingRevoked {
		b.t.Errorf("binding after disconnect: %v %v", bd, err)
	}
	b.shot("08-binding-disconnected")
}

// pageWeight logs the bytes of the dashboard home: HTML, CSS and JS.
func (b *tab) pageWeight() {
	b.do("open home", chromedp.Navigate(b.s.base+"/dashboard"), chromedp.WaitVisible(chromedp.CSS(`main`)))
	b.shot("09-home")
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]int](`Promise.all(["/dashboard", "/static/app.css", "/static/app.js"].map(u => fetch(u).then(r => r.arrayBuffer()).then(a => a.byteLength)))`, chromedp.EvalAwaitPromise))
	if err != nil || len(got) != 3 {
		b.t.Fatalf("page weight: %v", err)
	}
	b.t.Logf("dashboard home weight: HTML %d + CSS %d + JS %d = %d bytes", got[0], got[1], got[2], got[0]+got[1]+got[2])
}

// Phone width: an iPhone 12–15 in portrait, CSS pixels.
const phoneWidth, phoneHeight = 390, 844

// atPhoneWidth runs f with the viewport at phone width, then back at the
// desktop size (headless Chromium keeps the emulated size after
// EmulateReset, so the desktop size is set again explicitly).
func (b *tab) atPhoneWidth(f func()) {
	b.t.Helper()
	b.do("phone width", chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateScale(1)))
	defer b.do("desktop width", chromedp.EmulateViewport(desktopWidth, desktopHeight, chromedp.EmulateScale(1)))
	f()
}

// audit checks the current page as a reader would meet it: a title of its
// own ("… · ledger", not seen on another page of titles), nothing wider
// than the window (no sideways scrolling, no table cut off in its
// scroller), and text — badges, errors, hints, links, buttons — with at
// least 4.5:1 contrast against what is behind it (WCAG 2.1 AA, small text).
func (b *tab) audit(name string, titles map[string]bool, width int) {
	b.t.Helper()
	if got, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`window.innerWidth`)); err != nil || got != width {
		b.t.Fatalf("%s: the window is %d px wide (%v), want %d", name, got, err, width)
	}
	title, err := chromedp.Run(b.ctx, chromedp.Title())
	if err != nil {
		b.t.Fatalf("%s: title: %v", name, err)
	}
	if !strings.HasSuffix(title, " · ledger") || len(title) <= len(" · ledger") {
		b.t.Errorf("%s: <title> %q, want the page's own name and \" · ledger\"", name, title)
	}
	if titles[title] {
		b.t.Errorf("%s: <title> %q is the same as another page's", name, title)
	}
	titles[title] = true
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](auditJS))
	if err != nil {
		b.t.Fatalf("%s: audit: %v", name, err)
	}
	for _, p := range got {
		b.t.Errorf("%s: %s", name, p)
	}
}

const auditJS = `(() => {
  const out = [];
  const w = window.innerWidth;
  if (document.documentElement.scrollWidth > w) out.push("page is " + document.documentElement.scrollWidth + " px wide in a " + w + " px window");
  for (const e of document.querySelectorAll(".table-wrap")) {
    if (e.scrollWidth > e.clientWidth + 1) out.push("table scrolls sideways (" + e.scrollWidth + " px in " + e.clientWidth + " px): " + e.innerText.slice(0, 40));
  }
  const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const behind = e => { for (; e; e = e.parentElement) { const m = rgb(getComputedStyle(e).backgroundColor); if (m.length === 3 || (m.length === 4 && m[3] > 0)) return getComputedStyle(e).backgroundColor; } return "rgb(255, 255, 255)"; };
  for (const e of document.querySelectorAll(".badge, .field-error, .muted, .hint, .legend, .flash, .error, .banner, main a, header a, button, dt, th, td")) {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || r.right < 0 || !e.innerText.trim()) continue; // hidden or off-screen (the skip link)
    const a = lum(getComputedStyle(e).color), b = lum(behind(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) out.push("contrast " + ratio.toFixed(2) + ":1 for " + e.tagName.toLowerCase() + "." + e.className + " “" + e.innerText.trim().slice(0, 30) + "”");
  }
  return out;
})()`

// reviewPages opens every page a merchant uses — with a run that failed
// and stays failed, and a reconciliation report — at desktop width and at
// phone width, audits each and leaves a screenshot of each.
func (b *tab) reviewPages() {
	b.publishInvoice(2003, "USD") // USD is not enabled in the organisation: fails until it is
	b.reloadUntil(b.s.base+"/dashboard/sync?magento_id=2003", "table", "failed")
	run, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("table td a").getAttribute("href")`))
	if err != nil {
		b.t.Fatal(err)
	}
	bind := fmt.Sprintf("/dashboard/bindings/%d", b.binding)
	pages := []struct{ name, path, h1 string }{
		{"home", "/dashboard", "Home"},
		{"connections", "/dashboard/bindings", "Connections"},
		{"connection", bind, "Demo Ltd"},
		{"settings", bind + "/settings", "Settings"},
		{"sync-history", fmt.Sprintf("/dashboard/sync?binding=%d", b.binding), "Sync history"},
		{"run-failed", run, "Sync run #"},
		{"reconcile", bind + "/reconcile", "Reconciliation"},
		{"connect-magento", "/dashboard/connect-magento?provider=xero", "Pair your Magento store"},
		{"disconnect-confirm", bind + "/disconnect", "Disconnect"},
		{"embed", "/embed/" + b.s.tenantID(), "Xero sync history"}, // the page Magento frames, seen alone
	}
	for _, phone := range []bool{false, true} {
		titles := map[string]bool{}
		for i, p := range pages {
			name := fmt.Sprintf("10-%02d-%s", i+1, p.name)
			if phone {
				name = fmt.Sprintf("11-%02d-%s-phone", i+1, p.name)
			}
			view := func() {
				b.do("open "+p.path, chromedp.Navigate(b.s.base+p.path), chromedp.WaitVisible(chromedp.CSS(`main`)))
				b.waitText("h1", p.h1)
				if p.name == "reconcile" {
					b.do("run reconciliation", chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
					b.waitText("main", "Mapping coverage")
				}
				b.checkPage(name)
				b.audit(name, titles, map[bool]int{false: desktopWidth, true: phoneWidth}[phone])
				b.shot(name)
			}
			if phone {
				b.atPhoneWidth(view)
			} else {
				view()
			}
		}
	}
	// The failed run says what went wrong and what to do, in words.
	b.do("open the failed run", chromedp.Navigate(b.s.base+run), chromedp.WaitVisible(chromedp.CSS(`dl.stats`)))
	for _, want := range []string{"USD", "What to do", "Invoice created", "Received from Magento"} {
		b.waitText("main", want)
	}
	for _, jargon := range []string{"invoice.created", "(validation)", "received ok"} {
		if hasText(b.ctx, "main", jargon) {
			b.t.Errorf("the failed run's page shows %q: %s", jargon, b.text("main"))
		}
	}
}
