#!/usr/bin/env python3
"""Regenerate tests/vectors/policy/ from the case lists in this directory.

    python3 tests/vectors/gen/gen_corpus.py           # rewrite tests/vectors/policy/
    python3 tests/vectors/gen/gen_corpus.py --check   # compare, change nothing

The generated files are committed; CTest reads them, not this script. Every expected answer is
written by hand in the cases_*.py files from the IAM User Guide (the Rule of each case names
the page and section); nothing here evaluates a policy.
"""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cases_decision  # noqa: E402
import cases_elements  # noqa: E402
import cases_empty  # noqa: E402
import cases_errors  # noqa: E402
import cases_host  # noqa: E402
import cases_multi  # noqa: E402
import cases_operators  # noqa: E402
import cases_values  # noqa: E402
import cases_trust  # noqa: E402
import cases_vars  # noqa: E402
from corpus import Corpus  # noqa: E402


def compare_trees(a, b):
    """Differences between two case trees, as readable lines."""
    out = []
    da, db = set(os.listdir(a)), set(os.listdir(b))
    for name in sorted(da - db):
        out.append("only in the committed corpus: %s" % name)
    for name in sorted(db - da):
        out.append("missing from the committed corpus: %s" % name)
    for name in sorted(da & db):
        fa, fb = set(os.listdir(os.path.join(a, name))), set(os.listdir(os.path.join(b, name)))
        if fa != fb:
            out.append("%s: files differ (%s vs %s)" % (name, sorted(fa), sorted(fb)))
            continue
        for f in sorted(fa):
            with open(os.path.join(a, name, f), "rb") as x, open(os.path.join(b, name, f), "rb") as y:
                if x.read() != y.read():
                    out.append("%s/%s differs from what the generator writes" % (name, f))
    return out


def build():
    c = Corpus(None)
    for mod in (cases_operators, cases_values, cases_multi, cases_elements, cases_vars,
                cases_decision, cases_host, cases_errors, cases_empty, cases_trust):
        mod.generate(c)
    cases_errors.generate_layout(c)
    cases_elements.generate_layout(c)
    cases_vars.generate_more(c)
    cases_empty.generate_nulls(c)
    cases_elements.generate_short_arns(c)
    return c


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    committed = os.path.join(os.path.dirname(here), "policy")
    args = sys.argv[1:]
    c = build()
    if args == ["--check"]:
        # Regenerate into a private directory and compare with the committed files, so that a
        # hand edit of a generated file (or a forgotten regeneration) is caught.
        with tempfile.TemporaryDirectory() as tmp:
            c.root = os.path.join(tmp, "policy")
            c.write()
            diffs = compare_trees(committed, c.root)
        for line in diffs:
            print(line)
        print("%d cases, %s" % (len(c.cases), "corpus is up to date" if not diffs else
                                "corpus differs from its generator: run gen_corpus.py"))
        return 1 if diffs else 0
    if args:
        print("usage: gen_corpus.py [--check]", file=sys.stderr)
        return 2
    c.root = committed
    n = c.write()
    errors = sum(1 for v in c.cases.values() if "error" in v)
    print("wrote %d cases (%d expected-error) under %s" % (n, errors, committed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
