package cmd

import (
	"strconv"
	"strings"
)

// maxBackfillRange bounds one range so a typo cannot walk a billion ids.
const maxBackfillRange = 1_000_000

// idRange is an inclusive range of Magento entity ids.
type idRange struct{ From, To int64 }

// Len is the number of ids in the range.
func (r idRange) Len() int64 {
	if r.To < r.From {
		return 0
	}
	return r.To - r.From + 1
}

// parseRange reads FROM-TO (or a single id) of positive Magento entity ids.
func parseRange(flag, s string) (idRange, error) {
	bad := func() (idRange, error) {
		return idRange{}, usageErrorf("--%s %q is not an id range — use FROM-TO with whole numbers, e.g. --%s 1-500", flag, s, flag)
	}
	s = strings.TrimSpace(s)
	from, to, found := strings.Cut(s, "-")
	if !found {
		to = from
	}
	a, err1 := strconv.ParseInt(strings.TrimSpace(from), 10, 64)
	b, err2 := strconv.ParseInt(strings.TrimSpace(to), 10, 64)
	if err1 != nil || err2 != nil {
		return bad()
	}
	if a < 1 || b < a {
		return idRange{}, usageErrorf("--%s %q is not a range of Magento ids — ids start at 1 and FROM may not exceed TO", flag, s)
	}
	r := idRange{a, b}
	if r.Len() > maxBackfillRange {
		return idRange{}, usageErrorf("--%s %q spans more than %d ids — backfill in smaller ranges", flag, s, maxBackfillRange)
	}
	return r, nil
}
