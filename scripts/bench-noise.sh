#!/bin/bash
# README benchmark: median ns/op and CV of fork, mprotect and munmap from
# configs/default.yaml, beside stress-ng's bogo-ops/s CV for the same
# operations (--fork, --mprotect, --munmap), each pinned to CPU 0.
# Usage: scripts/bench-noise.sh [REPEATS]   (stress-ng runs REPEATS x 1 s each)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
n=${1:-10}
scripts/deps.sh build run bench >/dev/null
make -s all >/dev/null
db=$(mktemp /tmp/fb-noise.XXXXXX.db)
rm -f "$db"
# the protocol the README's figures were measured with: one run of 10 samples
cfg=$(mktemp /tmp/fb-noise.XXXXXX.yaml)
sed 's/^samples: .*/samples: 10/; /^repeat:/d' configs/default.yaml > "$cfg"
./flushbench run -q -c "$cfg" --only fork,mprotect,munmap,madvise,migrate \
	--db "$db" --label noise >/dev/null 2>&1
rm -f "$cfg"
echo "flushbench (configs/default.yaml, one run of 10 samples of 200 ms, 2 warm-up, pinned):"
sqlite3 -separator ' ' "$db" "
with v as (select workload, params, ns_per_op from samples where status='ok'),
 st as (select workload, params, count(*) n, avg(ns_per_op) m,
   sqrt(avg(ns_per_op*ns_per_op) - avg(ns_per_op)*avg(ns_per_op)) sd from v group by 1, 2),
 r as (select v.workload, v.params, v.ns_per_op x,
   row_number() over (partition by v.workload, v.params order by v.ns_per_op) i,
   count(*) over (partition by v.workload, v.params) c from v)
select st.workload, replace(st.params, ' ', ','), st.n,
   printf('%.1f', (select avg(x) from r where r.workload=st.workload and r.params=st.params and i in ((c+1)/2, (c+2)/2))),
   printf('%.2f', 100.0*st.sd*sqrt(1.0*st.n/(st.n-1))/st.m) from st order by 1, 2" |
	awk '{printf "  %-9s %-70.70s n=%-3s median %12s ns/op  CV %6s%%\n", $1, $2, $3, $4, $5}'
rm -f "$db" "$db"-wal "$db"-shm
echo "stress-ng $(stress-ng --version | awk '{print $3}') ($n runs of 1 s each, --taskset 0, bogo-ops/s real time):"
for s in fork mprotect munmap madvise; do
	vals=""
	for i in $(seq 1 "$n"); do
		y=$(mktemp /tmp/sng.XXXXXX.yaml)
		stress-ng --"$s" 1 --taskset 0 -t 1 --metrics-brief --yaml "$y" >/dev/null 2>&1 || true
		v=$(awk '/bogo-ops-per-second-real-time:/ {print $2}' "$y")
		rm -f "$y"
		vals="$vals ${v:-nan}"
	done
	echo "$vals" | awk -v s="$s" '{ for (i = 1; i <= NF; i++) { x[i] = $i; m += $i } m /= NF;
		for (i = 1; i <= NF; i++) v += (x[i] - m) ^ 2; sd = sqrt(v / (NF - 1));
		printf "  %-9s n=%-3d mean %12.1f bogo-ops/s  CV %6.2f%%\n", s, NF, m, 100 * sd / m }'
done
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
