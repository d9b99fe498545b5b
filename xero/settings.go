package xero

import (
	"context"
	"errors"
	"net/http"
)

// Reference data: one GET each. Building the reference cache at connect is
// Organisation + Accounts + TaxRates + BrandingThemes (+ Currencies and
// TrackingCategories when wanted).

// Organisation reads the connected organisation.
func (c *Client) Organisation(ctx context.Context) (Organisation, error) {
	var out struct{ Organisations []Organisation }
	if err := c.do(ctx, call{method: http.MethodGet, path: "/Organisation", out: &out}); err != nil {
		return Organisation{}, err
	}
	if len(out.Organisations) == 0 {
		return Organisation{}, &DecodeError{Op: "GET /Organisation", Err: errors.New("no organisation in response")}
	}
	return out.Organisations[0], nil
}

// Accounts lists the chart of accounts.
func (c *Client) Accounts(ctx context.Context) ([]Account, error) {
	var out struct{ Accounts []Account }
	err := c.do(ctx, call{method: http.MethodGet, path: "/Accounts", out: &out})
	return out.Accounts, err
}

// TaxRates lists the tax rates.
func (c *Client) TaxRates(ctx context.Context) ([]TaxRate, error) {
	var out struct{ TaxRates []TaxRate }
	err := c.do(ctx, call{method: http.MethodGet, path: "/TaxRates", out: &out})
	return out.TaxRates, err
}

// BrandingThemes lists the branding themes.
func (c *Client) BrandingThemes(ctx context.Context) ([]BrandingTheme, error) {
	var out struct{ BrandingThemes []BrandingTheme }
	err := c.do(ctx, call{method: http.MethodGet, path: "/BrandingThemes", out: &out})
	return out.BrandingThemes, err
}

// TrackingCategories lists the tracking categories with their options.
func (c *Client) TrackingCategories(ctx context.Context) ([]TrackingCategory, error) {
	var out struct{ TrackingCategories []TrackingCategory }
	err := c.do(ctx, call{method: http.MethodGet, path: "/TrackingCategories", out: &out})
	return out.TrackingCategories, err
}

// Currencies lists the currencies enabled in the organisation.
func (c *Client) Currencies(ctx context.Context) ([]Currency, error) {
	var out struct{ Currencies []Currency }
	err := c.do(ctx, call{method: http.MethodGet, path: "/Currencies", out: &out})
	return out.Currencies, err
}
