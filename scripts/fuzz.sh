#!/usr/bin/env bash
# Fuzz hookproof-core with cargo-fuzz (libFuzzer via the libfuzzer-sys crate).
#
#   scripts/fuzz.sh                 # every target, 60 s each
#   FUZZ_SECONDS=300 scripts/fuzz.sh verify_path
#
# Environment:
#   FUZZ_SECONDS    time per target (default 60)
#   FUZZ_TOOLCHAIN  rustup toolchain for cargo-fuzz (default: nightly when
#                   installed, otherwise stable with RUSTC_BOOTSTRAP=1, which
#                   lets stable accept the -Z sanitizer flags cargo-fuzz passes)
#   FUZZ_MODE       "cargo-fuzz" (default) or "direct": build the targets with
#                   plain cargo and sanitizer-coverage RUSTFLAGS and run the
#                   binaries, for machines where cargo-fuzz cannot be installed
#   FUZZ_ARGS       extra libFuzzer flags
#
# New corpus entries go to fuzz/corpus/<target> (gitignored); the committed
# seeds in fuzz/seeds/<target> are read, never written. A crash leaves its
# input in fuzz/artifacts/<target>/ and makes this script exit non-zero: turn
# it into a case in crates/hookproof-core/tests/fuzz_regressions.rs.
set -uo pipefail

cd "$(dirname "$0")/../fuzz"
seconds="${FUZZ_SECONDS:-60}"
mode="${FUZZ_MODE:-cargo-fuzz}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(header_parsing verify_path)
fi

if [ -z "${FUZZ_TOOLCHAIN:-}" ]; then
    if rustup run nightly rustc --version >/dev/null 2>&1; then
        FUZZ_TOOLCHAIN=nightly
    else
        FUZZ_TOOLCHAIN=stable
        export RUSTC_BOOTSTRAP=1
    fi
elif [ "$FUZZ_TOOLCHAIN" != nightly ]; then
    export RUSTC_BOOTSTRAP=1
fi
echo "fuzz: toolchain $FUZZ_TOOLCHAIN${RUSTC_BOOTSTRAP:+ (RUSTC_BOOTSTRAP=1)}, mode $mode, ${seconds}s per target"

# libFuzzer flags: 64 KiB inputs reach MAX_HEADER_LEN (4096) and the u16 body
# lengths of verify_path; one process per target (the machine is shared).
# shellcheck disable=SC2206
lf_args=(-max_total_time="$seconds" -max_len=65536 -timeout=10 -print_final_stats=1 ${FUZZ_ARGS:-})

if [ "$mode" = cargo-fuzz ]; then
    if ! cargo fuzz --version >/dev/null 2>&1; then
        echo "fuzz: installing cargo-fuzz"
        cargo install cargo-fuzz --locked || exit 2
    fi
else
    # Same instrumentation cargo-fuzz asks rustc for, without cargo-fuzz.
    export RUSTC_BOOTSTRAP=1
    export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
    # An explicit --target keeps the flags off build scripts, as cargo-fuzz does.
    host="$(rustc "+$FUZZ_TOOLCHAIN" -vV | sed -n 's/^host: //p')"
    cargo "+$FUZZ_TOOLCHAIN" build --release --bins --target "$host" --target-dir target/direct || exit 2
fi

failed=()
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    echo "fuzz: $target for ${seconds}s"
    if [ "$mode" = cargo-fuzz ]; then
        cargo "+$FUZZ_TOOLCHAIN" fuzz run --release "$target" "corpus/$target" "seeds/$target" -- "${lf_args[@]}"
    else
        "target/direct/$host/release/$target" -artifact_prefix="artifacts/$target/" \
            "${lf_args[@]}" "corpus/$target" "seeds/$target"
    fi
    status=$?
    if [ $status -ne 0 ]; then
        echo "fuzz: $target FAILED (exit $status); inputs in fuzz/artifacts/$target/" >&2
        failed+=("$target")
    fi
done

if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz: crashes in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: no crashes"
