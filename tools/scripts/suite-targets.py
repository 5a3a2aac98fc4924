#!/usr/bin/env python3
"""Prints, one a line, the ninja targets that the tests of the given Meson suites need.

usage: suite-targets.py BUILD_DIR SUITE...

These are each test's `depends` as `meson introspect --tests` lists them: the test
executable itself plus what it declares (plugins it loads, programs it runs, such as
ds-run for docs_match_code). ninja builds the libraries they link on its own. It is the
set `meson test --suite ...` would rebuild, so `meson test --no-rebuild --suite ...`
afterwards finds every program it runs.
"""
import json
import os
import subprocess
import sys

build_dir = os.path.realpath(sys.argv[1])
suites = set(sys.argv[2:])


def introspect(kind):
    return json.loads(subprocess.check_output(['meson', 'introspect', '--' + kind, build_dir]))


def in_suites(test):
    # Meson names a suite "project:suite"; --suite accepts either form.
    return any(s in suites or s.split(':', 1)[-1] in suites for s in test['suite'])


files = {t['id']: t['filename'] for t in introspect('targets')}
targets = set()
for test in filter(in_suites, introspect('tests')):
    for dep in test['depends']:
        targets.update(os.path.relpath(os.path.realpath(f), build_dir) for f in files[dep])
if not targets:
    sys.exit(f'suite-targets.py: no test in suites {sorted(suites)} under {build_dir}')
print('\n'.join(sorted(targets)))
