# Shell test helpers: each check prints one TAP line that tests/run.sh counts.
#   pass NAME            the check held
#   fail NAME WHY        it did not (WHY says what was seen)
#   skip NAME WHY        it could not run here (WHY says why): never a pass
#   check NAME CMD...    pass if CMD exits 0, else fail with its output tail
# Scripts get FB (./flushbench), TOP (the tree) and a private T (temp dir).
pass() { echo "ok - $1"; }
fail() { echo "not ok - $1 # $2"; }
skip() { echo "ok - $1 # SKIP $2"; }
check() {
	_name=$1; shift
	if _out=$("$@" 2>&1); then pass "$_name"
	else fail "$_name" "exit $?: $(printf '%s' "$_out" | tail -3 | tr '\n' ' ')"; fi
}
# expect_exit CODE NAME CMD...: CMD must exit with CODE
expect_exit() {
	_code=$1 _name=$2; shift 2
	_out=$("$@" 2>&1); _rc=$?
	if [ "$_rc" = "$_code" ]; then pass "$_name"
	else fail "$_name" "exit $_rc, wanted $_code: $(printf '%s' "$_out" | tail -3 | tr '\n' ' ')"; fi
}
