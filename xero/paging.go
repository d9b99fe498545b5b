package xero

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// PageSize is the elements per page every look-up asks for (Xero's
// default page of Contacts, Invoices, CreditNotes and Payments).
const PageSize = 100

// MaxPages bounds how many pages one filtered GET follows: a look-up that
// matches more than MaxPages×PageSize elements fails with
// TooManyPagesError instead of reading without end.
const MaxPages = 100

// TooManyPagesError says a look-up matched more than MaxPages full pages;
// what was read is not returned because it may be incomplete.
type TooManyPagesError struct {
	Op    string
	Pages int
}

func (e *TooManyPagesError) Error() string {
	return fmt.Sprintf("xero %s: more than %d pages of %d matched; narrow the look-up", e.Op, e.Pages, PageSize)
}

// Pagination is the paging metadata newer Accounting API versions return.
type Pagination struct {
	Page      int `json:"page"`
	PageSize  int `json:"pageSize"`
	PageCount int `json:"pageCount"`
	ItemCount int `json:"itemCount"`
}

// getAll reads every page of a filtered GET whose answer lists its
// elements under key: pages 1, 2, … of PageSize until a page that is not
// full (or the last page by Xero's pagination), at most MaxPages. A page
// longer than PageSize means the server did not page: it is everything.
func getAll[T any](ctx context.Context, c *Client, path, key string, q url.Values) ([]T, error) {
	var all []T
	for page := 1; page <= MaxPages; page++ {
		items, pg, err := getPage[T](ctx, c, path, key, q, page)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if len(items) != PageSize || (pg != nil && pg.PageCount > 0 && page >= pg.PageCount) {
			return all, nil
		}
	}
	return nil, &TooManyPagesError{Op: http.MethodGet + " " + path, Pages: MaxPages}
}

// getPage reads one page.
func getPage[T any](ctx context.Context, c *Client, path, key string, q url.Values, page int) ([]T, *Pagination, error) {
	pq := url.Values{}
	for k, v := range q {
		pq[k] = v
	}
	pq.Set("page", strconv.Itoa(page))
	pq.Set("pageSize", strconv.Itoa(PageSize))
	var out map[string]json.RawMessage
	if err := c.do(ctx, call{method: http.MethodGet, path: path, query: pq, out: &out}); err != nil {
		return nil, nil, err
	}
	op := http.MethodGet + " " + path
	var items []T
	var pg *Pagination
	for k, raw := range out {
		switch {
		case strings.EqualFold(k, key):
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, nil, &DecodeError{Op: op, Err: err}
			}
		case strings.EqualFold(k, "pagination"):
			pg = new(Pagination)
			if err := json.Unmarshal(raw, pg); err != nil {
				return nil, nil, &DecodeError{Op: op, Err: err}
			}
		}
	}
	return items, pg, nil
}
