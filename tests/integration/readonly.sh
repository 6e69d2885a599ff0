# A results store that cannot be written: on a read-only file system (a
# tmpfs remounted ro, in a private mount namespace), a read-only file, a
# directory that may not be written (as the user nobody: root ignores
# permission bits). A writer says so in one line ("results store
# read-only: PATH: why") and exits non-zero; readers (runs, compare) work;
# nothing stored changes, not a byte of the file.
. "$TOP/tests/lib.sh"
# a copy in $T (711 below): nobody reads it also where the tree is in a
# directory only root may enter (a clone into mktemp -d)
tiny=$T/tiny.yaml
install -m 644 "$TOP/tests/integration/tiny.yaml" "$tiny"
in_private_mounts "read-only stores"
q() { sqlite3 "$1" "$2" 2>&1; }
content() { sqlite3 "$1" "select r.id, r.label, r.status, count(s.id) from runs r left join samples s on s.run_id = r.id group by r.id order by r.id" 2>&1; }
sum() { cat "$1" "$1-wal" 2>/dev/null | md5sum; }
# writer_refused NAME DB WHY [AS...]: a run into DB exits 2 with the one
# line "flushbench run: results store read-only: DB: WHY", DB unchanged
writer_refused() {
	local name=$1 db=$2 why=$3 before out rc
	shift 3
	before=$(sum "$db")
	out=$("$@" "$FB" run -q -c "$tiny" --db "$db" --label late 2>&1); rc=$?
	[ $rc = 2 ] && [ "$out" = "flushbench run: results store read-only: $db: $why" ] &&
		pass "$name: a run exits 2: $out" || fail "$name: run" "exit $rc: $out"
	[ "$(sum "$db")" = "$before" ] && pass "$name: not a byte of the store changed" ||
		fail "$name: store changed" "$(ls -l "$db"*)"
}
# readers_work NAME DB [AS...]: runs lists runs a and b; compare a b works
readers_work() {
	local name=$1 db=$2 out rc
	shift 2
	out=$("$@" "$FB" runs --db "$db" 2>&1); rc=$?
	[ $rc = 0 ] && [ "$(echo "$out" | grep -Ec '^[12] +[ab] +complete .* 2$')" = 2 ] &&
		pass "$name: flushbench runs reads it" || fail "$name: runs" "exit $rc: $out"
	out=$("$@" "$FB" compare --db "$db" a b 2>&1); rc=$?
	[ $rc = 0 ] && echo "$out" | grep -q munmap &&
		pass "$name: flushbench compare reads it" || fail "$name: compare" "exit $rc: $(echo "$out" | tail -3)"
}

M=$T/ro
mkdir "$M"
chmod 711 "$T"	# nobody reaches $M
if ! mount -t tmpfs -o size=4m,mode=755 fbreadonly "$M" 2>"$T/mnt.err"; then
	fail "mount a tmpfs" "$(cat "$T/mnt.err")"
	done_testing
	exit 0
fi
db=$M/r.db
tiny_runs "$db" a b
[ "$(content "$db")" = "$(printf '1|a|complete|2\n2|b|complete|2')" ] &&
	pass "a store of two runs" || fail "the store" "$(content "$db")"

# --- as nobody: a read-only file, a directory it may not write ---
if ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
	skip "as nobody" "no setpriv (util-linux) or no user nobody here"
else
	NB="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	# flushbench and its worker (found beside it) copied where nobody
	# reaches them: the tree may be in a directory only root may enter
	fb_tree=$FB
	mkdir -m 755 "$T/nb"
	install -m 755 "$FB" "$(dirname "$FB")/flushbench-worker" "$T/nb/"
	FB=$T/nb/flushbench
	mkdir -m 777 "$M/wdir"
	cp "$db" "$M/wdir/r.db"	# 644 root: the file read-only to nobody
	writer_refused "read-only file" "$M/wdir/r.db" "Permission denied" $NB
	readers_work "read-only file" "$M/wdir/r.db" $NB
	mkdir -m 755 "$M/rdir"
	cp "$db" "$M/rdir/r.db"
	chmod 666 "$M/rdir/r.db"	# writable, in a directory nobody may not write
	writer_refused "directory not writable" "$M/rdir/r.db" \
		"cannot create its -wal and -shm files: $M/rdir: Permission denied" $NB
	readers_work "directory not writable" "$M/rdir/r.db" $NB
	out=$($NB "$FB" run -q -c "$tiny" --db "$M/rdir/new.db" 2>&1); rc=$?
	[ $rc = 2 ] && [ "$out" = "flushbench run: results store read-only: $M/rdir/new.db: cannot create it: $M/rdir: Permission denied" ] &&
		[ ! -e "$M/rdir/new.db" ] &&
		pass "a new store in a directory not writable: exit 2: $out" || fail "new store, directory not writable" "exit $rc: $out"
	FB=$fb_tree
