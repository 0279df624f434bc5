#!/bin/sh
# Wall time and peak RSS of `eshikaku lessons check` on every hostile input, as a Markdown
# table for RELIABILITY.md. Uses GNU time (/usr/bin/time). Run from the repository root:
#
#   cargo build && tools/reliability/hostile_timings.sh target/debug/eshikaku
#
# The committed cases are the folders of tests/fixtures/hostile/; the big ones are made here,
# in a temporary folder, the same way tests/hostile.rs makes them.
set -eu
bin=${1:-target/debug/eshikaku}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

measure() { # name dir
    start=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$tmp/rss" "$bin" lessons check "$2" >"$tmp/out" 2>&1 && code=0 || code=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    first=$(head -n 1 "$tmp/out" | sed 's/^[^:]*:\([0-9]*:[0-9]*\): /\1: /' | cut -c1-60)
    printf '| %s | %s ms | %s kB | %s | %s |\n' "$1" "$ms" "$(tail -n 1 "$tmp/rss")" "$code" "$first"
}

echo "| input | wall | peak RSS | exit | first message |"
echo "|---|---:|---:|---:|---|"
for dir in tests/fixtures/hostile/*/; do
    measure "$(basename "$dir")" "$dir"
done

mk() { mkdir -p "$tmp/$1"; echo "$tmp/$1"; }
d=$(mk huge_50mb); head -c 52428800 /dev/zero | tr '\0' a >"$d/huge.yaml"; measure huge_50mb "$d"
d=$(mk deep_block); python3 -c 'print("- " * 500000 + "x")' >"$d/deep_block.yaml"; measure deep_block "$d"
d=$(mk deep_flow); python3 -c 'print("a: " + "[" * 500000, end="")' >"$d/deep_flow.yaml"; measure deep_flow "$d"
d=$(mk deep_indent); python3 -c 'print("a:\n" + "".join(" " * i + "a:\n" for i in range(1, 1000)), end="")' >"$d/deep_indent.yaml"; measure deep_indent "$d"
d=$(mk many_choices_100k)
python3 - "$d/many.yaml" <<'PY'
import sys
c = ", ".join(f"c{i}" for i in range(100000))
open(sys.argv[1], "w").write(f"""format_version: 1
id: many
title: t
chapter: normalization
syllabus: テスト
body:
  - heading: 見出し
    text: 本文。
questions:
  - id: q1
    prompt: p
    choices: [{c}]
    answer: 0
    explanation: e
""")
PY
measure many_choices_100k "$d"
d=$(mk fifo_links); mkfifo "$d/pipe.yaml"; ln -s /dev/zero "$d/zero.yaml"; ln -s . "$d/loop"; ln -s /etc/passwd "$d/secret.yaml"
measure fifo_links "$d"
