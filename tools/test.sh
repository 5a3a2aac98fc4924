#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every Meson
# suite, then the unit and fuzz suites again under AddressSanitizer + UBSan, and ends
# with one line "N passed, N failed" (skipped tests are counted on the line before).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/scripts/install-deps.sh" || exit 1
build=${BUILD_DIR:-$root/build}
asan_build=${ASAN_BUILD_DIR:-$root/build-asan}

BUILD_DIR=$build "$root/tools/scripts/build.sh" || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
meson test -C "$build" --no-rebuild --print-errorlogs --num-processes 2 </dev/null
logs=("$build/meson-logs/testlog.json")

if [[ "${DSFLOW_SKIP_SANITIZERS:-0}" != 1 ]]; then
  # No CUDA here: the release build above already compiles every .cu file, and with no GPU
  # the sanitized run could only skip the CUDA tests.
  # The sanitizer build is the slowest step of CI, so it is kept to what it is for:
  # - BUILD_SUITES: only the executables (and the plugins / ds-run they use) of the suites
  #   run below; the release build above still compiles every target.
  # - -O1 rather than release's -O3 (the level sanitizers are usually run at): about half
  #   the compile time. -g1 adds line tables, so ASan/UBSan reports show file:line, at no
  #   measurable compile cost (full -g costs ~40% more). The buildtype stays release, so
  #   NDEBUG is set as before (Meson warns that -Doptimization overrides the buildtype's).
  # An existing $asan_build keeps the options it was configured with; delete it to change.
  asan_suites=(unit fuzz)
  if BUILD_DIR=$asan_build BUILD_SUITES="${asan_suites[*]}" \
       MESON_ARGS="-Db_sanitize=address,undefined -Db_lundef=false -Dcuda=disabled -Doptimization=1 -Dcpp_args=-g1" \
       "$root/tools/scripts/build.sh"; then
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      meson test -C "$asan_build" --no-rebuild --print-errorlogs "${asan_suites[@]/#/--suite=}" \
        --num-processes 2 </dev/null
    logs+=("$asan_build/meson-logs/testlog.json")
  else
    echo "sanitizer build failed"
    sanitizer_build_failed=1
  fi
fi

python3 - "${sanitizer_build_failed:-0}" "${logs[@]}" <<'PY'
import json, sys
build_failures = int(sys.argv[1])
passed = failed = skipped = 0
for path in sys.argv[2:]:
    with open(path) as log:
        for line in log:
            result = json.loads(line).get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
failed += build_failures
print(f"{skipped} skipped")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
