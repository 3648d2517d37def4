"""Framework for writing policy conformance cases (see ../README.md).

Every case is a directory under tests/vectors/policy/ holding plain JSON files. The expected
answers here are written by hand from the IAM User Guide; nothing is computed by an engine.
"""

import json
import os
import re
import shutil

ACCT = "123456789012"
HOST = "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"
OTHER_HOST = "arn:aws:ec2:us-east-1:123456789012:instance/i-0fedcba9876543210"
ALICE = "arn:aws:iam::123456789012:user/alice"
BOB = "arn:aws:iam::123456789012:user/bob"
V12 = "2012-10-17"
V08 = "2008-10-17"

# Page names of the IAM User Guide, used in every Rule.
P_OPS = "IAM User Guide, 'IAM JSON policy elements: Condition operators'"
P_COND = "IAM User Guide, 'IAM JSON policy elements: Condition'"
P_MULTI = "IAM User Guide, 'Single-valued vs. multivalued context keys' / 'Set operators for multivalued context keys'"
P_VARS = "IAM User Guide, 'IAM policy elements: Variables and tags'"
P_EVAL = "IAM User Guide, 'Policy evaluation logic'"
P_BOUND = "IAM User Guide, 'Permissions boundaries for IAM entities'"
P_ELEM = "IAM User Guide, 'IAM JSON policy elements reference'"
P_ACTION = "IAM User Guide, 'IAM JSON policy elements: Action'"
P_NOTACTION = "IAM User Guide, 'IAM JSON policy elements: NotAction'"
P_RES = "IAM User Guide, 'IAM JSON policy elements: Resource'"
P_NOTRES = "IAM User Guide, 'IAM JSON policy elements: NotResource'"
P_VERSION = "IAM User Guide, 'IAM JSON policy elements: Version'"
P_STMT = "IAM User Guide, 'IAM JSON policy elements: Statement'"
P_SID = "IAM User Guide, 'IAM JSON policy elements: Sid'"
P_EFFECT = "IAM User Guide, 'IAM JSON policy elements: Effect'"
P_PRINC = "IAM User Guide, 'AWS JSON policy elements: Principal'"
P_NOTPRINC = "IAM User Guide, 'AWS JSON policy elements: NotPrincipal'"
P_GRAMMAR = "IAM User Guide, 'Grammar of the IAM JSON policy language'"
P_SIM = "IAM API Reference, 'SimulateCustomPolicy'"
P_KEYS = "IAM User Guide, 'AWS global condition context keys'"


def stmt(effect="Allow", action="host:Login", resource="*", cond=None, sid=None,
         not_action=None, not_resource=None, principal=None, not_principal=None):
    """A statement with keys in the usual order. Pass action=None when using not_action."""
    s = {}
    if sid is not None:
        s["Sid"] = sid
    s["Effect"] = effect
    if principal is not None:
        s["Principal"] = principal
    if not_principal is not None:
        s["NotPrincipal"] = not_principal
    if action is not None and not_action is None:
        s["Action"] = action
    if not_action is not None:
        s["NotAction"] = not_action
    if not_resource is not None:
        s["NotResource"] = not_resource
    elif resource is not None:
        s["Resource"] = resource
    if cond is not None:
        s["Condition"] = cond
    return s


def policy(*statements, version=V12, as_object=False):
    p = {}
    if version is not None:
        p["Version"] = version
    if as_object:
        assert len(statements) == 1
        p["Statement"] = statements[0]
    else:
        p["Statement"] = list(statements)
    return p


def ctx(key, typ, *values):
    return {"ContextKeyName": key, "ContextKeyValues": list(values), "ContextKeyType": typ}


def render(p):
    """Policy documents are stored pretty-printed so that line numbers are easy to read."""
    if isinstance(p, str):
        return p
    return json.dumps(p, indent=2, ensure_ascii=False) + "\n"


def statement_lines(text):
    """1-based line of each statement object's '{' in a rendered (array-form) policy."""
    return [i + 1 for i, line in enumerate(text.split("\n")) if line == "    {"]


def pos_of(text, needle, occurrence=1):
    """1-based (line, column) of the first character of the n-th occurrence of needle;
    columns count code points."""
    idx = -1
    for _ in range(occurrence):
        idx = text.find(needle, idx + 1)
        if idx < 0:
            raise ValueError("needle %r not found %d times" % (needle, occurrence))
    line = text.count("\n", 0, idx) + 1
    col = idx - (text.rfind("\n", 0, idx) + 1) + 1
    return line, col


