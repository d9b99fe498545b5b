package dashboard

import (
	"fmt"
	"html/template"
	"strings"
)

// chartSVG draws daily synced and failed counts as side-by-side bars, on the
// server, so the home page needs no JavaScript. Every value written into the
// markup is a number, so building it with fmt is safe.
func chartSVG(days []DayCount) template.HTML {
	const w, h, pad = 300, 80, 2
	peak, synced, failed := 1, 0, 0
	for _, d := range days {
		peak = max(peak, d.Synced, d.Failed)
		synced += d.Synced
		failed += d.Failed
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="Last %d days: %d synced, %d failed" xmlns="http://www.w3.org/2000/svg">`,
		w, h+pad, len(days), synced, failed)
	fmt.Fprintf(&b, `<title>Last %d days: %d synced, %d failed</title>`, len(days), synced, failed)
	fmt.Fprintf(&b, `<line x1="0" y1="%d" x2="%d" y2="%d" stroke="#d0d7de"/>`, h, w, h)
	if n := len(days); n > 0 {
		slot := float64(w) / float64(n)
		bar := slot/2 - 0.5
		for i, d := range days {
			x := float64(i) * slot
			day := d.Day.UTC().Format("2006-01-02")
			if d.Synced > 0 {
				sh := float64(h) * float64(d.Synced) / float64(peak)
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#1a7f37"><title>%s: %d synced</title></rect>`, x, float64(h)-sh, bar, sh, day, d.Synced)
			}
			if d.Failed > 0 {
				fh := float64(h) * float64(d.Failed) / float64(peak)
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#b42318"><title>%s: %d failed</title></rect>`, x+bar, float64(h)-fh, bar, fh, day, d.Failed)
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
