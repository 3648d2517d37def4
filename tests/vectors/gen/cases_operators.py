"""Every condition operator, plain and ...IfExists, in Allow and Deny statements, with the key
matching, not matching, and missing."""

from corpus import (P_OPS, V12, ctx, policy, stmt, statement_lines, render)

MISSING_RULE = (P_OPS + ", 'Important' note: if the key in a policy condition is not present in "
                "the request context, the values do not match and the condition is false; if the "
                "operator requires that the key is not matched (negated operators such as "
                "StringNotLike, ArnNotLike, NotIpAddress), a missing key makes the condition true. "
                "This applies to all operators except ...IfExists and Null.")
IFEXISTS_RULE = (P_OPS + ", '...IfExists condition operators': if the key is present it is "
                 "processed as the base operator says; if it is not present the condition "
                 "element evaluates to true.")

# (operator, key, context type, policy value, a context value that makes the condition true,
#  one that makes it false, negated?, rule for the operator itself)
OPERATORS = [
    ("StringEquals", "host:Service", "string", "sshd", "sshd", "SSHD", False,
     "String condition operators: StringEquals is exact matching, case sensitive"),
    ("StringNotEquals", "host:Service", "string", "sshd", "sudo", "sshd", True,
     "String condition operators: StringNotEquals is negated exact matching"),
    ("StringEqualsIgnoreCase", "host:Service", "string", "SSHD", "sshd", "sudo", False,
     "String condition operators: StringEqualsIgnoreCase is exact matching ignoring case"),
    ("StringNotEqualsIgnoreCase", "host:Service", "string", "SSHD", "sudo", "sshd", True,
     "String condition operators: StringNotEqualsIgnoreCase is negated matching ignoring case"),
    ("StringLike", "host:Service", "string", "ss*d", "sshd", "sudo", False,
     "String condition operators: StringLike is case-sensitive matching with * and ? wildcards"),
    ("StringNotLike", "host:Service", "string", "ss*d", "sudo", "sshd", True,
     "String condition operators: StringNotLike is negated case-sensitive wildcard matching"),
    ("NumericEquals", "aws:MultiFactorAuthAge", "numeric", "3600", "3600", "3601", False,
     "Numeric condition operators: NumericEquals"),
    ("NumericNotEquals", "aws:MultiFactorAuthAge", "numeric", "3600", "60", "3600", True,
     "Numeric condition operators: NumericNotEquals is negated matching"),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "numeric", "3600", "3599", "3600", False,
     "Numeric condition operators: NumericLessThan is strict 'less than' (equal is false)"),
    ("NumericLessThanEquals", "aws:MultiFactorAuthAge", "numeric", "3600", "3600", "3601", False,
     "Numeric condition operators: NumericLessThanEquals ('less than or equals')"),
    ("NumericGreaterThan", "aws:MultiFactorAuthAge", "numeric", "3600", "3601", "3600", False,
     "Numeric condition operators: NumericGreaterThan is strict 'greater than' (equal is false)"),
    ("NumericGreaterThanEquals", "aws:MultiFactorAuthAge", "numeric", "3600", "3600", "3599",
     False, "Numeric condition operators: NumericGreaterThanEquals"),
    ("DateEquals", "aws:CurrentTime", "date", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z",
     "2026-01-01T00:00:01Z", False, "Date condition operators: DateEquals matches a specific date"),
    ("DateNotEquals", "aws:CurrentTime", "date", "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z",
     "2026-01-01T00:00:00Z", True, "Date condition operators: DateNotEquals is negated matching"),
    ("DateLessThan", "aws:CurrentTime", "date", "2026-01-01T00:00:00Z", "2025-12-31T23:59:59Z",
     "2026-01-01T00:00:00Z", False,
     "Date condition operators: DateLessThan matches before the date and time (equal is false)"),
    ("DateLessThanEquals", "aws:CurrentTime", "date", "2026-01-01T00:00:00Z",
     "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", False,
     "Date condition operators: DateLessThanEquals matches at or before the date and time"),
    ("DateGreaterThan", "aws:CurrentTime", "date", "2026-01-01T00:00:00Z",
     "2026-01-01T00:00:01Z", "2026-01-01T00:00:00Z", False,
     "Date condition operators: DateGreaterThan matches after the date and time (equal is false)"),
    ("DateGreaterThanEquals", "aws:CurrentTime", "date", "2026-01-01T00:00:00Z",
     "2026-01-01T00:00:00Z", "2025-12-31T23:59:59Z", False,
     "Date condition operators: DateGreaterThanEquals matches at or after the date and time"),
    ("Bool", "aws:MultiFactorAuthPresent", "boolean", "true", "true", "false", False,
     "Boolean condition operators: Bool compares the key with \"true\" or \"false\""),
    ("BinaryEquals", "host:Token", "binary", "aG9zdC10b2tlbg==", "aG9zdC10b2tlbg==",
     "b3RoZXItdG9rZW4=", False,
     "Binary condition operators: BinaryEquals compares the key byte for byte with the "
     "base-64 value in the policy"),
    ("IpAddress", "aws:SourceIp", "ip", "203.0.113.0/24", "203.0.113.7", "198.51.100.7", False,
     "IP address condition operators: IpAddress matches the specified address or range (CIDR)"),
    ("NotIpAddress", "aws:SourceIp", "ip", "203.0.113.0/24", "198.51.100.7", "203.0.113.7", True,
     "IP address condition operators: NotIpAddress matches all addresses except the range"),
    ("ArnEquals", "aws:PrincipalArn", "string", "arn:aws:iam::123456789012:user/alice",
     "arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/bob", False,
     "ARN condition operators: ArnEquals is case-sensitive matching of each ARN component"),
    ("ArnLike", "aws:PrincipalArn", "string", "arn:aws:iam::123456789012:user/*",
     "arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:role/admin", False,
     "ARN condition operators: ArnLike is case-sensitive matching of each of the six "
     "colon-delimited components, with * and ? wildcards"),
    ("ArnNotEquals", "aws:PrincipalArn", "string", "arn:aws:iam::123456789012:user/alice",
     "arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:user/alice", True,
     "ARN condition operators: ArnNotEquals is negated ARN matching"),
    ("ArnNotLike", "aws:PrincipalArn", "string", "arn:aws:iam::123456789012:user/*",
     "arn:aws:iam::123456789012:role/admin", "arn:aws:iam::123456789012:user/alice", True,
     "ARN condition operators: ArnNotLike is negated ARN matching with wildcards"),
]


