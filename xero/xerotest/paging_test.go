package xerotest

import (
	"net/url"
	"testing"
)

// FuzzPageOf: any page/pageSize a client sends yields at most one page of
// the list, a slice of it, and consistent pagination.
func FuzzPageOf(f *testing.F) {
	for _, s := range []struct{ page, size string }{{"", ""}, {"1", "100"}, {"3", "100"}, {"0", "-5"}, {"9223372036854775807", "1000"}, {"2", "99999"}, {"x", "y"}} {
		f.Add(s.page, s.size, 250)
	}
	f.Fuzz(func(t *testing.T, page, size string, n int) {
		if n < 0 || n > 5000 {
			return
		}
		list := make([]int, n)
		for i := range list {
			list[i] = i
		}
		got, p := pageOf(list, url.Values{"page": {page}, "pageSize": {size}})
		if p.PageSize < 1 || p.PageSize > maxPageSize || len(got) > p.PageSize || p.ItemCount != n {
			t.Fatalf("page %q size %q n %d: %d items, pagination %+v", page, size, n, len(got), p)
		}
		if len(got) > 0 && (got[0] != (p.Page-1)*p.PageSize || got[len(got)-1] != got[0]+len(got)-1) {
			t.Fatalf("page %q size %q: items %d..%d, pagination %+v", page, size, got[0], got[len(got)-1], p)
		}
		if p.PageCount*p.PageSize < n {
			t.Fatalf("pageCount %d × %d < %d", p.PageCount, p.PageSize, n)
		}
	})
}
