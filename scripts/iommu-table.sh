#!/bin/bash
# The README's IOMMU table (issue 15) from a results store of
# configs/regress/iommu.yaml runs: for each row (mode, size, kthreads) the
# module's per-unmap and per-map medians, strict and lazy, as the median
# over runs of each run's median sample, with the runs' range, and how
# many samples' stale-IOTLB checks passed.
# Usage: scripts/iommu-table.sh STORE LABEL
set -euo pipefail
[ $# = 2 ] || { echo "usage: $0 STORE LABEL" >&2; exit 2; }
db=$1 label=$2
[ -r "$db" ] || { echo "$0: $db: not readable" >&2; exit 2; }
sqlite3 -separator ' ' "$db" "
	SELECT v.params, v.metric, v.run_id, v.value
	FROM sample_values v JOIN runs r ON r.id = v.run_id
	WHERE r.label = '$label' AND v.workload = 'iommu'
	  AND v.metric IN ('unmap_ns', 'map_ns', 'check')" |
awk '
function med(s,   n, a, i, j, t) {	# median of a space-separated list
	n = split(s, a, " ")
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function p(k) { for (i = 1; i <= NF; i++) if ($i ~ "^" k "=") { sub(k "=", "", $i); return $i } }
{
	metric = $(NF - 2); run = $(NF - 1); val = $NF
	$(NF - 2) = $(NF - 1) = $NF = ""
	row = p("mode") " " p("size") " " p("kthreads"); dom = p("domain")
	if (metric == "check") { checks[row] += 1; passed[row] += (val == 1); next }
	k = row SUBSEP dom SUBSEP metric
	v[k, run] = v[k, run] " " val; runs[k] = runs[k] " " run; rows[row] = 1
}
function cell(k,   n, r, i, m, lo, hi, meds, seen) {
	n = split(runs[k], r, " "); meds = ""; lo = ""; hi = ""
	for (i = 1; i <= n; i++) {
		if ((k, r[i]) in seen) continue
		seen[k, r[i]] = 1
		m = med(v[k, r[i]]); meds = meds " " m
		if (lo == "" || m < lo) lo = m; if (hi == "" || m > hi) hi = m
	}
	return sprintf("%.2f [%.2f-%.2f]", med(meds) / 1000, lo / 1000, hi / 1000)
}
END {
	print "| mode | size | kthreads | unmap strict, us | unmap lazy, us | strict/lazy | map strict, us | stale-IOTLB checks passed (both domains) |"
	print "| --- | --- | --- | --- | --- | --- | --- | --- |"
	for (row in rows) {
		split(row, f, " ")
		s = cell(row SUBSEP "strict" SUBSEP "unmap_ns"); l = cell(row SUBSEP "lazy" SUBSEP "unmap_ns")
		split(s, a, " "); split(l, b, " ")
		sz = f[2] + 0; if (f[2] ~ /K$/) sz *= 1024; if (f[2] ~ /M$/) sz *= 1048576
		printf "%s %012d %03d\t| %s | %s | %s | %s | %s | %.1fx | %s | %d of %d |\n", f[1] == "single" ? 0 : 1, sz, f[3] == 0 ? 999 : f[3], f[1], f[2], f[3] == 0 ? "all CPUs" : f[3], s, l,
			a[1] / b[1], cell(row SUBSEP "strict" SUBSEP "map_ns"), passed[row], checks[row]
	}
}' | { read -r h; read -r s; echo "$h"; echo "$s"; sort | cut -f2; }
