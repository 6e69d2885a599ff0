# The kernel module, built against Debian 12's own headers (fetched with
# scripts/debian-kernel.sh into build/kernels): `make kmod-x86_64`,
# `make kmod-arm64` (cross, aarch64-linux-gnu-gcc-12), or `make kmod`
# for both. The .ko lands in build/kmod/<arch>/flushbench.ko.
# `make kmod-checkpatch` runs checkpatch.pl --no-tree -f over kmod/.
KMOD_SRCS := $(wildcard kmod/*.c kmod/*.h kmod/arch/*.c kmod/Kbuild)

.PHONY: kmod kmod-x86_64 kmod-arm64 kmod-checkpatch
kmod: kmod-x86_64 kmod-arm64
kmod-x86_64: $(BUILD)/kmod/x86_64/flushbench.ko
kmod-arm64: $(BUILD)/kmod/arm64/flushbench.ko

$(BUILD)/kmod/%/flushbench.ko: $(KMOD_SRCS) scripts/kmod-build.sh
	scripts/kmod-build.sh $* $(BUILD)/kmod/$*

kmod-checkpatch:
	scripts/checkpatch.sh $(KMOD_SRCS)
