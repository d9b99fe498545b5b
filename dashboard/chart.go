package dashboard

import (
	"fmt"
	"html/template"
	"strings"
)

// chartSVG draws daily synced and failed counts as stacked bars (failed on
// top, so a bad day stands out), with a baseline, the peak as a scale and
// the first and last day under the axis, on the server, so the home page
// needs no JavaScript. Every value written into the markup is a number or
// a date, so building it with fmt is safe; colours are attributes because
// the CSP forbids inline styles.
func chartSVG(days []DayCount) template.HTML {
	const w, h, top, axis = 300, 80, 12, 14 // plot width/height, room for the scale and the dates
	peak, synced, failed := 1, 0, 0
	for _, d := range days {
		peak = max(peak, d.Synced+d.Failed)
		synced += d.Synced
		failed += d.Failed
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="Last %d days: %d synced, %d failed" xmlns="http://www.w3.org/2000/svg" font-family="system-ui,sans-serif" font-size="9" fill="#57606a">`,
		w, top+h+axis, len(days), synced, failed)
	fmt.Fprintf(&b, `<title>Last %d days: %d synced, %d failed</title>`, len(days), synced, failed)
	base := top + h
	fmt.Fprintf(&b, `<line x1="0" y1="%d" x2="%d" y2="%d" stroke="#eaeef2" stroke-dasharray="2 2"/>`, top, w, top)
	fmt.Fprintf(&b, `<text x="0" y="%d">%d/day</text>`, top-3, peak)
	fmt.Fprintf(&b, `<line x1="0" y1="%d" x2="%d" y2="%d" stroke="#d0d7de"/>`, base, w, base)
	if n := len(days); n > 0 {
		slot := float64(w) / float64(n)
		bar := max(slot-2, 1)
		for i, d := range days {
			x := float64(i)*slot + (slot-bar)/2
			day := d.Day.UTC().Format("2006-01-02")
			sh := float64(h) * float64(d.Synced) / float64(peak)
			fh := float64(h) * float64(d.Failed) / float64(peak)
			if d.Synced > 0 {
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="1" fill="#1a7f37"><title>%s: %d synced</title></rect>`, x, float64(base)-sh, bar, sh, day, d.Synced)
			}
			if d.Failed > 0 {
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="1" fill="#b42318"><title>%s: %d failed</title></rect>`, x, float64(base)-sh-fh, bar, fh, day, d.Failed)
			}
		}
		fmt.Fprintf(&b, `<text x="0" y="%d">%s</text>`, base+axis-3, days[0].Day.UTC().Format("2 Jan"))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">today</text>`, w, base+axis-3)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
