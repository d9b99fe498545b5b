package dashboard

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"

	"ledger/domain"
)

// The access rules, in one place: an admin sees every tenant; a merchant
// sees only tenants they own, and everything else answers not found.

var errNotFound = domain.Errorf(domain.ENotFound, "There is nothing here, or it belongs to another account.")

func (c *reqCtx) canSee(t *domain.Tenant) bool {
	return t != nil && (c.admin() || t.OwnerID == c.user.ID)
}

// visibleBinding is one binding the user may see, with its tenant.
type visibleBinding struct {
	B *domain.Binding
	T *domain.Tenant
}

// MagentoHost is the tenant's Magento host, for labels.
func (v visibleBinding) MagentoHost() string { return hostOf(v.T.MagentoURL) }

// OrgName is the Xero organisation's name, or a placeholder.
func (v visibleBinding) OrgName() string {
	if v.B.XeroOrgName == "" {
		return "(not connected)"
	}
	return v.B.XeroOrgName
}

// visibleBindings returns the bindings the user may see, ordered by id. An
// admin's are every binding; a merchant's are read through the owner index,
// so a merchant's page costs their own stores, not every tenant's.
func (s *Server) visibleBindings(c *reqCtx) ([]visibleBinding, error) {
	if c.admin() {
		return s.allBindings()
	}
	tenants, err := s.store.TenantsByOwner(c.user.ID)
	if err != nil {
		return nil, err
	}
	var out []visibleBinding
	for _, t := range tenants {
		bs, err := s.store.BindingsByTenant(t.ID)
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			out = append(out, visibleBinding{B: b, T: t})
		}
	}
	slices.SortFunc(out, func(a, b visibleBinding) int { return cmp.Compare(a.B.ID, b.B.ID) })
	return out, nil
}

// allBindings is every binding with its tenant, ordered by id.
func (s *Server) allBindings() ([]visibleBinding, error) {
	tenants, err := s.store.ListTenants()
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*domain.Tenant, len(tenants))
	for _, t := range tenants {
		byID[t.ID] = t
	}
	bs, err := s.store.ListBindings()
	if err != nil {
		return nil, err
	}
	out := make([]visibleBinding, 0, len(bs))
	for _, b := range bs {
		if t := byID[b.TenantID]; t != nil {
			out = append(out, visibleBinding{B: b, T: t})
		}
	}
	return out, nil
}

// binding returns the binding named by the path value, or not found when it
// does not exist or the user may not see it.
func (s *Server) binding(c *reqCtx, idText string) (visibleBinding, error) {
	id, err := strconv.ParseUint(idText, 10, 64)
	if err != nil {
		return visibleBinding{}, errNotFound
	}
	b, err := s.store.Binding(id)
	if err != nil {
		return visibleBinding{}, notFoundOr(err)
	}
	t, err := s.store.Tenant(b.TenantID)
	if err != nil {
		return visibleBinding{}, notFoundOr(err)
	}
	if !c.canSee(t) {
		return visibleBinding{}, errNotFound
	}
	return visibleBinding{B: b, T: t}, nil
}

// run returns the sync run named by the path value, with the same rule.
func (s *Server) run(c *reqCtx, idText string) (*domain.SyncRun, error) {
	id, err := strconv.ParseUint(idText, 10, 64)
	if err != nil {
		return nil, errNotFound
	}
	run, err := s.store.Run(id)
	if err != nil {
		return nil, notFoundOr(err)
	}
	t, err := s.store.Tenant(run.TenantID)
	if err != nil {
		return nil, notFoundOr(err)
	}
	if !c.canSee(t) {
		return nil, errNotFound
	}
	return run, nil
}

func notFoundOr(err error) error {
	if domain.IsKind(err, domain.ENotFound) {
		return errNotFound
	}
	return err
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host
}
