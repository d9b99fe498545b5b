package cmd

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar draws "[=====>    ]  120/1000  12%  34/s  ETA 0:25" on a
// terminal, redrawing in place at most every interval.
type progressBar struct {
	w        io.Writer
	label    string
	now      func() time.Time
	start    time.Time
	last     time.Time
	interval time.Duration
	width    int
}

func newProgressBar(w io.Writer, label string, now func() time.Time) *progressBar {
	t := now()
	return &progressBar{w: w, label: label, now: now, start: t, interval: 100 * time.Millisecond, width: 30}
}

// Update redraws the bar; the final call (done == total) always draws and
// ends the line.
func (p *progressBar) Update(done, total int64) {
	t := p.now()
	final := done >= total
	if !final && t.Sub(p.last) < p.interval {
		return
	}
	p.last = t
	fmt.Fprint(p.w, "\r"+p.line(done, total, t.Sub(p.start)))
	if final {
		fmt.Fprintln(p.w)
	}
}

// line renders the bar for done of total after elapsed.
func (p *progressBar) line(done, total int64, elapsed time.Duration) string {
	if total <= 0 {
		total = 1
	}
	filled := int(int64(p.width) * done / total)
	bar := strings.Repeat("=", filled)
	if filled < p.width {
		bar += ">" + strings.Repeat(" ", p.width-filled-1)
	}
	rate, eta := 0.0, "--:--"
	if secs := elapsed.Seconds(); secs > 0 && done > 0 {
		rate = float64(done) / secs
		left := time.Duration(float64(total-done) / rate * float64(time.Second))
		eta = clock(left)
	}
	return fmt.Sprintf("%s [%s] %d/%d %3d%% %.0f/s ETA %s", p.label, bar, done, total, 100*done/total, rate, eta)
}

// clock prints a duration as H:MM:SS or M:SS.
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
