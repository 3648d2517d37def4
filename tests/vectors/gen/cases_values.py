"""How each operator family compares values: strings and wildcards, numbers, dates (ISO 8601
and epoch), addresses (IPv4, IPv6, CIDR edges), ARNs, binary, booleans; and how values, keys
and operators combine."""

from corpus import (P_COND, P_OPS, P_KEYS, ctx, policy, stmt)

P_MULTIKV = "IAM User Guide, 'Creating a condition with multiple keys or values'"


def allow_if(c, name, rule, cond, contexts, decision):
    c.one(name, rule, policy(stmt(cond=cond)), "host:Login", decision, context=contexts)


def generate(c):
    svc = lambda v: ctx("host:Service", "string", v)
    cmd = lambda v: ctx("host:Command", "string", v)
    s_rule = P_OPS + ", 'String condition operators'"

    # ---- strings ------------------------------------------------------------------------
    allow_if(c, "str.equals-case-sensitive", s_rule + ": StringEquals is case sensitive; "
             "'Sshd' does not equal 'sshd'.", {"StringEquals": {"host:Service": "sshd"}},
             [svc("Sshd")], "implicitDeny")
    allow_if(c, "str.equals-star-is-literal", s_rule + ": StringEquals is exact matching; a * "
             "in its value is an ordinary character, so 'ss*d' does not equal 'sshd'.",
             {"StringEquals": {"host:Service": "ss*d"}}, [svc("sshd")], "implicitDeny")
    allow_if(c, "str.equals-star-literal-match", s_rule + ": StringEquals is exact matching; "
             "'ss*d' equals the context value 'ss*d'.",
             {"StringEquals": {"host:Service": "ss*d"}}, [svc("ss*d")], "allowed")
    allow_if(c, "str.equals-no-prefix-match", s_rule + ": StringEquals is exact; 'ssh' does "
             "not equal 'sshd'.", {"StringEquals": {"host:Service": "ssh"}}, [svc("sshd")],
             "implicitDeny")
    allow_if(c, "str.equals-empty-string", s_rule + ": StringEquals with an empty policy value "
             "matches an empty context value.", {"StringEquals": {"host:Tty": ""}},
             [ctx("host:Tty", "string", "")], "allowed")
    allow_if(c, "str.ignorecase-mixed", s_rule + ": StringEqualsIgnoreCase ignores case: "
             "'SsHd' equals 'sShD'.", {"StringEqualsIgnoreCase": {"host:Service": "SsHd"}},
             [svc("sShD")], "allowed")
    allow_if(c, "str.ignorecase-still-exact", s_rule + ": StringEqualsIgnoreCase is still exact "
             "matching: 'SSH' does not equal 'sshd'.",
             {"StringEqualsIgnoreCase": {"host:Service": "SSH"}}, [svc("sshd")], "implicitDeny")
    allow_if(c, "str.notequals-ignorecase-case-only", s_rule + ": StringNotEqualsIgnoreCase: "
             "'SSHD' and 'sshd' are equal ignoring case, so the negated condition is false.",
             {"StringNotEqualsIgnoreCase": {"host:Service": "SSHD"}}, [svc("sshd")],
             "implicitDeny")
    allow_if(c, "str.notequals-case-differs", s_rule + ": StringNotEquals is case sensitive: "
             "'SSHD' differs from 'sshd', so the negated condition is true.",
             {"StringNotEquals": {"host:Service": "SSHD"}}, [svc("sshd")], "allowed")
    allow_if(c, "str.like-question-one-char", s_rule + ": in StringLike, ? matches exactly one "
             "character: 'ss?d' matches 'sshd'.", {"StringLike": {"host:Service": "ss?d"}},
             [svc("sshd")], "allowed")
    allow_if(c, "str.like-question-not-zero", s_rule + ": in StringLike, ? matches exactly one "
             "character, not zero: 'ss?d' does not match 'ssd'.",
             {"StringLike": {"host:Service": "ss?d"}}, [svc("ssd")], "implicitDeny")
    allow_if(c, "str.like-question-not-two", s_rule + ": in StringLike, ? matches exactly one "
             "character, not two: 'ss?d' does not match 'sshhd'.",
             {"StringLike": {"host:Service": "ss?d"}}, [svc("sshhd")], "implicitDeny")
    allow_if(c, "str.like-star-empty", s_rule + ": in StringLike, * matches any run of "
             "characters including none: 'sshd*' matches 'sshd'.",
             {"StringLike": {"host:Service": "sshd*"}}, [svc("sshd")], "allowed")
    allow_if(c, "str.like-star-crosses-slash", s_rule + ": StringLike's * matches any "
             "characters, '/' included: '/usr/*' matches '/usr/bin/systemctl'.",
             {"StringLike": {"host:Command": "/usr/*"}}, [cmd("/usr/bin/systemctl")], "allowed")
    allow_if(c, "str.like-star-crosses-colon", s_rule + ": StringLike compares the whole string; "
             "'*' matches across ':' (unlike ArnLike, see the ARN section's example).",
             {"StringLike": {"aws:PrincipalArn": "arn:aws:*:user/alice"}},
             [ctx("aws:PrincipalArn", "string", "arn:aws:iam::123456789012:user/alice")],
             "allowed")
    allow_if(c, "str.like-case-sensitive", s_rule + ": StringLike is case-sensitive matching: "
             "'SS*' does not match 'sshd'.", {"StringLike": {"host:Service": "SS*"}},
             [svc("sshd")], "implicitDeny")
    allow_if(c, "str.like-middle-star", s_rule + ": wildcards can appear anywhere in the "
             "string: '/usr/bin/systemctl restart *' matches "
             "'/usr/bin/systemctl restart nginx'.",
             {"StringLike": {"host:Command": "/usr/bin/systemctl restart *"}},
             [cmd("/usr/bin/systemctl restart nginx")], "allowed")
    allow_if(c, "str.like-anchored", s_rule + ": StringLike matches the whole value: "
             "'/usr/bin/systemctl restart *' does not match "
             "'sudo /usr/bin/systemctl restart nginx'.",
             {"StringLike": {"host:Command": "/usr/bin/systemctl restart *"}},
             [cmd("sudo /usr/bin/systemctl restart nginx")], "implicitDeny")
    allow_if(c, "str.like-several-stars", s_rule + ": several * in one value: 'a*b*c' matches "
             "'aXbYbZc'.", {"StringLike": {"host:Command": "a*b*c"}}, [cmd("aXbYbZc")],
             "allowed")
    allow_if(c, "str.like-backtracking-no-match", s_rule + ": '*a*b' does not match a long "
             "run of 'a' ending in 'c' (the whole value must match).",
             {"StringLike": {"host:Command": "*a*a*a*a*a*a*b"}}, [cmd("a" * 200 + "c")],
             "implicitDeny")
    allow_if(c, "str.like-backtracking-match", s_rule + ": '*a*a*a*a*a*a*b' matches a long run "
             "of 'a' ending in 'b'.", {"StringLike": {"host:Command": "*a*a*a*a*a*a*b"}},
             [cmd("a" * 200 + "b")], "allowed")
    allow_if(c, "str.notlike-nor", P_MULTIKV + ": for a negated operator with several values "
             "the condition is true only if the context matches none of them (NOR): "
             "'sudo' matches 'su*'.", {"StringNotLike": {"host:Service": ["ssh*", "su*"]}},
             [svc("sudo")], "implicitDeny")
    allow_if(c, "str.notlike-nor-none-match", P_MULTIKV + ": negated operator, several values: "
             "'login' matches neither 'ssh*' nor 'su*', so StringNotLike is true.",
             {"StringNotLike": {"host:Service": ["ssh*", "su*"]}}, [svc("login")], "allowed")
    allow_if(c, "str.notequals-nor", P_MULTIKV + ": StringNotEquals with several values is true "
             "only if the context value equals none of them; 'sudo' equals the second.",
             {"StringNotEquals": {"host:Service": ["sshd", "sudo"]}}, [svc("sudo")],
             "implicitDeny")
    allow_if(c, "str.notequals-nor-none-match", P_MULTIKV + ": StringNotEquals with several "
             "values; 'login' equals none, so the condition is true.",
             {"StringNotEquals": {"host:Service": ["sshd", "sudo"]}}, [svc("login")], "allowed")
    allow_if(c, "str.equals-values-ored", P_MULTIKV + ": several values for one key are ORed: "
             "'sudo' equals the second value.",
             {"StringEquals": {"host:Service": ["sshd", "sudo"]}}, [svc("sudo")], "allowed")
    allow_if(c, "str.equals-values-ored-none", P_MULTIKV + ": several values for one key are "
             "ORed; 'login' equals none of them.",
             {"StringEquals": {"host:Service": ["sshd", "sudo"]}}, [svc("login")],
             "implicitDeny")
    allow_if(c, "str.like-values-ored", P_MULTIKV + ": StringLike values are ORed: 'su' "
             "matches 'su*' (the second value).",
             {"StringLike": {"host:Service": ["ssh*", "su*"]}}, [svc("su")], "allowed")

    # ---- combining keys and operators ------------------------------------------------------
    both = {"StringEquals": {"host:Service": "sshd", "host:AuthMethod": "publickey"}}
    am = lambda v: ctx("host:AuthMethod", "string", v)
    age0 = lambda v: ctx("aws:MultiFactorAuthAge", "numeric", v)
    allow_if(c, "cond.keys-anded-both", P_MULTIKV + ": several keys under one operator are "
             "ANDed; both match.", both, [svc("sshd"), am("publickey")], "allowed")
    allow_if(c, "cond.keys-anded-one-fails", P_MULTIKV + ": several keys under one operator are "
             "ANDed; host:AuthMethod does not match, so the condition is false.", both,
             [svc("sshd"), am("password")], "implicitDeny")
    allow_if(c, "cond.keys-anded-one-missing", P_MULTIKV + ": keys are ANDed and a missing key "
             "makes a (non-negated) operator false.", both, [svc("sshd")], "implicitDeny")
    ops2 = {"StringEquals": {"host:Service": "sshd"},
            "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
    ip = lambda v: ctx("aws:SourceIp", "ip", v)
    allow_if(c, "cond.operators-anded-both", P_MULTIKV + ": several operators in one Condition "
             "are ANDed; both are true.", ops2, [svc("sshd"), ip("203.0.113.9")], "allowed")
    allow_if(c, "cond.operators-anded-one-fails", P_MULTIKV + ": several operators in one "
             "Condition are ANDed; the IpAddress test fails.", ops2,
             [svc("sshd"), ip("192.0.2.9")], "implicitDeny")
    allow_if(c, "cond.keyname-case-insensitive-policy", P_COND + ": condition key names are "
             "not case-sensitive; 'HOST:SERVICE' in the policy names host:Service.",
             {"StringEquals": {"HOST:SERVICE": "sshd"}}, [svc("sshd")], "allowed")
    allow_if(c, "cond.keyname-case-insensitive-context", P_COND + ": condition key names are "
             "not case-sensitive; a context entry 'AWS:SOURCEIP' supplies aws:SourceIp.",
             {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
             [ctx("AWS:SOURCEIP", "ip", "203.0.113.7")], "allowed")
    allow_if(c, "cond.keyname-case-value-still-sensitive", P_COND + ": key names are "
             "case-insensitive but StringEquals values are not: 'Host:service' finds the key, "
             "'SSHD' does not equal 'sshd'.", {"StringEquals": {"Host:service": "SSHD"}},
             [svc("sshd")], "implicitDeny")
    allow_if(c, "cond.tag-key-case-insensitive", P_KEYS + ", aws:PrincipalTag/tag-key: the "
             "key name, tag key included, is matched case-insensitively; values stay "
             "case-sensitive.", {"StringEquals": {"aws:PrincipalTag/Env": "prod"}},
             [ctx("aws:principaltag/env", "string", "prod")], "allowed")
    allow_if(c, "cond.value-single-string-or-array", P_COND + ": a condition value may be a "
             "single string or an array of one string; both mean the same.",
             {"StringEquals": {"host:Service": ["sshd"]}}, [svc("sshd")], "allowed")
    gr = ("IAM User Guide, 'Grammar of the IAM JSON policy language': <condition_value> = "
          "(\"string\" | \"number\" | \"Boolean\"); 'Quotation marks are optional for numeric "
          "and Boolean values'")
    allow_if(c, "cond.value-json-number", gr + ": NumericLessThanEquals with the JSON number "
             "3600 is the same as \"3600\".",
             {"NumericLessThanEquals": {"aws:MultiFactorAuthAge": 3600}}, [age0("3600")],
             "allowed")
    allow_if(c, "cond.value-json-number-false", gr + ": NumericLessThan with the JSON number "
             "3600; 3600 is not less than it.",
             {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}, [age0("3600")],
             "implicitDeny")
    allow_if(c, "cond.value-json-number-array", gr + ": an array of JSON numbers, ORed.",
             {"NumericEquals": {"aws:MultiFactorAuthAge": [1, 2.5]}}, [age0("2.5")], "allowed")
    allow_if(c, "cond.value-json-boolean-true", gr + ": Bool with the JSON literal true.",
             {"Bool": {"aws:MultiFactorAuthPresent": True}},
             [ctx("aws:MultiFactorAuthPresent", "boolean", "true")], "allowed")
    allow_if(c, "cond.value-json-boolean-false", gr + ": Bool with the JSON literal false "
             "does not match a true key.", {"Bool": {"aws:MultiFactorAuthPresent": False}},
             [ctx("aws:MultiFactorAuthPresent", "boolean", "true")], "implicitDeny")
    allow_if(c, "cond.value-json-number-string-operator", gr + "; reading chosen: a JSON number "
             "under a String operator is compared as its text, so 22 equals \"22\".",
             {"StringEquals": {"host:Port": 22}}, [ctx("host:Port", "string", "22")], "allowed")
    allow_if(c, "cond.other-key-irrelevant", P_COND + ": only the keys named in the condition "
             "matter; extra context keys change nothing.",
             {"StringEquals": {"host:Service": "sshd"}},
             [svc("sshd"), ctx("host:Tty", "string", "pts/0")], "allowed")

    # ---- numbers ---------------------------------------------------------------------------
    n_rule = P_OPS + ", 'Numeric condition operators' (integer or decimal values)"
    age = lambda v: ctx("aws:MultiFactorAuthAge", "numeric", v)
    allow_if(c, "num.decimal-less-than", n_rule + ": 1.5 is less than 2.",
             {"NumericLessThan": {"aws:MultiFactorAuthAge": "2"}}, [age("1.5")], "allowed")
    allow_if(c, "num.decimal-equals-integer", n_rule + ": compared as numbers, 10.0 equals 10.",
             {"NumericEquals": {"aws:MultiFactorAuthAge": "10"}}, [age("10.0")], "allowed")
    allow_if(c, "num.decimal-policy-value", n_rule + ": a decimal policy value: 0.75 < 0.8.",
             {"NumericLessThan": {"aws:MultiFactorAuthAge": "0.8"}}, [age("0.75")], "allowed")
    allow_if(c, "num.not-string-compare", n_rule + ": numbers compare as numbers, not as "
             "strings: 9 is less than 10 (as strings '9' > '10').",
             {"NumericLessThan": {"aws:MultiFactorAuthAge": "10"}}, [age("9")], "allowed")
    allow_if(c, "num.negative", n_rule + ": negative numbers: 0 is greater than -1.",
             {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "-1"}}, [age("0")], "allowed")
    allow_if(c, "num.negative-less", n_rule + ": -5 is less than -1.",
             {"NumericLessThan": {"aws:MultiFactorAuthAge": "-1"}}, [age("-5")], "allowed")
    allow_if(c, "num.large", n_rule + ": 1000000000000 is greater than 999999999999.",
             {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "999999999999"}},
             [age("1000000000000")], "allowed")
    allow_if(c, "num.values-ored", n_rule + "; " + P_MULTIKV + ": values are ORed: 2 equals "
             "one of 1, 2, 3.", {"NumericEquals": {"aws:MultiFactorAuthAge": ["1", "2", "3"]}},
             [age("2")], "allowed")
    allow_if(c, "num.notequals-nor", n_rule + "; " + P_MULTIKV + ": NumericNotEquals with "
             "several values is a NOR; 2 equals one of them.",
             {"NumericNotEquals": {"aws:MultiFactorAuthAge": ["1", "2"]}}, [age("2")],
             "implicitDeny")
    allow_if(c, "num.notequals-nor-none", n_rule + "; " + P_MULTIKV + ": NumericNotEquals with "
             "several values; 3 equals none of them.",
             {"NumericNotEquals": {"aws:MultiFactorAuthAge": ["1", "2"]}}, [age("3")],
             "allowed")
    allow_if(c, "num.lessthan-values-ored", n_rule + "; " + P_MULTIKV + ": NumericLessThan "
             "with values 10 and 100 is true when any comparison is: 50 < 100.",
             {"NumericLessThan": {"aws:MultiFactorAuthAge": ["10", "100"]}}, [age("50")],
             "allowed")

    # ---- dates -----------------------------------------------------------------------------
    d_rule = (P_OPS + ", 'Date condition operators': values are W3C ISO 8601 dates or epoch "
              "(UNIX) time")
    now = lambda v: ctx("aws:CurrentTime", "date", v)
    allow_if(c, "date.epoch-policy-iso-context", d_rule + ": policy 1767225600 (epoch) is "
             "2026-01-01T00:00:00Z; 2026-06-01T00:00:00Z is after it.",
             {"DateGreaterThan": {"aws:CurrentTime": "1767225600"}},
             [now("2026-06-01T00:00:00Z")], "allowed")
    allow_if(c, "date.epoch-policy-iso-context-equal", d_rule + ": epoch 1767225600 and "
             "2026-01-01T00:00:00Z are the same instant, so DateEquals is true.",
             {"DateEquals": {"aws:CurrentTime": "1767225600"}},
             [now("2026-01-01T00:00:00Z")], "allowed")
    allow_if(c, "date.iso-policy-epoch-context", d_rule + ": context aws:EpochTime 1780272000 "
             "(2026-06-01T00:00:00Z) is after policy 2026-01-01T00:00:00Z.",
             {"DateGreaterThan": {"aws:EpochTime": "2026-01-01T00:00:00Z"}},
             [ctx("aws:EpochTime", "date", "1780272000")], "allowed")
    allow_if(c, "date.iso-policy-epoch-context-before", d_rule + ": context epoch 1767225599 is "
             "one second before 2026-01-01T00:00:00Z, so DateGreaterThanEquals is false.",
             {"DateGreaterThanEquals": {"aws:EpochTime": "2026-01-01T00:00:00Z"}},
             [ctx("aws:EpochTime", "date", "1767225599")], "implicitDeny")
    allow_if(c, "date.epoch-both", d_rule + ": both sides epoch: 1767225599 < 1767225600.",
             {"DateLessThan": {"aws:EpochTime": "1767225600"}},
             [ctx("aws:EpochTime", "date", "1767225599")], "allowed")
    allow_if(c, "date.timezone-offset-equal", d_rule + ": 2026-01-01T01:00:00+01:00 is the same "
             "instant as 2026-01-01T00:00:00Z (W3C TZD offset).",
             {"DateEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
             [now("2026-01-01T01:00:00+01:00")], "allowed")
    allow_if(c, "date.timezone-offset-policy", d_rule + ": policy 2026-01-01T00:00:00-05:00 is "
             "2026-01-01T05:00:00Z; 2026-01-01T04:00:00Z is before it.",
             {"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00-05:00"}},
             [now("2026-01-01T04:00:00Z")], "allowed")
    allow_if(c, "date.fractional-seconds", d_rule + ": W3C format with a decimal fraction of a "
             "second: 2026-01-01T00:00:00.5Z is after 2026-01-01T00:00:00Z.",
             {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
             [now("2026-01-01T00:00:00.5Z")], "allowed")
    allow_if(c, "date.millis-equal", d_rule + ": 2026-01-01T00:00:00.000Z is the same instant "
             "as 2026-01-01T00:00:00Z.", {"DateEquals": {"aws:CurrentTime":
                                                       "2026-01-01T00:00:00.000Z"}},
             [now("2026-01-01T00:00:00Z")], "allowed")
    allow_if(c, "date.minutes-precision", d_rule + ": W3C format hh:mm with a TZD: "
             "2026-01-01T10:30Z equals 2026-01-01T10:30:00Z.",
             {"DateEquals": {"aws:CurrentTime": "2026-01-01T10:30Z"}},
             [now("2026-01-01T10:30:00Z")], "allowed")
    allow_if(c, "date.date-only-before", d_rule + ": W3C complete date YYYY-MM-DD; reading "
             "chosen: it means midnight UTC at the start of that day, so "
             "2025-12-31T23:59:59Z is before 2026-01-01.",
             {"DateLessThan": {"aws:CurrentTime": "2026-01-01"}},
             [now("2025-12-31T23:59:59Z")], "allowed")
    allow_if(c, "date.date-only-after", d_rule + ": W3C complete date YYYY-MM-DD read as "
             "midnight UTC; 2026-01-01T00:00:01Z is not before 2026-01-01.",
             {"DateLessThan": {"aws:CurrentTime": "2026-01-01"}},
             [now("2026-01-01T00:00:01Z")], "implicitDeny")
    allow_if(c, "date.window-anded", d_rule + "; " + P_MULTIKV + ": a time window as two "
             "operators (ANDed): after 2026-01-01 and before 2026-02-01.",
             {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
              "DateLessThan": {"aws:CurrentTime": "2026-02-01T00:00:00Z"}},
             [now("2026-01-15T12:00:00Z")], "allowed")
    allow_if(c, "date.window-outside", d_rule + "; " + P_MULTIKV + ": a time window as two "
             "operators (ANDed); 2026-03-01 is after its end.",
             {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
              "DateLessThan": {"aws:CurrentTime": "2026-02-01T00:00:00Z"}},
             [now("2026-03-01T00:00:00Z")], "implicitDeny")
    allow_if(c, "date.values-ored", d_rule + "; " + P_MULTIKV + ": DateEquals values are ORed.",
             {"DateEquals": {"aws:CurrentTime": ["2026-01-01T00:00:00Z",
                                                 "2026-01-02T00:00:00Z"]}},
             [now("2026-01-02T00:00:00Z")], "allowed")
    allow_if(c, "date.epoch-vs-iso-mixed-values", d_rule + ": policy values may mix forms: "
             "epoch 1767225600 and an ISO date are both accepted; context equals the epoch one.",
             {"DateEquals": {"aws:CurrentTime": ["1767225600", "2027-01-01T00:00:00Z"]}},
             [now("2026-01-01T00:00:00Z")], "allowed")

    # ---- IP addresses ----------------------------------------------------------------------
    i_rule = (P_OPS + ", 'IP address condition operators': the value is in standard CIDR "
              "format (IPv4 or IPv6)")
    allow_if(c, "ip.v4-slash0-matches-all", i_rule + ": 0.0.0.0/0 contains every IPv4 address.",
             {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, [ip("198.51.100.200")], "allowed")
    allow_if(c, "ip.v4-slash0-notipaddress", i_rule + ": NotIpAddress 0.0.0.0/0 is false for "
             "every IPv4 address.", {"NotIpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
             [ip("198.51.100.200")], "implicitDeny")
    allow_if(c, "ip.v4-slash32-match", i_rule + ": /32 is a single address.",
             {"IpAddress": {"aws:SourceIp": "203.0.113.7/32"}}, [ip("203.0.113.7")], "allowed")
    allow_if(c, "ip.v4-slash32-neighbour", i_rule + ": /32 is a single address; .8 is outside.",
             {"IpAddress": {"aws:SourceIp": "203.0.113.7/32"}}, [ip("203.0.113.8")],
             "implicitDeny")
    allow_if(c, "ip.v4-no-prefix-is-32", i_rule + ": 'If you specify an IP address without the "
             "associated routing prefix, IAM uses the default prefix value of /32'.",
             {"IpAddress": {"aws:SourceIp": "203.0.113.7"}}, [ip("203.0.113.7")], "allowed")
    allow_if(c, "ip.v4-no-prefix-is-32-neighbour", i_rule + ": an address without a prefix is "
             "/32, so 203.0.113.8 is not in 203.0.113.7.",
             {"IpAddress": {"aws:SourceIp": "203.0.113.7"}}, [ip("203.0.113.8")], "implicitDeny")
    allow_if(c, "ip.v4-slash24-last", i_rule + ": 203.0.113.0/24 spans 203.0.113.0 to "
             "203.0.113.255.", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
             [ip("203.0.113.255")], "allowed")
    allow_if(c, "ip.v4-slash24-next", i_rule + ": 203.0.114.0 is just past 203.0.113.0/24.",
             {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, [ip("203.0.114.0")],
             "implicitDeny")
    allow_if(c, "ip.v4-slash20-boundary", i_rule + ": 10.0.16.0/20 spans 10.0.16.0-10.0.31.255; "
             "10.0.31.1 is inside (prefix not on an octet boundary).",
             {"IpAddress": {"aws:SourceIp": "10.0.16.0/20"}}, [ip("10.0.31.1")], "allowed")
    allow_if(c, "ip.v4-slash20-outside", i_rule + ": 10.0.32.1 is outside 10.0.16.0/20.",
             {"IpAddress": {"aws:SourceIp": "10.0.16.0/20"}}, [ip("10.0.32.1")], "implicitDeny")
    allow_if(c, "ip.v6-slash128-match", i_rule + ": an IPv6 /128 is a single address.",
             {"IpAddress": {"aws:SourceIp": "2001:db8::1/128"}}, [ip("2001:db8::1")], "allowed")
    allow_if(c, "ip.v6-slash128-neighbour", i_rule + ": an IPv6 /128 is a single address; "
             "2001:db8::2 is outside.", {"IpAddress": {"aws:SourceIp": "2001:db8::1/128"}},
             [ip("2001:db8::2")], "implicitDeny")
    allow_if(c, "ip.v6-uncompressed-same-address", i_rule + ": addresses compare as addresses, "
             "not text: 2001:0db8:0000:0000:0000:0000:0000:0001 is 2001:db8::1.",
             {"IpAddress": {"aws:SourceIp": "2001:db8::1/128"}},
             [ip("2001:0db8:0000:0000:0000:0000:0000:0001")], "allowed")
    allow_if(c, "ip.v6-doc-example-uppercase", i_rule + ": the guide's example "
             "2001:DB8:1234:5678::/64 contains 2001:db8:1234:5678:abcd::1 (hex digits are "
             "case-insensitive).", {"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}},
             [ip("2001:db8:1234:5678:abcd::1")], "allowed")
    allow_if(c, "ip.v6-slash64-outside", i_rule + ": 2001:db8:1234:5679::1 is outside "
             "2001:DB8:1234:5678::/64.",
             {"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}},
             [ip("2001:db8:1234:5679::1")], "implicitDeny")
    allow_if(c, "ip.v6-slash0", i_rule + ": ::/0 contains every IPv6 address.",
             {"IpAddress": {"aws:SourceIp": "::/0"}}, [ip("2001:db8:ffff::42")], "allowed")
    allow_if(c, "ip.v6-no-prefix-is-128", i_rule + ": an IPv6 address without a prefix is read "
             "as a single address (/128, the IPv6 counterpart of the documented /32 default).",
             {"IpAddress": {"aws:SourceIp": "2001:db8::1"}}, [ip("2001:db8::2")],
             "implicitDeny")
    allow_if(c, "ip.mixed-list-v6-hit", i_rule + ": the guide's example mixes IPv4 and IPv6 "
             "ranges in one list (ORed); an IPv6 source in the IPv6 range matches.",
             {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}},
             [ip("2001:db8:1234:5678::99")], "allowed")
    allow_if(c, "ip.mixed-list-v4-hit", i_rule + ": mixed IPv4/IPv6 list; an IPv4 source in the "
             "IPv4 range matches.",
             {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}},
             [ip("203.0.113.99")], "allowed")
    allow_if(c, "ip.v4-address-not-in-v6-range", i_rule + ": an IPv4 address is not inside an "
             "IPv6 range.", {"IpAddress": {"aws:SourceIp": "2001:db8::/32"}},
             [ip("203.0.113.7")], "implicitDeny")
    allow_if(c, "ip.v6-address-not-in-v4-slash0", i_rule + ": reading chosen: 0.0.0.0/0 is the "
             "whole IPv4 space only; a (non-mapped) IPv6 address is not in it.",
             {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, [ip("2001:db8::1")], "implicitDeny")
    allow_if(c, "ip.v4-mapped-v6-in-v4-range", i_rule + ": reading chosen: an IPv4-mapped IPv6 "
             "address (::ffff:a.b.c.d, RFC 4291 2.5.5.2) stands for the IPv4 address a.b.c.d, so "
             "::ffff:203.0.113.7 is in 203.0.113.0/24.",
             {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, [ip("::ffff:203.0.113.7")],
             "allowed")
    allow_if(c, "ip.v4-mapped-v6-outside-v4-range", i_rule + ": reading chosen: "
             "::ffff:198.51.100.7 stands for 198.51.100.7, which is outside 203.0.113.0/24.",
             {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, [ip("::ffff:198.51.100.7")],
             "implicitDeny")
    allow_if(c, "ip.notipaddress-list-nor", i_rule + "; " + P_MULTIKV + ": NotIpAddress with "
             "several ranges is true only outside all of them; 10.1.2.3 is in 10.0.0.0/8.",
             {"NotIpAddress": {"aws:SourceIp": ["192.168.0.0/16", "10.0.0.0/8"]}},
             [ip("10.1.2.3")], "implicitDeny")
    allow_if(c, "ip.notipaddress-list-outside-all", i_rule + "; " + P_MULTIKV + ": NotIpAddress "
             "with several ranges; 172.16.0.1 is outside both.",
             {"NotIpAddress": {"aws:SourceIp": ["192.168.0.0/16", "10.0.0.0/8"]}},
             [ip("172.16.0.1")], "allowed")
    allow_if(c, "ip.v6-slash127", i_rule + ": 2001:db8::/127 holds 2001:db8:: and 2001:db8::1.",
             {"IpAddress": {"aws:SourceIp": "2001:db8::/127"}}, [ip("2001:db8::1")], "allowed")

    # ---- ARNs ------------------------------------------------------------------------------
    a_rule = P_OPS + ", 'Amazon Resource Name (ARN) condition operators'"
    parn = lambda v: ctx("aws:PrincipalArn", "string", v)
    src = lambda v: ctx("aws:SourceArn", "string", v)
    doc_pat = "arn:aws:someservice:*:111122223333:finance/*"
    doc_val = ("arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:"
               "finance/document.txt")
    allow_if(c, "arn.doc-example-arnlike-fails", a_rule + ": the guide's example: with ArnLike, "
             "which matches elements between colons, '*' in the region matches only "
             "'us-east-2' and the account 999999999999 fails, so the match fails.",
             {"ArnLike": {"aws:SourceArn": doc_pat}}, [src(doc_val)], "implicitDeny")
    allow_if(c, "arn.doc-example-stringlike-succeeds", a_rule + ": the guide's example: with "
             "StringLike the first * matches 'us-east-2:999999999999:store/abc:' and the match "
             "succeeds.", {"StringLike": {"aws:SourceArn": doc_pat}}, [src(doc_val)], "allowed")
    allow_if(c, "arn.doc-example-arnnotlike", a_rule + ": the guide's example under "
             "ArnNotLike: the ArnLike match fails, so the negation is true.",
             {"ArnNotLike": {"aws:SourceArn": doc_pat}}, [src(doc_val)], "allowed")
    allow_if(c, "arn.equals-with-wildcard", a_rule + ": 'The ArnEquals and ArnLike condition "
             "operators behave identically', so ArnEquals also honours *.",
             {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/*"}},
             [parn("arn:aws:iam::123456789012:user/alice")], "allowed")
    allow_if(c, "arn.notequals-with-wildcard", a_rule + ": ArnNotEquals and ArnNotLike behave "
             "identically, so ArnNotEquals honours *: user/alice matches user/*.",
             {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/*"}},
             [parn("arn:aws:iam::123456789012:user/alice")], "implicitDeny")
    allow_if(c, "arn.like-question", a_rule + ": ? matches one character within a component.",
             {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/al?ce"}},
             [parn("arn:aws:iam::123456789012:user/alice")], "allowed")
    allow_if(c, "arn.like-case-sensitive", a_rule + ": ARN matching is case-sensitive: "
             "user/Alice does not match user/alice.",
             {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/Alice"}},
             [parn("arn:aws:iam::123456789012:user/alice")], "implicitDeny")
    allow_if(c, "arn.like-account-wildcard", a_rule + ": a * can stand for a whole component "
             "(the account).", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/alice"}},
             [parn("arn:aws:iam::123456789012:user/alice")], "allowed")
    allow_if(c, "arn.like-empty-region-component", a_rule + ": each of the six components is "
             "compared; IAM ARNs have an empty region, and an empty pattern component matches "
             "only an empty component.",
             {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/alice"}},
             [parn("arn:aws:iam:us-east-1:123456789012:user/alice")], "implicitDeny")
    allow_if(c, "arn.like-resource-crosses-slash", a_rule + ": the resource component is "
             "everything after the fifth colon; * in it matches across '/' (user/a/b/c).",
             {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/*"}},
             [parn("arn:aws:iam::123456789012:user/ops/oncall/alice")], "allowed")
    allow_if(c, "arn.like-resource-holds-colons", a_rule + ": the sixth component (resource) "
             "may itself hold colons; 'log-group:grp:*' matches "
             "'log-group:grp:log-stream:s1'.",
             {"ArnLike": {"aws:SourceArn":
                          "arn:aws:logs:us-east-1:123456789012:log-group:grp:*"}},
             [src("arn:aws:logs:us-east-1:123456789012:log-group:grp:log-stream:s1")],
             "allowed")
    allow_if(c, "arn.like-service-mismatch", a_rule + ": the service component must match: "
             "sts is not iam.",
             {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:*"}},
             [parn("arn:aws:sts::123456789012:assumed-role/admin/alice")], "implicitDeny")
    allow_if(c, "arn.like-values-ored", a_rule + "; " + P_MULTIKV + ": ARN values are ORed.",
             {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::123456789012:role/*",
                                               "arn:aws:iam::123456789012:user/alice"]}},
             [parn("arn:aws:iam::123456789012:user/alice")], "allowed")
    allow_if(c, "arn.notlike-nor", a_rule + "; " + P_MULTIKV + ": ArnNotLike with several "
             "values is a NOR; user/alice matches the second.",
             {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::123456789012:role/*",
                                                  "arn:aws:iam::123456789012:user/alice"]}},
             [parn("arn:aws:iam::123456789012:user/alice")], "implicitDeny")

    # ---- binary and bool -------------------------------------------------------------------
    b_rule = P_OPS + ", 'Binary condition operators'"
    tok = lambda v: ctx("host:Token", "binary", v)
    allow_if(c, "bin.values-ored", b_rule + "; values are ORed: the context bytes equal the "
             "second base-64 value.",
             {"BinaryEquals": {"host:Token": ["b3RoZXItdG9rZW4=", "aG9zdC10b2tlbg=="]}},
             [tok("aG9zdC10b2tlbg==")], "allowed")
    allow_if(c, "bin.prefix-bytes-differ", b_rule + ": byte for byte: 'host-tok' "
             "(aG9zdC10b2s=) is not 'host-token'.",
             {"BinaryEquals": {"host:Token": "aG9zdC10b2tlbg=="}}, [tok("aG9zdC10b2s=")],
             "implicitDeny")
    bo_rule = P_OPS + ", 'Boolean condition operators'"
    mfa = lambda v: ctx("aws:MultiFactorAuthPresent", "boolean", v)
    allow_if(c, "bool.false-matches-false", bo_rule + ": Bool \"false\" matches a false key.",
             {"Bool": {"aws:MultiFactorAuthPresent": "false"}}, [mfa("false")], "allowed")
    allow_if(c, "bool.false-vs-true", bo_rule + ": Bool \"false\" does not match a true key.",
             {"Bool": {"aws:MultiFactorAuthPresent": "false"}}, [mfa("true")], "implicitDeny")
    c.one("bool.deny-securetransport-false-present", bo_rule + ": the guide's "
          "'BooleanExample': Deny when aws:SecureTransport is \"false\"; the request sent it "
          "false, so the Deny applies.",
          policy(stmt(action="*"), stmt(effect="Deny", action="*",
                                        cond={"Bool": {"aws:SecureTransport": "false"}})),
          "host:Login", "explicitDeny", context=[ctx("aws:SecureTransport", "boolean", "false")])
    c.one("bool.deny-securetransport-missing", bo_rule + ": a Deny on Bool aws:SecureTransport "
          "\"false\" does not apply when the key is absent (missing key: the values do not "
          "match and the condition is false).",
          policy(stmt(action="*"), stmt(effect="Deny", action="*",
                                        cond={"Bool": {"aws:SecureTransport": "false"}})),
          "host:Login", "allowed")
