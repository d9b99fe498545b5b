package cmd

import (
	"context"
	"io"
	"net/http"
	"time"

	"ledger/dashboard"
	"ledger/domain"
	"ledger/magento/magentotest"
	"ledger/xero/xerotest"
)

// connectDemo does what a merchant would on a fresh ledger: create the
// admin, pair the store with a code from its admin page, click through
// Xero's consent (the emulator consents at once), and choose the accounts.
func connectDemo(ctx context.Context, st *demoStack, emu *emulators, password string) error {
	db := st.app.DB
	hash, err := hashPassword([]byte(password), defaultBcryptCost)
	if err != nil {
		return err
	}
	admin, err := db.CreateUser(DemoEmail, domain.RoleAdmin, hash)
	if err != nil {
		return err
	}
	if st.dcfg.Pair == nil {
		return domain.Errorf(domain.EInternal, "this build cannot pair a Magento store from the dashboard yet")
	}
	paired, err := st.dcfg.Pair(ctx, dashboard.PairInput{MagentoURL: emu.mg.URL(), Code: emu.mg.GeneratePairingCode(), Owner: admin})
	if err != nil {
		return err
	}
	link, err := dashboard.NewConnectLink(db, st.app.Config.PublicURL, paired.BindingID, time.Now())
	if err != nil {
		return err
	}
	if err := followConsent(ctx, link); err != nil {
		return err
	}
	b, err := db.Binding(paired.BindingID)
	if err != nil {
		return err
	}
	if b.Status != domain.BindingActive {
		return domain.Errorf(domain.EInternal, "the emulated Xero consent did not connect the demo binding (status %s); see the log", b.Status)
	}
	return demoPolicy(st, emu, b.ID, b.XeroTenantID)
}

// followConsent opens the connect link like a browser: ledger redirects to
// the emulator's authorize endpoint, which consents and redirects back to
// ledger's callback.
func followConsent(ctx context.Context, link string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return domain.Wrap(domain.EInternal, err, "could not open the Xero connect link")
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	resp, err := hc.Do(req)
	if err != nil {
		// err quotes the URL it failed on: the link's state, or the
		// callback's code and state.
		return domain.Wrap(domain.EInternal, redactErr(err), "the emulated Xero consent failed; see the log")
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil
}

// demoPolicy is what a merchant would set: revenue account 200 with UK VAT,
// cheque/money-order payments into the bank account, unpaid invoices
// synced. Card payments stay unmapped and there is no default bank account,
// so they are skipped for a visible reason; EUR is not enabled, so EUR
// orders fail for one.
func demoPolicy(st *demoStack, emu *emulators, bindingID uint64, org string) error {
	bank := emu.xs.Account(org, xerotest.BankAccountCode).AccountID
	_, err := st.app.DB.UpdateBinding(bindingID, func(b *domain.Binding) error {
		p := b.Policy
		p.DefaultRevenueAccountCode = xerotest.RevenueAccountCode
		p.DefaultTaxType = "OUTPUT2"
		p.DefaultBankAccountID = ""
		p.SyncUnpaidInvoices = true
		p.PaymentMethodMap = map[string]*string{magentotest.ShopPaidMethod: &bank}
		b.Policy = p
		return nil
	})
	return err
}