class Corpus:
    def __init__(self, root):
        self.root = root
        self.cases = {}

    def _check_name(self, name):
        if not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", name):
            raise ValueError("bad case name %r" % name)
        if name in self.cases:
            raise ValueError("duplicate case name %r" % name)

    def add(self, name, rule, policies, request, results, boundaries=(), resource_policy=None):
        """results: list of (action, resource, decision) or dicts with extra fields
        (MatchedStatements, MissingContextValues)."""
        self._check_name(name)
        if not isinstance(policies, (list, tuple)):
            policies = [policies]
        res = []
        for r in results:
            if isinstance(r, dict):
                res.append(r)
            else:
                a, rs, d = r
                res.append({"EvalActionName": a, "EvalResourceName": rs, "EvalDecision": d})
        for r in res:
            assert r["EvalDecision"] in ("allowed", "explicitDeny", "implicitDeny"), r
        self.cases[name] = {
            "policies": [render(p) for p in policies],
            "boundaries": [render(p) for p in boundaries],
            "resource_policy": render(resource_policy) if resource_policy is not None else None,
            "request": request,
            "expected": {"Rule": rule, "EvaluationResults": res},
        }

    def one(self, name, rule, policies, action, decision, resource=None, context=(),
            caller=None, boundaries=(), resource_policy=None, matched=None, missing=None):
        """A request for one action on one resource (default "*")."""
        req = {"ActionNames": [action]}
        if resource is not None:
            req["ResourceArns"] = [resource]
        if context:
            req["ContextEntries"] = list(context)
        if caller is not None:
            req["CallerArn"] = caller
        r = {"EvalActionName": action, "EvalResourceName": resource or "*",
             "EvalDecision": decision}
        if matched is not None:
            r["MatchedStatements"] = [
                {"SourcePolicyId": sid, "StartPosition": {"Line": line}} for sid, line in matched]
        if missing is not None:
            r["MissingContextValues"] = list(missing)
        self.add(name, rule, policies, req, [r], boundaries=boundaries,
                 resource_policy=resource_policy)

    def error(self, name, rule, policy_text, at, contains, source="PolicyInputList.1",
              occurrence=1, request=None, other_policies=(), where="policy", boundaries=(),
              resource_policy=None):
        """A policy that must be rejected. `at` is the text whose first character the error
        position names (its n-th occurrence in the offending document)."""
        self._check_name(name)
        line, col = pos_of(policy_text, at, occurrence)
        policies = list(other_policies)
        bnds = list(boundaries)
        rp = resource_policy
        if where == "policy":
            policies.append(policy_text)
        elif where == "boundary":
            bnds.append(policy_text)
        elif where == "resource":
            rp = policy_text
        else:
            raise ValueError(where)
        if not policies:
            policies = [policy(stmt())]
        self.cases[name] = {
            "policies": [render(p) for p in policies],
            "boundaries": [render(p) for p in bnds],
            "resource_policy": render(rp) if rp is not None else None,
            "request": request or {"ActionNames": ["host:Login"]},
            "error": {"Rule": rule, "Source": source, "Line": line, "Column": col,
                      "Contains": contains},
        }

    def write(self):
        if os.path.isdir(self.root):
            shutil.rmtree(self.root)
        os.makedirs(self.root)
        for name, c in sorted(self.cases.items()):
            d = os.path.join(self.root, name)
            os.makedirs(d)
            for i, text in enumerate(c["policies"]):
                fn = "policy.json" if i == 0 else "policy%d.json" % (i + 1)
                with open(os.path.join(d, fn), "w", encoding="utf-8") as f:
                    f.write(text)
            for i, text in enumerate(c["boundaries"]):
                fn = "boundary.json" if i == 0 else "boundary%d.json" % (i + 1)
                with open(os.path.join(d, fn), "w", encoding="utf-8") as f:
                    f.write(text)
            if c["resource_policy"] is not None:
                with open(os.path.join(d, "resource-policy.json"), "w", encoding="utf-8") as f:
                    f.write(c["resource_policy"])
            with open(os.path.join(d, "request.json"), "w", encoding="utf-8") as f:
                f.write(json.dumps(c["request"], indent=2, ensure_ascii=False) + "\n")
            if "error" in c:
                fn, body = "expected-error.json", c["error"]
            else:
                fn, body = "expected.json", c["expected"]
            with open(os.path.join(d, fn), "w", encoding="utf-8") as f:
                f.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        return len(self.cases)
