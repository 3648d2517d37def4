"""Malformed policies: each must be rejected (exit 1) with source:line:column."""

from corpus import (ALICE, HOST, P_ACTION, P_EFFECT, P_GRAMMAR, P_OPS, P_PRINC, P_RES, P_SID,
                    P_STMT, P_VERSION, P_ELEM, P_COND, policy, render, stmt)

REJECT = ("; a malformed policy is rejected with its line and column, never evaluated "
          "'as best it can' (docs/policy-engine.md, 'Documents')")


def doc(body, version='"2012-10-17"'):
    """A policy with one statement whose members are `body` (already indented text)."""
    return ('{\n  "Version": %s,\n  "Statement": [\n    {\n%s\n    }\n  ]\n}\n'
            % (version, body))


OK = ('      "Effect": "Allow",\n      "Action": "host:Login",\n      "Resource": "*"')


def cond_doc(cond_text):
    return doc('      "Effect": "Allow",\n      "Action": "host:Login",\n      "Resource": "*",\n'
               '      "Condition": %s' % cond_text)


def generate(c):
    g = P_GRAMMAR
    # ---- JSON syntax -----------------------------------------------------------------------
    j = "RFC 8259 JSON; " + g + ": a policy is a JSON document" + REJECT
    t = doc(OK + ",")
    c.error("err.json-trailing-comma-object", j + ". A trailing comma before '}' is not JSON; "
            "the error is at the '}'.", t, "}", "", occurrence=1)
    t = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n' + OK + '\n    },\n  ]\n}\n'
    c.error("err.json-trailing-comma-array", j + ". A trailing comma in an array; the error is "
            "at the ']'.", t, "]", "")
    t = doc('      "Effect": "Allow"\n      "Action": "host:Login",\n      "Resource": "*"')
    c.error("err.json-missing-comma", j + ". Two members without a comma; the error is at the "
            "second member's opening quote.", t, '"Action"', "")
    t = doc("      \"Effect\": 'Allow',\n      \"Action\": \"host:Login\",\n      \"Resource\": \"*\"")
    c.error("err.json-single-quotes", j + ". Single-quoted strings are not JSON; the error is "
            "at the quote.", t, "'Allow'", "")
    t = doc('      "Effect": Allow,\n      "Action": "host:Login",\n      "Resource": "*"')
    c.error("err.json-bare-word", j + ". A bare word is not a JSON value; the error is at its "
            "first letter.", t, "Allow,", "")
    t = doc(OK) + "x\n"
    c.error("err.json-trailing-garbage", j + ". Text after the document; the error is at it.",
            t, "x\n", "")
    t = '// comment\n' + doc(OK)
    c.error("err.json-comment", j + ". JSON has no comments; the error is at the '/'.", t,
            "//", "")
    t = doc(OK.replace('"host:Login"', '"host:Login\\q"'))
    c.error("err.json-bad-escape", j + ". '\\q' is not a JSON escape; reading chosen: the "
            "error is at the backslash.", t, "\\q", "")
    c.error("err.json-not-object", j + "; " + g + ": the document must be a JSON object; an "
            "array is rejected at its '['.", '[\n' + doc(OK) + ']\n', "[", "")
    dup = ("RFC 8259 (object names SHOULD be unique) and docs/policy-engine.md (duplicate keys are "
           "rejected)")
    t = doc('      "Effect": "Allow",\n      "Effect": "Deny",\n      "Action": "host:Login",\n'
            '      "Resource": "*"')
    c.error("err.dup-key-effect", dup + ": a second 'Effect' in one statement is rejected at "
            "the second key (it could otherwise hide a Deny)" + REJECT, t, '"Effect"', "Effect",
            occurrence=2)
    t = ('{\n  "Version": "2012-10-17",\n  "Statement": [],\n  "Statement": [\n    {\n' + OK +
         '\n    }\n  ]\n}\n')
    c.error("err.dup-key-statement", dup + ": a second top-level 'Statement' is rejected at "
            "the second key" + REJECT, t, '"Statement"', "Statement", occurrence=2)
    t = cond_doc('{\n        "StringEquals": {"host:Service": "sshd"},\n'
                 '        "StringEquals": {"host:Service": "su"}\n      }')
    c.error("err.dup-key-operator", dup + ": the same condition operator twice in one "
            "Condition block is rejected at the second" + REJECT, t, '"StringEquals"',
            "StringEquals", occurrence=2)
    t = cond_doc('{\n        "StringEquals": {"host:Service": "sshd", "host:Service": "su"}\n'
                 '      }')
    c.error("err.dup-key-condition-key", dup + ": the same condition key twice under one "
            "operator is rejected at the second" + REJECT, t, '"host:Service"', "host:Service",
            occurrence=2)

    # ---- top level -------------------------------------------------------------------------
    v = P_VERSION + ": the Version element must be 2012-10-17 or 2008-10-17" + REJECT
    c.error("err.version-unknown", v + ". '2012-10-18' is rejected at its value.",
            doc(OK, version='"2012-10-18"'), '"2012-10-18"', "Version")
    c.error("err.version-number", v + ". A number is not a version string; rejected at the "
            "value.", doc(OK, version="2012"), "2012,", "Version")
    c.error("err.version-empty", v + ". An empty string is not a version.",
            doc(OK, version='""'), '""', "Version")
    c.error("err.version-case-or-format", v + ". '2012/10/17' is not one of the two versions.",
            doc(OK, version='"2012/10/17"'), '"2012/10/17"', "Version")
    t = '{\n  "Version": "2012-10-17"\n}\n'
    c.error("err.statement-missing", P_STMT + ": the Statement element is required; reading "
            "chosen: a missing element is reported at the '{' of the object that lacks it"
            + REJECT, t, "{", "Statement")
    t = '{\n  "Version": "2012-10-17",\n  "Statement": "allow everything"\n}\n'
    c.error("err.statement-string", P_STMT + ": Statement is a statement object or an array of "
            "them; a string is rejected at the value" + REJECT, t, '"allow everything"',
            "Statement")
    t = ('{\n  "Version": "2012-10-17",\n  "Statment": [],\n  "Statement": [\n    {\n' + OK +
         '\n    }\n  ]\n}\n')
    c.error("err.unknown-top-level-element", P_ELEM + " lists the policy elements; an unknown "
            "element ('Statment') is rejected at its key" + REJECT, t, '"Statment"', "Statment")
    t = ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    "host:Login"\n  ]\n}\n')
    c.error("err.statement-entry-not-object", P_STMT + ": each entry of the Statement array is "
            "an object; a string is rejected at it" + REJECT, t, '"host:Login"', "Statement")

    # ---- statement elements ----------------------------------------------------------------
    t = doc('      "Action": "host:Login",\n      "Resource": "*"')
    c.error("err.effect-missing", P_EFFECT + ": the Effect element is required; reported at the "
            "statement's '{'" + REJECT, t, "    {", "Effect")
    # pos_of points at the indentation; move to the brace itself.
    fix_brace(c, "err.effect-missing", t)
    for name, val in (("lowercase", '"allow"'), ("other-word", '"Permit"'), ("number", "1")):
        t = doc('      "Effect": %s,\n      "Action": "host:Login",\n      "Resource": "*"' % val)
        c.error("err.effect-%s" % name, P_EFFECT + ": 'Valid values for Effect are Allow and "
                "Deny' (case-sensitive); %s is rejected at the value" % val + REJECT, t,
                val + ",", "Effect")
    t = doc('      "Effect": "Allow",\n      "Action": "host:Login",\n'
            '      "NotAction": "host:Sudo",\n      "Resource": "*"')
    c.error("err.action-and-notaction", g + ": a statement has Action or NotAction, not both; "
            "reading chosen: reported at the second of the two keys" + REJECT, t,
            '"NotAction"', "NotAction")
    t = doc('      "Effect": "Allow",\n      "Action": "host:Login",\n      "Resource": "*",\n'
            '      "NotResource": "' + HOST + '"')
    c.error("err.resource-and-notresource", g + ": a statement has Resource or NotResource, not "
            "both; reported at the second of the two keys" + REJECT, t, '"NotResource"',
            "NotResource")
    t = doc('      "Effect": "Allow",\n      "Resource": "*"')
    c.error("err.action-missing", g + ": a statement needs Action or NotAction; reported at the "
            "statement's '{'" + REJECT, t, "    {", "Action")
    fix_brace(c, "err.action-missing", t)
    t = doc('      "Effect": "Allow",\n      "Action": "host:Login"')
    c.error("err.resource-missing", P_RES + ": 'Statements must include either a Resource or a "
            "NotResource element' (identity policies); reported at the statement's '{'" + REJECT,
            t, "    {", "Resource")
    fix_brace(c, "err.resource-missing", t)
    t = doc('      "Effect": "Allow",\n      "Principal": {"AWS": "' + ALICE + '"},\n'
            '      "Action": "host:Login",\n      "Resource": "*"')
    c.error("err.principal-in-identity-policy", P_PRINC + ": 'You cannot use the Principal "
            "element in an identity-based policy'; rejected at the key" + REJECT, t,
            '"Principal"', "Principal")
    t = doc('      "Effect": "Deny",\n      "NotPrincipal": {"AWS": "' + ALICE + '"},\n'
            '      "Action": "host:Login",\n      "Resource": "*"')
    c.error("err.notprincipal-in-identity-policy", P_PRINC + " / NotPrincipal: neither may "
            "appear in an identity-based policy; rejected at the key" + REJECT, t,
            '"NotPrincipal"', "NotPrincipal")
    t = doc(OK + ',\n      "Foo": "bar"')
    c.error("err.unknown-statement-element", P_ELEM + ": 'Foo' is not a statement element; "
            "rejected at its key" + REJECT, t, '"Foo"', "Foo")
    t = doc('      "Effect": "Allow",\n      "Action": 5,\n      "Resource": "*"')
    c.error("err.action-not-string", P_ACTION + ": actions are strings; 5 is rejected at the "
            "value" + REJECT, t, "5,", "Action")
    t = doc('      "Effect": "Allow",\n      "Action": ["host:Login", 5],\n      "Resource": "*"')
    c.error("err.action-array-entry-not-string", P_ACTION + ": every entry of an Action array is "
            "a string; 5 is rejected at the entry" + REJECT, t, "5]", "Action")
    t = doc('      "Effect": "Allow",\n      "Action": "Login",\n      "Resource": "*"')
    c.error("err.action-no-service-prefix", P_ACTION + ": an action is 'service:action' (the "
            "service prefix, a colon, the action name); 'Login' is rejected at the value"
            + REJECT, t, '"Login"', "Login")
    vend = ("IAM refuses a wildcard in an action's service prefix: 'MalformedPolicyDocument: "
            "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards' (as reported "
            "from CreatePolicy in boogy/iam-policy-validator#172); rejected at the value"
            + REJECT)
    t = doc('      "Effect": "Allow",\n      "Action": "*:Login",\n      "Resource": "*"')
    c.error("err.action-service-wildcard", vend + ".", t, '"*:Login"', "service prefix")
    t = doc('      "Effect": "Deny",\n      "Action": ["host:Sudo", "h?st:Login"],\n'
            '      "Resource": "*"')
    c.error("err.action-service-question-mark", vend + "; '?' is a wildcard too.", t,
            '"h?st:Login"', "service prefix")
    rtype = ("IAM User Guide, 'IAM identifiers', 'Using wildcards and paths in ARNs': 'Don't "
             "use a wildcard in the user/, group/, or policy/ part of the ARN ... IAM does not "
             "allow' it (arn:aws:iam::123456789012:u*); EC2 ARNs likewise begin with the "
             "resource type (instance/...). Rejected at the value" + REJECT)
    t = doc('      "Effect": "Allow",\n      "Action": "host:Login",\n'
            '      "Resource": "arn:aws:ec2:us-east-1:123456789012:*/i-0123456789abcdef0"')
    c.error("err.resource-type-wildcard-ec2", rtype + ". '*/i-...' would stand for "
            "'instance/i-...'.", t, '"arn:aws:ec2', "resource type")
    t = doc('      "Effect": "Allow",\n      "Action": "iam:GetUser",\n'
            '      "Resource": "arn:aws:iam::123456789012:u*"')
    c.error("err.resource-type-wildcard-iam", rtype + ". The guide's own example.", t,
            '"arn:aws:iam', "resource type")
    t = doc('      "Effect": "Allow",\n      "Action": "host:Login",\n      "Resource": "i-0123"')
    c.error("err.resource-not-arn", P_RES + ": a resource is an ARN or '*'; 'i-0123' is "
            "rejected at the value" + REJECT, t, '"i-0123"', "i-0123")
    t = doc('      "Effect": "Allow",\n      "Action": "host:Login",\n      "Resource": true')
    c.error("err.resource-not-string", P_RES + ": Resource is a string or an array of strings; "
            "true is rejected at the value" + REJECT, t, "true", "Resource")
    t = doc('      "Sid": "allow-login",\n' + OK)
    c.error("err.sid-not-alphanumeric", P_SID + ": 'In IAM, the Sid value is limited to ASCII "
            "uppercase letters (A-Z), lowercase letters (a-z), and digits (0-9)'; rejected at "
            "the value" + REJECT, t, '"allow-login"', "Sid")
    t = doc('      "Sid": 7,\n' + OK)
    c.error("err.sid-not-string", P_SID + ": Sid is a string; 7 is rejected at the value"
            + REJECT, t, "7,", "Sid")
    t = ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Sid": "Main",\n' + OK +
         '\n    },\n    {\n      "Sid": "Main",\n' + OK + '\n    }\n  ]\n}\n')
    c.error("err.sid-duplicate", P_SID + ": 'The Sid ... must be unique within a JSON policy'; "
            "the second 'Main' is rejected at its value" + REJECT, t, '"Main"', "Main",
            occurrence=2)

    arr = (g + ", conventions: 'Arrays can take one or more values'; an empty array is "
           "rejected at its '['" + REJECT)
    notel = ("An empty exclusion list excludes nothing, so the statement would cover every "
             "action, every resource or everyone; refused at its '[' (ours: the validator's "
             "HOST_EMPTY_NOT_ELEMENT; an empty Action, Resource or Principal is accepted and "
             "names nothing, as Access Analyzer's EMPTY_ARRAY_* suggestions describe)" + REJECT)
    t = doc('      "Effect": "Deny",\n      "NotAction": [],\n      "Resource": "*"')
    c.error("err.notaction-empty-array", notel + ". (A Deny with an empty NotAction list would "
            "deny everything.)", t, "[]", "NotAction")
    t = doc('      "Effect": "Allow",\n      "Action": "host:Login",\n      "NotResource": []')
    c.error("err.notresource-empty-array", notel + ". (An Allow with an empty NotResource list "
            "would cover every host.)", t, "[]", "NotResource")
    t = doc('      "Effect": "Deny",\n      "NotPrincipal": {},\n      "Action": "host:Login",\n'
            '      "Resource": "' + HOST + '"')
    c.error("err.notprincipal-empty-object", notel + ".", t, "{}", "NotPrincipal",
            source="ResourcePolicy", where="resource", other_policies=[policy(stmt())],
            request={"ActionNames": ["host:Login"], "ResourceArns": [HOST], "CallerArn": ALICE})
    t = '{\n  "Version": "2012-10-17",\n  "Statement": []\n}\n'
    c.error("err.statement-empty-array", arr + "; <statement_block> holds one or more "
            "statements.", t, "[]", "Statement")
    t = doc('      "Effect": "Allow",\n      "Principal": {"Users": "' + ALICE + '"},\n'
            '      "Action": "host:Login",\n      "Resource": "' + HOST + '"')
    c.error("err.principal-unknown-type", g + ": <principal_map_entry> = (\"AWS\" | "
            "\"Federated\" | \"Service\" | \"CanonicalUser\"); 'Users' is rejected at its key"
            + REJECT, t, '"Users"', "Users", source="ResourcePolicy", where="resource",
            other_policies=[policy(stmt())],
            request={"ActionNames": ["host:Login"], "ResourceArns": [HOST], "CallerArn": ALICE})

    t = doc('      "Effect": "Deny",\n      "Principal": {"AWS": "' + ALICE + '"},\n'
            '      "NotPrincipal": {"AWS": "' + ALICE + '"},\n      "Action": "host:Login",\n'
            '      "Resource": "' + HOST + '"')
    c.error("err.principal-and-notprincipal", g + ": <principal_block> = (\"Principal\" | "
            "\"NotPrincipal\"), one or the other; reported at the second of the two keys"
            + REJECT, t, '"NotPrincipal"', "NotPrincipal", source="ResourcePolicy",
            where="resource", other_policies=[policy(stmt())],
            request={"ActionNames": ["host:Login"], "ResourceArns": [HOST], "CallerArn": ALICE})
    t = ('{\n  "Version": "2012-10-17",\n  "Id": "MyPolicy",\n  "Statement": [\n    {\n' + OK +
         '\n    }\n  ]\n}\n')
    c.error("err.id-in-identity-policy", g + ", notes: 'The id_block is optional in "
            "resource-based policies. It must not be included in identity-based policies'; "
            "rejected at the key" + REJECT, t, '"Id"', "Id")

    # ---- Condition -------------------------------------------------------------------------
    co = P_OPS + REJECT
    t = cond_doc('{"StringEqualz": {"host:Service": "sshd"}}')
    c.error("err.unknown-operator", co + ". 'StringEqualz' is not an operator; rejected at the "
            "key.", t, '"StringEqualz"', "StringEqualz")
    t = cond_doc('{"NullIfExists": {"aws:TokenIssueTime": "true"}}')
    c.error("err.null-ifexists", P_OPS + ", '...IfExists': 'You can add IfExists to the end of "
            "any condition operator name except the Null condition'; rejected at the key"
            + REJECT, t, '"NullIfExists"', "NullIfExists")
    t = cond_doc('{"ForSomeValues:StringEquals": {"aws:TagKeys": "env"}}')
    c.error("err.unknown-set-qualifier", "IAM User Guide, 'Set operators for multivalued "
            "context keys': the qualifiers are ForAllValues and ForAnyValue; rejected at the key"
            + REJECT, t, '"ForSomeValues:StringEquals"', "ForSomeValues")
    t = cond_doc('{"ForAnyValue:StringEqualz": {"aws:TagKeys": "env"}}')
    c.error("err.unknown-operator-after-qualifier", co + ". 'ForAnyValue:StringEqualz' names no "
            "operator.", t, '"ForAnyValue:StringEqualz"', "StringEqualz")
    t = cond_doc('{"stringequals": {"host:Service": "sshd"}}')
    c.error("err.operator-case", co + ". Reading chosen: operator names are case-sensitive "
            "('stringequals' is not an operator), like every policy element name.", t,
            '"stringequals"', "stringequals")
    t = cond_doc('"StringEquals"')
    c.error("err.condition-not-object", P_COND + ": Condition is an object of operators; a "
            "string is rejected at the value" + REJECT, t, '"StringEquals"', "Condition")
    t = cond_doc('{"StringEquals": "sshd"}')
    c.error("err.operator-value-not-object", P_COND + ": each operator maps condition keys to "
            "values; a string is rejected at the value" + REJECT, t, '"sshd"', "StringEquals")
    t = cond_doc('{"StringEquals": {"host:Service": {"name": "sshd"}}}')
    c.error("err.condition-value-object", P_COND + ": condition values are strings (or "
            "arrays of them); an object is rejected at its '{'" + REJECT, t,
            '{"name"', "host:Service")
    for name, op, key, val, why in [
        ("cidr-prefix-33", "IpAddress", "aws:SourceIp", "203.0.113.0/33", "an IPv4 prefix is at "
         "most 32"),
        ("cidr-octet-300", "IpAddress", "aws:SourceIp", "203.0.113.300/24", "an octet is at most "
         "255"),
        ("cidr-v6-prefix-129", "NotIpAddress", "aws:SourceIp", "2001:db8::/129", "an IPv6 prefix "
         "is at most 128"),
        ("cidr-not-an-address", "IpAddress", "aws:SourceIp", "office-network", "not an address"),
        ("cidr-v6-double-gap", "IpAddress", "aws:SourceIp", "2001:db8::1::2/64", "'::' may "
         "appear only once in an IPv6 address"),
        ("date-month-13", "DateGreaterThan", "aws:CurrentTime", "2026-13-01T00:00:00Z",
         "there is no month 13"),
        ("date-words", "DateLessThan", "aws:CurrentTime", "yesterday", "not a W3C ISO 8601 date "
         "nor epoch time"),
        ("date-day-32", "DateEquals", "aws:CurrentTime", "2026-01-32T00:00:00Z",
         "there is no 32nd day"),
        ("number-word", "NumericLessThan", "aws:MultiFactorAuthAge", "ten", "not a number"),
        ("number-thousands-separator", "NumericEquals", "aws:MultiFactorAuthAge", "1,000",
         "not a number (no digit grouping)"),
        ("binary-not-base64", "BinaryEquals", "host:Token", "not base64!", "not base-64"),
    ]:
        t = cond_doc('{"%s": {"%s": "%s"}}' % (op, key, val))
        c.error("err.%s" % name, P_OPS + ": %s value '%s' is rejected at the value (%s)"
                % (op, val, why) + REJECT, t, '"%s"' % val, val)
    t = cond_doc('{"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "10.0.0.0/40"]}}')
    c.error("err.cidr-second-in-list", P_OPS + ": every value in the list is checked; the bad "
            "second CIDR is reported at its own position" + REJECT, t, '"10.0.0.0/40"',
            "10.0.0.0/40")

    # ---- where the error is: second policy, boundary, resource policy ------------------------
    t = cond_doc('{"StringEqualz": {"host:Service": "sshd"}}')
    c.error("err.second-policy", co + ". The error is in the second policy of "
            "PolicyInputList, so the source is PolicyInputList.2.", t, '"StringEqualz"',
            "StringEqualz", source="PolicyInputList.2", other_policies=[policy(stmt())])
    t = doc('      "Effect": "Allow",\n      "Action": "host:Login",\n'
            '      "NotAction": "host:Sudo",\n      "Resource": "*"')
    c.error("err.in-boundary", g + ": Action and NotAction in a permissions boundary; the "
            "source is PermissionsBoundaryPolicyInputList.1" + REJECT, t, '"NotAction"',
            "NotAction", source="PermissionsBoundaryPolicyInputList.1", where="boundary",
            other_policies=[policy(stmt())])
    t = doc('      "Effect": "Allow",\n      "Action": "host:Login",\n      "Resource": "' + HOST +
            '"')
    c.error("err.resource-policy-no-principal", P_PRINC + ": 'Use the Principal element in a "
            "resource-based policy'; a resource policy statement without Principal or "
            "NotPrincipal is reported at the statement's '{'" + REJECT, t, "    {", "Principal",
            source="ResourcePolicy", where="resource", other_policies=[policy(stmt())],
            request={"ActionNames": ["host:Login"], "ResourceArns": [HOST], "CallerArn": ALICE})
    fix_brace(c, "err.resource-policy-no-principal", t)
    t = doc('      "Effect": "Allow",\n      "Principal": {"AWS": "arn:aws:iam::123456789012:user/*"},\n'
            '      "Action": "host:Login",\n      "Resource": "' + HOST + '"')
    c.error("err.principal-partial-wildcard", "IAM User Guide, 'Grammar of the IAM JSON policy "
            "language', principal_id_string: 'you can use * only to specify everyone/anonymous. "
            "You cannot use it to specify part of a name or ARN'; rejected at the value" + REJECT,
            t, '"arn:aws:iam::123456789012:user/*"', "arn:aws:iam::123456789012:user/*",
            source="ResourcePolicy", where="resource", other_policies=[policy(stmt())],
            request={"ActionNames": ["host:Login"], "ResourceArns": [HOST], "CallerArn": ALICE})
    for name, op, key in (("numeric", "NumericLessThan", "aws:MultiFactorAuthAge"),
                          ("date", "DateGreaterThan", "aws:CurrentTime"),
                          ("ip", "IpAddress", "aws:SourceIp")):
        t = cond_doc('{"%s": {"%s": "${aws:PrincipalTag/limit}"}}' % (op, key))
        c.error("err.variable-in-%s-operator" % name, P_OPS + ": 'You can not use a policy "
                "variable with the %s condition operator' (and the Variables page: no variables "
                "in Numeric, Date, IP address operators), so '${aws:PrincipalTag/limit}' is "
                "not a valid %s value; rejected at the value" % (op.replace("GreaterThan", "")
                                                                  .replace("LessThan", ""), name)
                + REJECT, t, '"${aws:PrincipalTag/limit}"', "${aws:PrincipalTag/limit}")


