#!/usr/bin/env python3
"""Regenerate tests/vectors/policy/ from the case lists in this directory.

    python3 tests/vectors/gen/gen_corpus.py

The generated files are committed; CTest reads them, not this script. Every expected answer is
written by hand in the cases_*.py files from the IAM User Guide (the Rule of each case names
the page and section); nothing here evaluates a policy.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cases_decision  # noqa: E402
import cases_elements  # noqa: E402
import cases_errors  # noqa: E402
import cases_host  # noqa: E402
import cases_multi  # noqa: E402
import cases_operators  # noqa: E402
import cases_values  # noqa: E402
import cases_vars  # noqa: E402
from corpus import Corpus  # noqa: E402


def main():
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "policy")
    c = Corpus(root)
    for mod in (cases_operators, cases_values, cases_multi, cases_elements, cases_vars,
                cases_decision, cases_host, cases_errors):
        mod.generate(c)
    cases_errors.generate_layout(c)
    cases_elements.generate_layout(c)
    cases_vars.generate_more(c)
    n = c.write()
    errors = sum(1 for v in c.cases.values() if "error" in v)
    print("wrote %d cases (%d expected-error) under %s" % (n, errors, root))


if __name__ == "__main__":
    main()
