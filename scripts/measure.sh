#!/usr/bin/env bash
# measure.sh runs ledger's measurements (e2e measurement tests and the
# packages' benchmarks) and prints the README's Performance table.
# Figures are measured, never asserted: nothing here fails on a threshold.
#
#   scripts/measure.sh            # prints a Markdown table on stdout
#   KEEP=1 scripts/measure.sh     # also keeps the raw outputs (path on stderr)
set -uo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp -d)
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$out"' EXIT
failed=0

# run NAME CMD runs one measurement command line (the one the table
# shows), keeping its output in $out/NAME.
run() {
	local name=$1 cmd=$2
	echo "measure: $cmd" >&2
	if ! bash -c "$cmd" >"$out/$name" 2>&1; then
		echo "measure: FAILED: $cmd" >&2
		tail -20 "$out/$name" >&2
		failed=1
	fi
}

E2E="LEDGER_MEASURE=1 go test -count=1 -run TestPerf -v ./e2e/"
WEBHOOK="go test -run '^\$' -bench 'WebhookAccept' -benchtime 5s ./dashboard/"
HOME_="go test -run '^\$' -bench 'Home' ./dashboard/"
STORE="go test -run '^\$' -bench 'AcceptEvent|Seal|Open' ./store/"
VERIFY="go test -run '^\$' -bench 'Verify' ./magento/"
BACKLOG="go test -run '^\$' -bench 'Backlog1000' -benchtime 3x ./sync/"
STEADY="go test -count=1 -run 'TestSteadyStreamDay' -v ./sync/"
RESEND="go test -run '^\$' -bench 'ResendMirrors' -benchtime 3x ./sync/"

run e2e "$E2E"
run webhook "$WEBHOOK"
run home "$HOME_"
run store "$STORE"
run verify "$VERIFY"
run backlog "$BACKLOG"
run steady "$STEADY"
run resend "$RESEND"

# perf NAME: the value of "perf: NAME = VALUE UNIT" in the e2e output.
perf() { sed -n "s/.*perf: $1 = \([^ ]*\) .*/\1/p" "$out/e2e" | tail -1; }

# bench FILE BENCH UNIT: the value reported with UNIT on BENCH's result line.
bench() {
	awk -v b="^Benchmark$2(-[0-9]+)?\$" -v u="$3" '
		$1 ~ b { for (i = 2; i < NF; i++) if ($(i+1) == u) v = $i }
		END { print v }' "$out/$1"
}

calls=$(bench backlog Backlog1000 calls/order)
steady=$(sed -n 's/.*steady stream: \([0-9]*\) orders, \([0-9]*\) Accounting API calls (\([0-9.]*\) per order).*/\1 orders, \2 calls (\3 per order)/p' "$out/steady" | tail -1)
perday=$(awk -v c="$calls" 'BEGIN { if (c > 0) printf "%d", 1000 / c; else print "" }')
verify=$(awk -v n="$(bench verify Verify ns/verify)" 'BEGIN { if (n != "") printf "%.1f", n / 1000 }')

# row FIGURE VALUE COMMAND prints one table row ("|" escaped for Markdown).
row() { printf '| %s | %s | `%s` |\n' "$1" "${2:-n/a}" "${3//|/\\|}"; }

echo "| figure | measured | command |"
echo "|---|---|---|"
row "durable webhook accepts/s (HTTP, 8 publishers)" "$(bench webhook WebhookAccept accepts/s)" "$WEBHOOK"
row "p99 ingest latency (HTTP webhook → fsync'd accept)" "$(bench webhook WebhookAccept p99-ms) ms" "$WEBHOOK"
row "store accepts/s (no HTTP, 8 publishers)" "$(bench store AcceptEvent accepts/s)" "$STORE"
row "store p99 accept latency" "$(bench store AcceptEvent p99-ms) ms" "$STORE"
row "Xero calls per order (1 000-order backlog)" "$calls" "$BACKLOG"
row "backlog orders/s (emulated Xero)" "$(bench backlog Backlog1000 orders/s)" "$BACKLOG"
row "429s on the backlog" "$(bench backlog Backlog1000 429s/op)" "$BACKLOG"
row "orders/day within a 1 000-call budget (1 000 / calls per order)" "$perday" "$BACKLOG"
row "steady-stream day, 1 000-call budget" "$steady" "$STEADY"
row "mirror resend tick, 1 000 bindings × 500 runs, one to resend" "$(awk -v n="$(bench resend ResendMirrors/tick ns/op)" 'BEGIN { if (n != "") printf "%.2f", n / 1e6 }') ms" "$RESEND"
row "idle RSS (fresh data dir)" "$(perf idle_rss) MiB" "$E2E"
row "RSS with 1 000 bindings (idle)" "$(perf rss_1000_bindings) MiB" "$E2E"
row "RSS with 1 000 bindings after page loads" "$(perf rss_1000_bindings_after_pages) MiB" "$E2E"
row "RSS with 1 000 connected bindings (15 s idle)" "$(perf rss_1000_connected_bindings) MiB (peak $(perf rss_1000_connected_bindings_peak) MiB, $(perf xero_calls_1000_connected_bindings_idle) Xero calls)" "$E2E"
row "binary size" "$(perf binary_size) MiB" "$E2E"
row "binary size, stripped (-ldflags=-s -w)" "$(perf binary_size_stripped) MiB" "$E2E"
row "cold start to first /healthz 200 (median of 5)" "$(perf cold_start_median) ms" "$E2E"
row "cold start with 1 000 bindings" "$(perf cold_start_1000_bindings) ms" "$E2E"
row "/healthz p50 / p99, fresh" "$(perf healthz_p50_empty) / $(perf healthz_p99_empty) ms" "$E2E"
row "/healthz p50 / p99, 1 000 bindings" "$(perf healthz_p50_1000_bindings) / $(perf healthz_p99_1000_bindings) ms" "$E2E"
row "/dashboard/bindings p50 / p99, admin, 1 000 bindings" "$(perf bindings_page_p50_1000_bindings) / $(perf bindings_page_p99_1000_bindings) ms" "$E2E"
row "/dashboard/bindings page size, 1 000 bindings" "$(perf bindings_page_bytes_1000_bindings) bytes" "$E2E"
row "seal (AES-GCM) ns/op" "$(bench store Seal seal-ns/op)" "$STORE"
row "open (AES-GCM) ns/op" "$(bench store Open open-ns/op)" "$STORE"
row "Magento JWT verify µs/op" "$verify" "$VERIFY"
row "dashboard home page weight (HTML+CSS+JS)" "$(bench home Home page-bytes) bytes" "$HOME_"

[ "${KEEP:-}" = 1 ] && echo "measure: raw outputs in $out" >&2
exit $failed
