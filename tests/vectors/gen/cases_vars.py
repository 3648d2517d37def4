"""Policy variables: substitution in Resource and in String/ARN conditions, defaults, the
${*} ${?} ${$} escapes, unresolved variables, and variables under 2008-10-17."""

from corpus import (HOST, P_VARS, P_VERSION, V08, V12, ctx, policy, stmt)

VER = (P_VARS + ", Introduction note: 'Variables were introduced in version 2012-10-17 ... If "
       "you don't include the Version element and set it to an appropriate version date, "
       "variables like ${aws:username} are treated as literal strings in the policy'")
WHERE = P_VARS + ", 'Where you can use policy variables'"
SPECIAL = (P_VARS + ", 'Special characters': ${*} stands for a literal *, ${?} for a literal ?, "
           "${$} for a literal $")
DEFAULT = (P_VARS + ", 'Specifying default values': ${key, 'default'} uses the default when "
           "the key has no value")
NOVAL = (P_VARS + ", principal key values note: a key that is 'not present' in the request "
         "means any attempt to match it fails (the statement cannot apply); the page's first "
         "note: 'If AWS cannot resolve a variable, this might cause the entire statement to be "
         "invalid'")


def generate(c):
    user = lambda v: ctx("aws:username", "string", v)
    home = "arn:aws:s3:::home/${aws:username}/*"
    get = "s3:GetObject"

    def res_case(name, rule, pattern, resource, contexts, decision, version=V12, effect=None):
        if effect == "Deny":
            p = policy(stmt(action="*"), stmt(effect="Deny", action=get, resource=pattern),
                       version=version)
        else:
            p = policy(stmt(action=get, resource=pattern), version=version)
        c.one(name, rule, p, get, decision, resource=resource, context=contexts)

    res_case("var.resource-username", WHERE + ", 'Resource element': ${aws:username} is "
             "replaced with the requester's name, so alice may read home/alice/*.", home,
             "arn:aws:s3:::home/alice/notes.txt", [user("alice")], "allowed")
    res_case("var.resource-username-other", WHERE + ", 'Resource element': with aws:username "
             "bob the pattern is home/bob/*, which does not cover home/alice/...", home,
             "arn:aws:s3:::home/alice/notes.txt", [user("bob")], "implicitDeny")
    res_case("var.resource-unresolved", NOVAL + ": without aws:username the Resource entry "
             "matches nothing.", home, "arn:aws:s3:::home/alice/notes.txt", [], "implicitDeny")
    res_case("var.resource-unresolved-not-literal", NOVAL + ": an unresolved variable does not "
             "fall back to its own text: resource 'home/${aws:username}/x' is not matched "
             "under 2012-10-17 when the key is missing.", home,
             "arn:aws:s3:::home/${aws:username}/x", [], "implicitDeny")
    res_case("var.resource-unresolved-deny", NOVAL + ": a Deny whose Resource holds an "
             "unresolved variable matches nothing, so the Allow for '*' stands.", home,
             "arn:aws:s3:::home/alice/notes.txt", [], "allowed", effect="Deny")
    res_case("var.resource-deny-resolved", WHERE + ": a Deny whose Resource variable resolves "
             "to the request's path applies.", home, "arn:aws:s3:::home/alice/notes.txt",
             [user("alice")], "explicitDeny", effect="Deny")
    res_case("var.resource-2008-literal", VER + ": under 2008-10-17 '${aws:username}' is "
             "literal text, so home/alice/... does not match.", home,
             "arn:aws:s3:::home/alice/notes.txt", [user("alice")], "implicitDeny", version=V08)
    res_case("var.resource-2008-literal-match", VER + ": under 2008-10-17 the pattern is the "
             "literal text 'home/${aws:username}/*', which matches that literal resource name.",
             home, "arn:aws:s3:::home/${aws:username}/notes.txt", [user("alice")], "allowed",
             version=V08)
    res_case("var.resource-no-version-literal", VER + ": with no Version element variables "
             "are literal text.", home, "arn:aws:s3:::home/alice/notes.txt", [user("alice")],
             "implicitDeny", version=None)
    res_case("var.resource-no-version-literal-match", VER + ": with no Version element the "
             "literal text '${aws:username}' is matched as written.", home,
             "arn:aws:s3:::home/${aws:username}/notes.txt", [], "allowed", version=None)
    res_case("var.resource-key-case-insensitive", P_VARS + ", 'Key names are case-insensitive' "
             "(aws:CurrentTime is equivalent to AWS:currenttime): ${AWS:USERNAME} resolves "
             "aws:username.", "arn:aws:s3:::home/${AWS:USERNAME}/*",
             "arn:aws:s3:::home/alice/notes.txt", [user("alice")], "allowed")
    res_case("var.resource-value-case-sensitive", WHERE + "; the substituted value is matched "
             "like the rest of the ARN, case-sensitively: user 'Alice' does not cover "
             "home/alice/.", home, "arn:aws:s3:::home/alice/notes.txt", [user("Alice")],
             "implicitDeny")
    res_case("var.resource-principaltag", WHERE + ", 'Resource element': "
             "'arn:aws:s3:::bucket/${aws:PrincipalTag/department}' (the guide's tag example).",
             "arn:aws:s3:::bucket/${aws:PrincipalTag/department}",
             "arn:aws:s3:::bucket/finance", [ctx("aws:PrincipalTag/department", "string",
                                                 "finance")], "allowed")
    res_case("var.resource-two-variables", WHERE + ": two variables in one ARN.",
             "arn:aws:s3:::${aws:PrincipalTag/team}/${aws:username}/*",
             "arn:aws:s3:::ops/alice/x", [user("alice"), ctx("aws:PrincipalTag/team", "string",
                                                             "ops")], "allowed")
    res_case("var.resource-two-variables-one-missing", NOVAL + ": one of two variables is "
             "unresolved, so the entry matches nothing.",
             "arn:aws:s3:::${aws:PrincipalTag/team}/${aws:username}/*",
             "arn:aws:s3:::ops/alice/x", [user("alice")], "implicitDeny")
    res_case("var.resource-in-list-other-entry", NOVAL + "; only the entry with the "
             "unresolved variable fails, other Resource entries still match.",
             ["arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::public/*"],
             "arn:aws:s3:::public/readme", [], "allowed")

    # ---- defaults ----------------------------------------------------------------------------
    dflt = "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'shared'}/*"
    res_case("var.default-used", DEFAULT + ": no team tag, so the pattern is bucket/shared/*.",
             dflt, "arn:aws:s3:::bucket/shared/doc", [], "allowed")
    res_case("var.default-not-used", DEFAULT + ": the team tag is 'ops', so the pattern is "
             "bucket/ops/* and bucket/shared/ is not covered.", dflt,
             "arn:aws:s3:::bucket/shared/doc", [ctx("aws:PrincipalTag/team", "string", "ops")],
             "implicitDeny")
    res_case("var.default-value-from-key", DEFAULT + ": the team tag 'ops' is used when present.",
             dflt, "arn:aws:s3:::bucket/ops/doc", [ctx("aws:PrincipalTag/team", "string", "ops")],
             "allowed")
    res_case("var.default-anonymous-doc", DEFAULT + ": the guide's example "
             "${aws:userid, 'anonymous'}.", "arn:aws:s3:::bucket/${aws:userid, 'anonymous'}",
             "arn:aws:s3:::bucket/anonymous", [], "allowed")
    res_case("var.default-2008-literal", VER + ": under 2008-10-17 the default syntax is literal "
             "text too.", dflt, "arn:aws:s3:::bucket/shared/doc", [], "implicitDeny",
             version=V08)
    c.one("var.default-in-condition", DEFAULT + "; " + WHERE + ", 'Condition element': "
          "StringEquals host:Service '${aws:PrincipalTag/svc, 'sshd'}' with no tag compares "
          "with 'sshd'.",
          policy(stmt(cond={"StringEquals": {"host:Service": "${aws:PrincipalTag/svc, 'sshd'}"}})),
          "host:Login", "allowed", context=[ctx("host:Service", "string", "sshd")])

    # ---- special characters ------------------------------------------------------------------
    res_case("var.escape-star-literal", SPECIAL + ": 'bucket/${*}' matches only the literal "
             "name 'bucket/*'.", "arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/*", [],
             "allowed")
    res_case("var.escape-star-not-wildcard", SPECIAL + ": 'bucket/${*}' is not a wildcard; "
             "'bucket/x' is not matched.", "arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/x",
             [], "implicitDeny")
    res_case("var.escape-question-literal", SPECIAL + ": 'file${?}' matches the literal "
             "'file?'.", "arn:aws:s3:::bucket/file${?}", "arn:aws:s3:::bucket/file?", [],
             "allowed")
    res_case("var.escape-question-not-wildcard", SPECIAL + ": 'file${?}' does not match "
             "'fileA'.", "arn:aws:s3:::bucket/file${?}", "arn:aws:s3:::bucket/fileA", [],
             "implicitDeny")
    res_case("var.escape-dollar-literal", SPECIAL + ": '${$}{aws:username}' is the literal "
             "text '${aws:username}', not a variable.", "arn:aws:s3:::bucket/${$}{aws:username}",
             "arn:aws:s3:::bucket/${aws:username}", [user("alice")], "allowed")
    res_case("var.escape-dollar-not-substituted", SPECIAL + ": '${$}{aws:username}' is not "
             "replaced with the user name.", "arn:aws:s3:::bucket/${$}{aws:username}",
             "arn:aws:s3:::bucket/alice", [user("alice")], "implicitDeny")
    res_case("var.escape-2008-is-wildcard", VER + ": under 2008-10-17 '${*}' is not an escape; "
             "the text is literal and its '*' is an ordinary wildcard, so 'bucket/${x}' "
             "matches 'bucket/${*}'.", "arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/${x}",
             [], "allowed", version=V08)
    res_case("var.escape-2008-no-star-name", VER + ": under 2008-10-17 'bucket/${*}' needs the "
             "literal '${' and '}', so 'bucket/x' is not matched.", "arn:aws:s3:::bucket/${*}",
             "arn:aws:s3:::bucket/x", [], "implicitDeny", version=V08)
    c.one("var.escape-star-in-stringlike", SPECIAL + "; " + WHERE + ", 'Condition element': in "
          "StringLike, '/usr/bin/${*}' matches only the literal '/usr/bin/*'.",
          policy(stmt(cond={"StringLike": {"host:Command": "/usr/bin/${*}"}})), "host:Login",
          "implicitDeny", context=[ctx("host:Command", "string", "/usr/bin/ls")])
    c.one("var.escape-star-in-stringlike-literal", SPECIAL + ": StringLike '/usr/bin/${*}' "
          "matches the literal text '/usr/bin/*'.",
          policy(stmt(cond={"StringLike": {"host:Command": "/usr/bin/${*}"}})), "host:Login",
          "allowed", context=[ctx("host:Command", "string", "/usr/bin/*")])

    # ---- conditions --------------------------------------------------------------------------
    tagcond = {"StringEquals": {"aws:ResourceTag/env": "${aws:PrincipalTag/env}"}}
    ptag = lambda v: ctx("aws:PrincipalTag/env", "string", v)
    rtag = lambda v: ctx("aws:ResourceTag/env", "string", v)
    cw = WHERE + ", 'Condition element': variables may be used in String and ARN operators"
    c.one("var.cond-tags-equal", cw + ": aws:ResourceTag/env equals ${aws:PrincipalTag/env} "
          "(both 'prod').", policy(stmt(cond=tagcond)), "host:Login", "allowed",
          context=[ptag("prod"), rtag("prod")])
    c.one("var.cond-tags-differ", cw + ": 'dev' does not equal ${aws:PrincipalTag/env}='prod'.",
          policy(stmt(cond=tagcond)), "host:Login", "implicitDeny",
          context=[ptag("prod"), rtag("dev")])
    c.one("var.cond-variable-missing", cw + "; " + NOVAL + ": the principal tag is missing, so "
          "the comparison fails.", policy(stmt(cond=tagcond)), "host:Login", "implicitDeny",
          context=[rtag("prod")])
    c.one("var.cond-key-missing", cw + ": the resource tag (the condition key) is missing, so "
          "StringEquals is false.", policy(stmt(cond=tagcond)), "host:Login", "implicitDeny",
          context=[ptag("prod")])
    c.one("var.cond-variable-missing-deny", cw + "; " + NOVAL + ": in a Deny, an unresolved "
          "variable in StringEquals cannot match, so the Deny does not apply.",
          policy(stmt(action="*"), stmt(effect="Deny", cond=tagcond)), "host:Login", "allowed",
          context=[rtag("prod")])
    c.one("var.cond-stringlike-prefix", cw + ": StringLike 'home/${aws:username}/*' (the "
          "guide's s3:prefix example).",
          policy(stmt(cond={"StringLike": {"host:Path": "home/${aws:username}/*"}})),
          "host:Login", "allowed",
          context=[ctx("host:Path", "string", "home/alice/x"), ctx("aws:username", "string",
                                                                   "alice")])
    c.one("var.cond-arnlike", cw + ": ArnLike 'arn:aws:iam::123456789012:user/${aws:username}'.",
          policy(stmt(cond={"ArnLike": {"aws:PrincipalArn":
                                        "arn:aws:iam::123456789012:user/${aws:username}"}})),
          "host:Login", "allowed",
          context=[ctx("aws:PrincipalArn", "string", "arn:aws:iam::123456789012:user/alice"),
                   ctx("aws:username", "string", "alice")])
    c.one("var.cond-2008-literal", VER + ": under 2008-10-17, StringEquals compares with the "
          "literal text '${aws:PrincipalTag/env}'.",
          policy(stmt(cond=tagcond), version=V08), "host:Login", "implicitDeny",
          context=[ptag("prod"), rtag("prod")])
    c.one("var.cond-2008-literal-match", VER + ": under 2008-10-17 the literal text "
          "'${aws:PrincipalTag/env}' is what a context value must equal.",
          policy(stmt(cond=tagcond), version=V08), "host:Login", "allowed",
          context=[ptag("prod"), rtag("${aws:PrincipalTag/env}")])
    c.one("var.cond-ignorecase", cw + ": StringEqualsIgnoreCase with a variable: 'PROD' equals "
          "${aws:PrincipalTag/env}='prod' ignoring case.",
          policy(stmt(cond={"StringEqualsIgnoreCase":
                            {"aws:ResourceTag/env": "${aws:PrincipalTag/env}"}})),
          "host:Login", "allowed", context=[ptag("prod"), rtag("PROD")])
    c.one("var.cond-notequals-resolved", cw + ": StringNotEquals with a resolved variable: "
          "'dev' is not 'prod', so the negated condition is true.",
          policy(stmt(cond={"StringNotEquals":
                            {"aws:ResourceTag/env": "${aws:PrincipalTag/env}"}})),
          "host:Login", "allowed", context=[ptag("prod"), rtag("dev")])
    c.one("var.cond-text-around-variable", cw + ": a variable inside a longer value: "
          "'team-${aws:PrincipalTag/team}' becomes 'team-ops'.",
          policy(stmt(cond={"StringEquals": {"host:OsGroup": "team-${aws:PrincipalTag/team}"}})),
          "host:Login", "allowed",
          context=[ctx("host:OsGroup", "string", "team-ops"),
                   ctx("aws:PrincipalTag/team", "string", "ops")])


