# tests/fuzz: a fuzz target for every parser of outside input (issue 18),
# fuzz_<name>.c each, its seed corpus in seeds/<name>/. They link the
# project's code compiled again under build/fuzz/ with the sanitizers
# (-fsanitize=fuzzer-no-link,address,undefined), not the normal objects.
# With clang's libFuzzer (Debian's clang) they are libFuzzer programs;
# without it, the same targets with standalone.c, a randomized stand-in
# taking the same arguments (as tests/redis/fuzz_resp.c). Which one is
# decided once, in build/fuzz/mode (rm it to decide again).
#   make test-progs   builds them;  tests/fuzz/run.sh runs each FUZZ_SECONDS (15)
#   make fuzz         each for FUZZ_SECONDS=600, summary in build/fuzz/summary.txt
FZ_DIR    := tests/fuzz
FZ_OUT    := $(BUILD)/fuzz
FZ_NAMES  := $(patsubst $(FZ_DIR)/fuzz_%.c,%,$(sort $(wildcard $(FZ_DIR)/fuzz_*.c)))
FZ_BINS   := $(FZ_NAMES:%=$(FZ_OUT)/fuzz-%)
FZ_MODE   := $(FZ_OUT)/mode
FZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FZ_CFLAGS  = -g -O1 -fno-omit-frame-pointer $(FLB_CFLAGS)
# the library's sources, as ./flushbench has them (FLB_SRCS is defined
# after the module.mk files are read: expanded when used)
FZ_OBJS    = $(FLB_SRCS:%.c=$(FZ_OUT)/%.o)
TEST_PROGS += $(FZ_BINS)

.PHONY: fuzz
fuzz: $(FZ_BINS)
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} FUZZ_SUMMARY=$(FZ_OUT)/summary.txt \
		TOP=$(CURDIR) bash $(FZ_DIR)/run.sh

# libfuzzer: clang links -fsanitize=fuzzer; else standalone (cc, ASan+UBSan)
$(FZ_MODE):
	@mkdir -p $(dir $@)
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }\n' > $(FZ_OUT)/probe.c
	@if command -v clang >/dev/null 2>&1 && clang -fsanitize=fuzzer,address,undefined \
		-o $(FZ_OUT)/probe $(FZ_OUT)/probe.c 2>$(FZ_OUT)/probe.log; then \
		echo libfuzzer > $@; echo "  FUZZ   clang libFuzzer"; \
	else echo standalone > $@; \
		echo "  FUZZ   no clang libFuzzer (see $(FZ_OUT)/probe.log): randomized stand-in"; fi
	@rm -f $(FZ_OUT)/probe $(FZ_OUT)/probe.c

# $(1): the compiler and sanitizer flags of the mode in $(FZ_MODE)
FZ_CC = $$(if [ "$$(cat $(FZ_MODE))" = libfuzzer ]; then echo clang $(1); else echo $(CC) $(FZ_SAN); fi)

$(FZ_OUT)/%.o: %.c $(FZ_MODE)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC $@"
	@$(call FZ_CC,$(FZ_SAN) -fsanitize=fuzzer-no-link) $(FZ_CFLAGS) -MMD -MP -c -o $@ $<

.SECONDEXPANSION:
$(FZ_OUT)/libflushbench.a: $$(FZ_OBJS)
	@rm -f $@
	@$(AR) rcs $@ $^

$(FZ_OUT)/fuzz-%: $(FZ_DIR)/fuzz_%.c $(FZ_DIR)/fuzz.h $(FZ_DIR)/standalone.c $(FZ_OUT)/libflushbench.a
	@mkdir -p $(dir $@)
	@echo "  FUZZLD $@ ($$(cat $(FZ_MODE)))"
	@$(call FZ_CC,$(FZ_SAN) -fsanitize=fuzzer) $(FZ_CFLAGS) -I$(FZ_DIR) -Iguest -o $@ $< \
		$$([ "$$(cat $(FZ_MODE))" = libfuzzer ] || echo $(FZ_DIR)/standalone.c) \
		$(FZ_OUT)/libflushbench.a $(FLB_LIBS)

-include $(wildcard $(FZ_OUT)/*/*.d $(FZ_OUT)/*/*/*.d)
