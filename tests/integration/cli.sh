# The command line: help, unknown commands.
. "$TOP/tests/lib.sh"
expect_exit 0 "flushbench --help exits 0" "$FB" --help
expect_exit 2 "unknown command exits 2" "$FB" no-such-command
done_testing