def generate_more(c):
    user = lambda v: ctx("aws:username", "string", v)
    get = "s3:GetObject"
    home = "arn:aws:s3:::home/${aws:username}/*"
    pair = [policy(stmt(action=get, resource=home), version=V08),
            policy(stmt(effect="Deny", action=get, resource=home))]
    c.one("var.version-per-policy-deny", VER + "; the Version element belongs to each policy: "
          "the 2012-10-17 policy's Deny resolves ${aws:username} and denies home/alice/x, the "
          "2008-10-17 policy's Allow is literal text and does not apply.", pair, get,
          "explicitDeny", resource="arn:aws:s3:::home/alice/x", context=[user("alice")])
    c.one("var.version-per-policy-literal", VER + "; the 2008-10-17 policy allows the literal "
          "name 'home/${aws:username}/x'; the 2012-10-17 Deny resolves to home/alice/* and does "
          "not apply to it.", pair, get, "allowed",
          resource="arn:aws:s3:::home/${aws:username}/x", context=[user("alice")])
    c.one("var.in-boundary", P_VARS + ", Introduction: 'Identity-based policies used as "
          "permissions boundaries also support policy variables'; the boundary limits alice to "
          "home/alice/*.", policy(stmt(action="s3:*")), get, "allowed",
          resource="arn:aws:s3:::home/alice/x", context=[user("alice")],
          boundaries=[policy(stmt(action="s3:*", resource=home))])
    c.one("var.in-boundary-other-home", P_VARS + ": the boundary's variable resolves to "
          "home/alice/*, so home/bob/ is outside the boundary.", policy(stmt(action="s3:*")),
          get, "implicitDeny", resource="arn:aws:s3:::home/bob/x", context=[user("alice")],
          boundaries=[policy(stmt(action="s3:*", resource=home))])
    c.one("var.default-with-space-and-colon", DEFAULT + ": the default is the text between "
          "the quotes, spaces and ':' included.",
          policy(stmt(cond={"StringEquals": {"host:OsGroup":
                                             "${aws:PrincipalTag/group, 'ops team:blue'}"}})),
          "host:Login", "allowed", context=[ctx("host:OsGroup", "string", "ops team:blue")])
    c.one("var.escape-dollar-in-stringequals", SPECIAL + ": in StringEquals, 'echo ${$}HOME' is "
          "the text 'echo $HOME'.",
          policy(stmt(cond={"StringEquals": {"host:Command": "echo ${$}HOME"}})), "host:Login",
          "allowed", context=[ctx("host:Command", "string", "echo $HOME")])
    c.one("var.escape-question-in-stringlike", SPECIAL + ": in StringLike, 'what${?}' matches "
          "only the literal 'what?', not 'whats'.",
          policy(stmt(cond={"StringLike": {"host:Command": "what${?}"}})), "host:Login",
          "implicitDeny", context=[ctx("host:Command", "string", "whats")])
    c.one("var.escape-question-in-stringlike-literal", SPECIAL + ": StringLike 'what${?}' "
          "matches 'what?'.",
          policy(stmt(cond={"StringLike": {"host:Command": "what${?}"}})), "host:Login",
          "allowed", context=[ctx("host:Command", "string", "what?")])
    own = ("AWS service guides' tag example (e.g. Amazon Keyspaces, AWS DMS, App Runner: 'The "
           "condition tag key Owner matches both Owner and owner because condition key names "
           "are not case-sensitive'), with ${aws:username}")
    p = policy(stmt(action="*", cond={"StringEquals": {"aws:ResourceTag/Owner":
                                                       "${aws:username}"}}))
    c.one("var.doc-owner-tag-lowercase-key", own + ": the resource carries 'owner=richard-roe'.",
          p, "host:Login", "allowed",
          context=[user("richard-roe"), ctx("aws:ResourceTag/owner", "string", "richard-roe")])
    c.one("var.doc-owner-tag-exact-key", own + ": the resource carries 'Owner=richard-roe'.",
          p, "host:Login", "allowed",
          context=[user("richard-roe"), ctx("aws:ResourceTag/Owner", "string", "richard-roe")])
    c.one("var.doc-owner-tag-other-user", own + ": tagged for another user, so denied.",
          p, "host:Login", "implicitDeny",
          context=[user("richard-roe"), ctx("aws:ResourceTag/Owner", "string", "jane-doe")])

    # ---- variables with no value, negated operators and NotResource --------------------------
    nv = (P_VARS + ", 'Policy variables with no value': 'the value is effectively null. There "
          "is no equal or like value' ... 'Inverted condition operators like StringNotEquals or "
          "StringNotLike do match against a null value'")
    ptag = lambda v: ctx("aws:PrincipalTag/team", "string", v)
    team = {"StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    c.one("var.cond-notequals-variable-missing", nv + ": the principal tag is missing, so "
          "StringNotEquals against it holds and the Allow applies.", policy(stmt(cond=team)),
          "host:Login", "allowed", context=[ctx("aws:ResourceTag/team", "string", "ops")])
    c.one("var.cond-notequals-variable-missing-deny", nv + ". The page's example: a Deny on "
          "StringNotEquals s3:ExistingObjectTag/Team vs ${aws:PrincipalTag/Team}; 'Access is "
          "explicitly denied when aws:principaltag/Team is not set'.",
          policy(stmt(action="*"),
                 stmt(effect="Deny", action="s3:GetObject",
                      resource="arn:aws:s3:::amzn-s3-demo-bucket/*",
                      cond={"StringNotEquals": {"s3:ExistingObjectTag/Team":
                                                "${aws:PrincipalTag/Team}"}})),
          "s3:GetObject", "explicitDeny", resource="arn:aws:s3:::amzn-s3-demo-bucket/report",
          context=[ctx("s3:ExistingObjectTag/Team", "string", "blue")])
    c.one("var.cond-notequals-variable-present-deny", nv + "; with the tag set and equal, "
          "StringNotEquals is false and the Deny does not apply.",
          policy(stmt(action="*"),
                 stmt(effect="Deny", action="s3:GetObject",
                      resource="arn:aws:s3:::amzn-s3-demo-bucket/*",
                      cond={"StringNotEquals": {"s3:ExistingObjectTag/Team":
                                                "${aws:PrincipalTag/Team}"}})),
          "s3:GetObject", "allowed", resource="arn:aws:s3:::amzn-s3-demo-bucket/report",
          context=[ctx("s3:ExistingObjectTag/Team", "string", "blue"),
                   ctx("aws:PrincipalTag/Team", "string", "blue")])
    c.one("var.cond-notlike-variable-missing", nv + ": StringNotLike against a missing "
          "variable holds.", policy(stmt(cond={"StringNotLike": {"host:OsUser":
                                                                "${aws:PrincipalTag/os}*"}})),
          "host:Login", "allowed", context=[ctx("host:OsUser", "string", "alice")])
    c.one("var.cond-arnnotlike-variable-missing", nv + " (ArnNotLike is an inverted operator "
          "like StringNotLike): ArnNotLike against a missing variable holds.",
          policy(stmt(cond={"ArnNotLike": {"aws:PrincipalArn":
                                           "arn:aws:iam::123456789012:user/${aws:username}"}})),
          "host:Login", "allowed",
          context=[ctx("aws:PrincipalArn", "string", "arn:aws:iam::123456789012:user/alice")])
    c.one("var.cond-equals-variable-missing-other-value", nv + "; reading chosen: the values "
          "of a key are ORed and only the value holding the variable is null, so 'ops' still "
          "matches the other value.",
          policy(stmt(cond={"StringEquals": {"aws:ResourceTag/team":
                                             ["${aws:PrincipalTag/team}", "ops"]}})),
          "host:Login", "allowed", context=[ctx("aws:ResourceTag/team", "string", "ops")])
    c.one("var.cond-notequals-variable-missing-other-value", nv + "; reading chosen: a negated "
          "operator NORs the values; the null one matches nothing, but 'ops' matches the other "
          "value, so StringNotEquals is false.",
          policy(stmt(cond={"StringNotEquals": {"aws:ResourceTag/team":
                                                ["${aws:PrincipalTag/team}", "ops"]}})),
          "host:Login", "implicitDeny", context=[ctx("aws:ResourceTag/team", "string", "ops")])
    nr = (P_VARS + ", 'Policy variables with no value': 'If a variable that has no value ... is "
          "used as part of the Resource or NotResource element of a policy, the resource that "
          "includes a policy variable with no value will not match any resource'")
    homes = "arn:aws:s3:::home/${aws:username}/*"
    c.one("var.notresource-unresolved-allow", nr + ": the NotResource entry matches nothing, "
          "so it excludes nothing and the Allow covers every resource.",
          policy(stmt(action="s3:GetObject", not_resource=homes)), "s3:GetObject", "allowed",
          resource="arn:aws:s3:::home/alice/x")
    c.one("var.notresource-unresolved-deny", nr + ": a Deny with that NotResource applies to "
          "every resource.",
          policy(stmt(action="*"), stmt(effect="Deny", action="s3:GetObject",
                                        not_resource=homes)),
          "s3:GetObject", "explicitDeny", resource="arn:aws:s3:::home/alice/x")
    c.one("var.notresource-resolved-deny", nr + "; resolved, the NotResource entry excludes "
          "alice's own home, so the Deny does not apply there.",
          policy(stmt(action="*"), stmt(effect="Deny", action="s3:GetObject",
                                        not_resource=homes)),
          "s3:GetObject", "allowed", resource="arn:aws:s3:::home/alice/x",
          context=[user("alice")])
