#!/usr/bin/env python3
"""Keeps the docs true to the code they quote.

1. Every ```cpp block in docs/custom-actors.md preceded by `<!-- snippet: NAME -->`
   must equal the lines between `// [doc:NAME]` and `// [end:NAME]` in
   tools/plugins/example/example_plugin.cpp (a compiled, tested example).
2. The generated section of docs/config.md must equal `ds-run --config-reference`.

usage: check-docs.py DS_RUN SOURCE_ROOT [--fix]   (--fix rewrites the generated section)
"""
import re
import subprocess
import sys
from pathlib import Path

BEGIN = "<!-- BEGIN GENERATED: stage reference (ds-run --config-reference) -->"
END = "<!-- END GENERATED -->"


def example_regions(source: str) -> dict:
    regions, current, lines = {}, None, []
    for line in source.splitlines():
        stripped = line.strip()
        if m := re.fullmatch(r"// \[doc:([\w-]+)\]", stripped):
            current, lines = m.group(1), []
        elif current and stripped == f"// [end:{current}]":
            regions[current] = "\n".join(lines)
            current = None
        elif current:
            lines.append(line)
    return regions


def check_snippets(root: Path) -> list:
    doc_path = root / "docs/custom-actors.md"
    regions = example_regions((root / "tools/plugins/example/example_plugin.cpp").read_text())
    doc = doc_path.read_text()
    problems, seen = [], 0
    for m in re.finditer(r"<!-- snippet: ([\w-]+) -->\n```cpp\n(.*?)\n```", doc, re.S):
        seen += 1
        name, text = m.group(1), m.group(2)
        line = doc.count("\n", 0, m.start()) + 1
        if name not in regions:
            problems.append(f"{doc_path}:{line}: snippet '{name}' has no region in example_plugin.cpp")
        elif regions[name].rstrip("\n") != text.rstrip("\n"):
            problems.append(f"{doc_path}:{line}: snippet '{name}' differs from example_plugin.cpp")
    if seen == 0:
        problems.append(f"{doc_path}: no snippets found")
    return problems


def check_reference(ds_run: str, root: Path, fix: bool) -> list:
    doc_path = root / "docs/config.md"
    doc = doc_path.read_text()
    if BEGIN not in doc or END not in doc:
        return [f"{doc_path}: generated-section markers missing"]
    generated = subprocess.run([ds_run, "--config-reference"], check=True,
                               capture_output=True, text=True).stdout
    head, rest = doc.split(BEGIN, 1)
    current, tail = rest.split(END, 1)
    wanted = "\n" + generated.strip("\n") + "\n"
    if current == wanted:
        return []
    if fix:
        doc_path.write_text(head + BEGIN + wanted + END + tail)
        print(f"{doc_path}: generated section rewritten")
        return []
    return [f"{doc_path}: stage reference is stale; run tools/scripts/check-docs.py {ds_run} {root} --fix"]


def main() -> int:
    ds_run, root = sys.argv[1], Path(sys.argv[2])
    problems = check_snippets(root) + check_reference(ds_run, root, "--fix" in sys.argv[3:])
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
