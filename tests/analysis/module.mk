# tests/analysis: fb-mkdb writes synthetic runs through the store API for
# the analysis integration tests (tests/analysis/*.sh).
TEST_PROGS += $(BUILD)/tests/fb-mkdb

$(BUILD)/tests/fb-mkdb: tests/analysis/mkdb.c $(BUILD)/libflushbench.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(FLB_CFLAGS) -o $@ $< $(FLB_LIB) $(FLB_LIBS)
