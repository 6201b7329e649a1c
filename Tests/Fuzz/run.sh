#!/usr/bin/env bash
# Fuzzes every parser with libFuzzer.
#
#   Tests/Fuzz/run.sh [RUNS] [TARGET ...]      RUNS defaults to 1000000; TARGETs default to all of them
#
# SwiftPM cannot build these (a nested package would not get our build plugin), so the script compiles the pure
# modules itself with `swiftc -sanitize=fuzzer,address`, one module at a time in dependency order, taking
# EngineIOSpec's generated sources from Generated/. Each target is one entry of FuzzTargets.all; its invariant
# failing, or the parser trapping, makes libFuzzer save the input under Tests/Fuzz/crashers/<target>/, which the
# ordinary test suite replays (FuzzRegressionTests) with the committed seed corpus in Tests/Fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../.."

runs="${1:-1000000}"
shift || true
out=Tests/Fuzz/out
mkdir -p "$out/modules" "$out/corpus"

flags=(-swift-version 6 -parse-as-library -O -sanitize=fuzzer,address -g)
build_module() {
    local name=$1
    shift
    echo "compiling $name"
    swiftc "${flags[@]}" -wmo -c -module-name "$name" -emit-module -emit-module-path "$out/modules/$name.swiftmodule" \
        -I "$out/modules" -o "$out/modules/$name.o" "$@"
}
build_module EngineIOJSON $(find Sources/EngineIOJSON -name '*.swift')
build_module EngineIOWire $(find Sources/EngineIOWire -name '*.swift')
build_module EngineIOSpec $(find Sources/EngineIOSpec Generated/EngineIOSpec -name '*.swift')
build_module EngineIOCore $(find Sources/EngineIOCore -name '*.swift')
build_module EngineIOTesting $(find Sources/EngineIOTesting -name '*.swift')

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    # The names are the keys of FuzzTargets.all (and of wireTargets), written as `"name": {` in the sources.
    mapfile -t targets < <(grep -ho '^ *"[a-z0-9-]*": ' Sources/EngineIOTesting/FuzzTargets*.swift | tr -d ' ":' | sort -u)
fi

summary=()
for target in "${targets[@]}"; do
    main="$out/$target.swift"
    cat > "$main" <<SWIFT
import EngineIOTesting

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let bytes = count == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: count))
    if let failure = FuzzTargets.run("$target", bytes) { fatalError("invariant broken: \(failure)") }
    return 0
}
SWIFT
    echo "linking fuzz-$target"
    swiftc "${flags[@]}" -I "$out/modules" "$main" "$out"/modules/*.o -o "$out/fuzz-$target" 2>&1 | grep -v "Cannot export local symbol" || true
    crashers="Tests/Fuzz/crashers/$target"
    mkdir -p "$crashers" "$out/corpus/$target"
    log="$out/$target.log"
    echo "fuzzing $target for $runs runs"
    # The first folder takes what libFuzzer finds; the committed seeds (Tests/Fuzz/corpus) start it off.
    if "$out/fuzz-$target" -runs="$runs" -max_len=4096 -artifact_prefix="$crashers/" -print_final_stats=1 \
        "$out/corpus/$target" "Tests/Fuzz/corpus/$target" >"$log" 2>&1; then
        executed=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
        summary+=("$target: $executed executions, no crash")
    else
        summary+=("$target: CRASH, input saved in $crashers (log: $log)")
    fi
    rmdir "$crashers" 2>/dev/null || true
done

printf '%s\n' "${summary[@]}"
if printf '%s\n' "${summary[@]}" | grep -q CRASH; then exit 1; fi