fi

# --- a read-only file system, with a store a writer was killed at ---
cat > "$M/long.yaml" <<'Y'
samples: 500
warmup: 0
duration: 20ms
jobs:
  - workload: munmap
    size: 64K
Y
kdb=$M/k.db
cp "$db" "$kdb"
"$FB" run -q -c "$M/long.yaml" --db "$kdb" --label killed >/dev/null 2>&1 &
pid=$!
wait_samples "$kdb" 9 || fail "the run stores samples" "none in 30 s"
kill -9 $pid
wait $pid 2>/dev/null
# (sqlite3 would fold the -wal in as it closes: flushbench readers do not)
n=$("$FB" runs --db "$kdb" 2>&1 | awk '$1 == 3 { print $NF }')
[ -s "$kdb-wal" ] && [ "${n:-0}" -ge 5 ] && pass "a writer killed left $n samples, its -wal there" ||
	fail "killed writer" "$n samples; $(ls -l "$M")"
# a copy without the -shm: its -wal cannot be read on a read-only mount
cp "$kdb" "$M/c.db"
cp "$kdb-wal" "$M/c.db-wal"
mount -o remount,ro "$M"
[ "$(findmnt -no OPTIONS "$M" | cut -d, -f1)" = ro ] && pass "the tmpfs is read-only now" ||
	fail "remount ro" "$(findmnt -no OPTIONS "$M")"
writer_refused "read-only file system" "$db" "Read-only file system"
readers_work "read-only file system" "$db"
writer_refused "read-only file system, a -wal in it" "$kdb" "Read-only file system"
readers_work "read-only file system, a -wal in it" "$kdb"
out=$("$FB" runs --db "$kdb" 2>&1)
echo "$out" | grep -Eq "^3 +killed +aborted .* $n\$" &&
	pass "a reader sees the killed run's $n samples in the -wal, aborted" || fail "killed run read" "$out"
out=$("$FB" runs --db "$M/c.db" 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "flushbench runs: $M/c.db: its -wal holds writes not yet in the file, which SQLite reads only with an -shm file, and none can be created in $M (Read-only file system): copy it and its -wal to a directory that can be written, and read the copy" ] &&
	pass "a -wal without its -shm: readers say why they cannot read it: $out" ||
	fail "a -wal without its -shm" "exit $rc: $out"
out=$("$FB" run -q -c "$tiny" --db "$M/new.db" 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "flushbench run: results store read-only: $M/new.db: cannot create it: $M: Read-only file system" ] &&
	pass "a new store: exit 2: $out" || fail "new store on a read-only file system" "exit $rc: $out"
"$FB" run -q -c "$TOP/configs/quick.yaml" --only munmap --db "$T/src.db" --label src >/dev/null 2>&1 ||
	fail "a source store for import" "exit $?"
before=$(sum "$db")
out=$("$FB" import --db "$db" "$T/src.db" 2>&1); rc=$?
[ $rc = 1 ] && [ "$out" = "flushbench import: results store read-only: $db: Read-only file system" ] &&
	[ "$(sum "$db")" = "$before" ] &&
	pass "an import: exit 1, nothing changed: $out" || fail "import into a read-only store" "exit $rc: $out"
out=$("$FB" run -q -c "$tiny" --db "$T/missing/r.db" 2>&1); rc=$?
[ $rc = 2 ] && [[ "$out" != *read-only* ]] && [[ "$out" == *"No such file or directory"* ]] &&
	pass "a --db in a missing directory is not called read-only: $out" ||
	fail "missing directory" "exit $rc: $out"
mount -o remount,rw "$M"
out=$("$FB" runs --db "$M/c.db" 2>&1)
echo "$out" | grep -Eq "^3 +killed +aborted .* $n\$" &&
	pass "writable again, the copy reads, the killed run's $n samples in it" || fail "the copy, writable" "$out"
[ "$(q "$kdb" 'pragma integrity_check')" = ok ] && [ "$(content "$db")" = "$(printf '1|a|complete|2\n2|b|complete|2')" ] &&
	pass "writable again: integrity_check ok, the same runs" || fail "after read-only" "$(content "$db")"
umount "$M"
done_testing
