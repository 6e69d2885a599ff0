# Helper programs (the servers ... a workload starts): what the workloads
# declare (`flushbench list --helpers`) is what their module.mk files
# build (`make print-helpers`), for the host and for arm64 guests, and a
# suite names only its own workloads' helpers.
. "$TOP/tests/lib.sh"
declared=$("$FB" list --helpers | sort)
built=$(make -s -C "$TOP" print-helpers 2>"$T/make.err" | sed '/^$/d' | sort)
if [ -s "$T/make.err" ]; then
	fail "make print-helpers" "$(tail -2 "$T/make.err" | tr '\n' ' ')"
elif [ "$declared" = "$built" ]; then
	pass "every helper a workload declares has a build rule ($(echo $declared))"
else
	fail "helpers declared = helpers built" \
		"declared only: $(comm -23 <(echo "$declared") <(echo "$built") | tr '\n' ' ')built only: $(comm -13 <(echo "$declared") <(echo "$built") | tr '\n' ' ')"
fi
ok=1
for h in $declared; do
	[ -x "$FB_BIN/$h" ] || { ok=0; fail "$h is built by make" "no executable $FB_BIN/$h"; }
	make -s -C "$TOP" -n "build/arm64/$h" >/dev/null 2>&1 ||
		{ ok=0; fail "$h has an arm64 rule" "make -n build/arm64/$h failed"; }
done
[ $ok = 1 ] && pass "each helper built for the host, with an arm64 rule for guests"

printf 'samples: 1\njobs:\n  - workload: fork\n  - workload: redis_like\n  - workload: redis_like\n    clients: 2\n' > "$T/rl.yaml"
printf 'jobs:\n  - workload: fork\n' > "$T/fork.yaml"
out=$("$FB" list --helpers -c "$T/rl.yaml" 2>&1)
[ "$out" = workloads/redis-like/kv-server ] && pass "a suite with redis_like names kv-server, once" ||
	fail "list --helpers -c (redis_like)" "got '$out'"
out=$("$FB" list --helpers -c "$T/fork.yaml" 2>&1); rc=$?
[ $rc = 0 ] && [ -z "$out" ] && pass "a suite whose workloads start nothing names no helper" ||
	fail "list --helpers -c (fork)" "exit $rc: '$out'"
expect_exit 2 "list --helpers -c with a bad suite exits 2" "$FB" list --helpers -c "$T/nosuch.yaml"
expect_exit 2 "list -c without --helpers exits 2" "$FB" list -c "$T/fork.yaml"
done_testing
