package dashboard

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"ledger/domain"
)

// errSettingsInvalid aborts the settings transaction when a field failed.
var errSettingsInvalid = errors.New("dashboard: settings invalid")

// handleSettingsForm shows the binding's sync policy as cards of fields.
func (s *Server) handleSettingsForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v, err := s.binding(c, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.renderSettings(w, r, c, v, s.reference(v.B.ID), v.B.Policy, savedOnly, nil, http.StatusOK, "")
}

// handleSettingsSave validates every changed key with domain.Policy.Set
// against the reference cache and saves them all in one transaction, or
// none and shows each field's error.
func (s *Server) handleSettingsSave(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v, err := s.binding(c, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	ref := s.reference(v.B.ID)
	values := policyValues(r.PostForm)
	fieldErrs := map[string]error{}
	saved, err := s.store.UpdateBinding(v.B.ID, func(b *domain.Binding) error {
		for _, key := range domain.PolicyKeys() {
			val, ok := values[key]
			if !ok || sameJSON(val, b.Policy.Get(key)) {
				continue // untouched keys stay, even if their reference went stale
			}
			if err := b.Policy.Set(key, val, ref); err != nil {
				fieldErrs[key] = err
			}
		}
		if len(fieldErrs) > 0 {
			return errSettingsInvalid
		}
		return nil
	})
	switch {
	case errors.Is(err, errSettingsInvalid):
		s.renderSettings(w, r, c, v, ref, v.B.Policy, submitted(r.PostForm), fieldErrs, http.StatusUnprocessableEntity, "")
	case err != nil:
		s.fail(w, r, c, err)
	default:
		s.cfg.Logger.Info("dashboard: settings saved", "binding", v.B.ID, "user_id", c.user.ID)
		v.B = saved
		s.renderSettings(w, r, c, v, ref, saved.Policy, savedOnly, nil, http.StatusOK, "Settings saved.")
	}
}

func (s *Server) reference(bindingID uint64) *domain.ReferenceCache {
	ref, err := s.store.Reference(bindingID)
	if err != nil {
		if !domain.IsKind(err, domain.ENotFound) {
			s.cfg.Logger.Warn("dashboard: reference", "binding", bindingID, "err", err)
		}
		return nil
	}
	return ref
}

// renderSettings renders the form over ref, the reference cache the
// handler read (nil when none).
func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, c *reqCtx, v visibleBinding, ref *domain.ReferenceCache, p domain.Policy, in formInput, errs map[string]error, code int, flash string) {
	methods := s.storeMethods(r, v.T.ID)
	d := settingsData{visibleBinding: v, ID: v.B.ID, Errors: len(errs) > 0, ErrorCount: len(errs),
		NoReference: ref == nil || len(ref.Accounts) == 0,
		Cards:       buildCards(p, ref, methods, in)}
	for ci := range d.Cards {
		for fi := range d.Cards[ci].Fields {
			f := &d.Cards[ci].Fields[fi]
			if err := errs[f.Key]; err != nil {
				f.Error, f.Code = fieldMessage(f.Key, domain.MessageOf(err)), domain.CodeOf(err)
				d.ErrorLinks = append(d.ErrorLinks, *f)
				delete(errs, f.Key) // shown once, on the key's first field
			}
		}
	}
	s.render(w, r, code, "settings", view{Title: "Settings · " + v.MagentoHost(), User: c.user, CSRF: c.sess.CSRF, Nav: "bindings", Flash: flash, Data: d})
}

// policyValues turns the submitted form into JSON text per policy key.
func policyValues(form url.Values) map[string]string {
	out := map[string]string{}
	str := func(v string) string { b, _ := json.Marshal(strings.TrimSpace(v)); return string(b) }
	for _, k := range []string{"sync_unpaid_invoices", "sync_zero_value_invoices"} {
		out[k] = strconv.FormatBool(form.Get(k) == "true")
	}
	for _, k := range []string{"default_xero_revenue_account_code", "default_xero_tax_type", "default_bank_account_id",
		"invoice_number_prefix", "customer_name_priority", "xero_invoice_status_default", "guest_contact_mode",
		"rounding_account_code", "refund_adjustment_account_code"} {
		if _, ok := form[k]; ok {
			out[k] = str(form.Get(k))
		}
	}
	for _, k := range []string{"sync_since", "default_xero_payment_terms_days"} {
		if _, ok := form[k]; ok {
			out[k] = "null"
			if v := strings.TrimSpace(form.Get(k)); v != "" {
				out[k] = v
				if k == "sync_since" {
					out[k] = str(v)
				}
			}
		}
	}
	for _, k := range []string{"website_filter", "store_filter"} {
		if _, ok := form[k]; ok {
			out[k] = idList(form.Get(k))
		}
	}
	pm := map[string]*string{}
	addMethod := func(code, dst string) {
		switch code = strings.TrimSpace(code); {
		case code == "" || dst == "":
		case dst == dontPay:
			pm[code] = nil
		default:
			pm[code] = &dst
		}
	}
	for name := range form {
		if code, ok := strings.CutPrefix(name, pmPrefix); ok {
			addMethod(code, form.Get(name))
		}
	}
	addMethod(form.Get("pm_new_code"), form.Get("pm_new_account"))
	b, _ := json.Marshal(pm)
	out["payment_method_map"] = string(b)
	rates := map[string]string{}
	for i := 0; ; i++ {
		n := strconv.Itoa(i)
		if _, ok := form["tr_rate_"+n]; !ok {
			break
		}
		if rate, typ := strings.TrimSpace(form.Get("tr_rate_"+n)), form.Get("tr_type_"+n); rate != "" && typ != "" {
			rates[rate] = typ
		}
	}
	b, _ = json.Marshal(rates)
	out["tax_rate_map"] = string(b)
	return out
}

// idList writes "1, 2" as [1,2]; anything else is passed on as text for
// Policy.Set to refuse with invalid_format.
func idList(text string) string {
	ids := []int64{}
	for _, part := range strings.Split(text, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		n, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			b, _ := json.Marshal(text)
			return string(b)
		}
		ids = append(ids, n)
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return string(ja) == string(jb)
}