def slug(op):
    out = []
    for ch in op:
        out.append(ch.lower())
    return "".join(out)


def generate(c):
    for op, key, typ, pval, tval, fval, neg, oprule in OPERATORS:
        s = slug(op)
        for ifx in (False, True):
            opname = op + ("IfExists" if ifx else "")
            name = s + ("-ifexists" if ifx else "")
            cond = {opname: {key: pval}}
            base = "%s, %s" % (P_OPS, oprule)
            if ifx:
                base += "; " + IFEXISTS_RULE.rstrip(".")
            allow = policy(stmt(cond=cond))
            line = statement_lines(render(allow))[0]
            # Allow statement: condition true / false / key missing.
            c.one("op.%s.allow-true" % name,
                  base + ". %s %s=%r against policy value %r is true, so the Allow applies."
                  % (opname, key, tval, pval),
                  allow, "host:Login", "allowed", context=[ctx(key, typ, tval)],
                  matched=[("PolicyInputList.1", line)], missing=[])
            c.one("op.%s.allow-false" % name,
                  base + ". %s %s=%r against policy value %r is false, so nothing allows: "
                  "implicit deny." % (opname, key, fval, pval),
                  allow, "host:Login", "implicitDeny", context=[ctx(key, typ, fval)],
                  missing=[], matched=[])
            if ifx:
                dec, why = "allowed", "IfExists makes the condition true when the key is missing"
            elif neg:
                dec, why = "allowed", "a negated operator is true when the key is missing"
            else:
                dec, why = "implicitDeny", "the condition is false when the key is missing"
            rule = base + ". Key %s missing: %s. %s" % (key, why, MISSING_RULE)
            if ifx:
                c.one("op.%s.allow-missing" % name, rule, allow, "host:Login", dec)
            else:
                # The simulator lists condition keys the policies needed but the request
                # lacked (SimulateCustomPolicy, EvaluationResult.MissingContextValues).
                c.one("op.%s.allow-missing" % name,
                      rule + " SimulateCustomPolicy lists the key in MissingContextValues.",
                      allow, "host:Login", dec, missing=[key])
            # Deny statement next to an Allow for everything.
            deny = policy(stmt(action="*"), stmt(effect="Deny", cond=cond))
            dline = statement_lines(render(deny))[1]
            c.one("op.%s.deny-true" % name,
                  base + ". The Deny's condition (%s=%r) is true: explicit deny beats the Allow "
                  "(%s); MatchedStatements lists only the Deny (IAM API Reference, "
                  "EvaluationResult: 'the deny statement is the only entry included in the "
                  "result')." % (key, tval, "IAM User Guide, 'Policy evaluation logic'"),
                  deny, "host:Login", "explicitDeny", context=[ctx(key, typ, tval)],
                  matched=[("PolicyInputList.1", dline)])
            c.one("op.%s.deny-false" % name,
                  base + ". The Deny's condition (%s=%r) is false, so only the Allow applies."
                  % (key, fval),
                  deny, "host:Login", "allowed", context=[ctx(key, typ, fval)])
            dec = "explicitDeny" if (ifx or neg) else "allowed"
            c.one("op.%s.deny-missing" % name,
                  base + ". Key %s missing in a Deny statement: %s, so the Deny %s. %s"
                  % (key, why, "applies" if dec == "explicitDeny" else "does not apply",
                     MISSING_RULE if not ifx else IFEXISTS_RULE),
                  deny, "host:Login", dec)

    # Null: the one operator that tests presence itself (no IfExists form).
    nrule = (P_OPS + ", 'Condition operator to check existence of condition keys': Null with "
             "\"true\" matches when the key is absent (null); with \"false\" when the key exists "
             "and is not null.")
    tok = ctx("aws:TokenIssueTime", "date", "2026-01-01T00:00:00Z")
    for pv, present, dec in (("true", False, "allowed"), ("true", True, "implicitDeny"),
                             ("false", True, "allowed"), ("false", False, "implicitDeny")):
        p = policy(stmt(cond={"Null": {"aws:TokenIssueTime": pv}}))
        c.one("op.null-%s.allow-%s" % (pv, "present" if present else "missing"),
              nrule + " Null=%s, key %s: %s." % (pv, "present" if present else "absent",
                                                 "condition true" if dec == "allowed"
                                                 else "condition false"),
              p, "host:Login", dec, context=[tok] if present else [])
        d = policy(stmt(action="*"), stmt(effect="Deny", cond={"Null": {"aws:TokenIssueTime": pv}}))
        ddec = "explicitDeny" if dec == "allowed" else "allowed"
        c.one("op.null-%s.deny-%s" % (pv, "present" if present else "missing"),
              nrule + " In a Deny next to an Allow for everything: Null=%s with the key %s "
                      "makes the Deny %s." % (pv, "present" if present else "absent",
                                             "apply" if ddec == "explicitDeny" else "not apply"),
              d, "host:Login", ddec, context=[tok] if present else [])
    c.one("op.null-true.two-keys-anded",
          nrule + " Several keys under one operator are ANDed (" +
          "IAM User Guide, 'Creating a condition with multiple keys or values'): both keys must "
          "be absent; one is present, so the condition is false.",
          policy(stmt(cond={"Null": {"aws:TokenIssueTime": "true", "aws:SourceIp": "true"}})),
          "host:Login", "implicitDeny", context=[ctx("aws:SourceIp", "ip", "203.0.113.7")])
    c.one("op.null-false.two-keys-both-present",
          nrule + " Two keys with \"false\", both present: condition true.",
          policy(stmt(cond={"Null": {"aws:TokenIssueTime": "false", "aws:SourceIp": "false"}})),
          "host:Login", "allowed",
          context=[ctx("aws:SourceIp", "ip", "203.0.113.7"), tok])
    c.one("op.null-and-string-in-one-block",
          nrule + " Sanity: Null next to a String operator in one block, both true.",
          policy(stmt(cond={"Null": {"aws:TokenIssueTime": "true"},
                            "StringEquals": {"host:Service": "sshd"}})),
          "host:Login", "allowed", context=[ctx("host:Service", "string", "sshd")])