def fix_brace(c, name, text):
    """The statement's '{' sits after four spaces of indentation."""
    e = c.cases[name]["error"]
    e["Column"] += 4
    line = text.split("\n")[e["Line"] - 1]
    assert line[e["Column"] - 1] == "{", (name, line)


def generate_layout(c):
    """Positions are counted in the document as written: one line, tabs, non-ASCII text."""
    co = P_OPS + REJECT
    t = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Login",'
         '"Resource":"*","Condition":{"StringEqualz":{"host:Service":"sshd"}}}]}')
    c.error("err.position-minified", co + ". In a one-line document the error is on line 1 "
            "at the key's column.", t, '"StringEqualz"', "StringEqualz")
    t = ('{\n\t"Version": "2012-10-17",\n\t"Statement": [\n\t\t{\n\t\t\t"Effect": "Allow",\n'
         '\t\t\t"Action": "host:Login",\n\t\t\t"Resource": "*",\n\t\t\t"Condition": '
         '{"StringEqualz": {"host:Service": "sshd"}}\n\t\t}\n\t]\n}\n')
    c.error("err.position-tabs", co + ". Reading chosen: a tab is one character, so the key "
            "after three tabs and '\"Condition\": {' is at column 18.", t, '"StringEqualz"',
            "StringEqualz")
    t = cond_doc('{"StringEquals": {"host:Service": "caf\u00e9"}, "StringEqualz": '
                 '{"host:Service": "sshd"}}')
    c.error("err.position-code-points", co + ". Columns count characters (code points), not "
            "bytes: the 'é' before the bad key is one column.", t, '"StringEqualz"',
            "StringEqualz")
