"""ForAnyValue: and ForAllValues: on multivalued (and single-valued) keys."""

from corpus import P_MULTI, ctx, policy, stmt

ANY = (P_MULTI + ": ForAnyValue: is true if at least one context value matches at least one "
       "policy value; it returns false if the key is missing from the request context")
ALL = (P_MULTI + ": ForAllValues: is true if every context value matches at least one policy "
       "value; it also returns true if the key is not in the request or resolves to an empty "
       "data set")
ANYNOT = (P_MULTI + ": ForAnyValue: with a negated operator is true if at least one context "
          "value matches none of the policy values")
ALLNOT = (P_MULTI + ": ForAllValues: with a negated operator is true if no context value "
          "matches any policy value")


def generate(c):
    tk = lambda *v: ctx("aws:TagKeys", "stringList", *v)
    pol_keys = ["env", "team"]

    def case(name, rule, op, vals, contexts, decision, key="aws:TagKeys", effect="Allow"):
        if effect == "Allow":
            p = policy(stmt(cond={op: {key: vals}}))
        else:
            p = policy(stmt(action="*"), stmt(effect="Deny", cond={op: {key: vals}}))
        c.one(name, rule, p, "host:Login", decision, context=contexts)

    case("set.anyvalue-equals-overlap", ANY + ": context [env, cost] shares 'env'.",
         "ForAnyValue:StringEquals", pol_keys, [tk("env", "cost")], "allowed")
    case("set.anyvalue-equals-no-overlap", ANY + ": context [cost, owner] shares nothing.",
         "ForAnyValue:StringEquals", pol_keys, [tk("cost", "owner")], "implicitDeny")
    case("set.anyvalue-equals-missing", ANY + ": key missing, so false.",
         "ForAnyValue:StringEquals", pol_keys, [], "implicitDeny")
    case("set.anyvalue-equals-missing-deny", ANY + ": in a Deny, a missing key makes "
         "ForAnyValue false, so the Deny does not apply.",
         "ForAnyValue:StringEquals", pol_keys, [], "allowed", effect="Deny")
    case("set.anyvalue-equals-case", ANY + "; StringEquals stays case-sensitive: 'ENV' does "
         "not equal 'env'.", "ForAnyValue:StringEquals", pol_keys, [tk("ENV")], "implicitDeny")
    case("set.anyvalue-equalsignorecase", ANY + "; with StringEqualsIgnoreCase 'ENV' equals "
         "'env'.", "ForAnyValue:StringEqualsIgnoreCase", pol_keys, [tk("ENV")], "allowed")
    case("set.anyvalue-like", ANY + "; with StringLike 'prod-db' matches 'prod-*'.",
         "ForAnyValue:StringLike", ["prod-*"], [ctx("host:Groups", "stringList", "dev",
                                                      "prod-db")], "allowed", key="host:Groups")
    case("set.anyvalue-like-none", ANY + "; with StringLike neither 'dev' nor 'qa' matches "
         "'prod-*'.", "ForAnyValue:StringLike", ["prod-*"],
         [ctx("host:Groups", "stringList", "dev", "qa")], "implicitDeny", key="host:Groups")
    case("set.allvalues-equals-subset", ALL + ": [env] is a subset of [env, team].",
         "ForAllValues:StringEquals", pol_keys, [tk("env")], "allowed")
    case("set.allvalues-equals-same-set", ALL + ": [team, env] equals the policy set.",
         "ForAllValues:StringEquals", pol_keys, [tk("team", "env")], "allowed")
    case("set.allvalues-equals-not-subset", ALL + ": 'cost' in [env, cost] matches no policy "
         "value.", "ForAllValues:StringEquals", pol_keys, [tk("env", "cost")], "implicitDeny")
    case("set.allvalues-equals-missing", ALL + ": key missing, so true.",
         "ForAllValues:StringEquals", pol_keys, [], "allowed")
    case("set.allvalues-equals-empty", ALL + ": an empty set of values (ContextKeyValues []) "
         "is a null data set, so true.", "ForAllValues:StringEquals", pol_keys, [tk()],
         "allowed")
    case("set.allvalues-equals-missing-deny", ALL + ": in a Deny, a missing key makes "
         "ForAllValues true, so the Deny applies (the documented reason to pair it with a "
         "Null check).", "ForAllValues:StringEquals", pol_keys, [], "explicitDeny",
         effect="Deny")
    c.one("set.allvalues-with-null-guard",
          ALL + "; the guide recommends adding a Null check (\"false\") so that a missing key "
          "does not satisfy ForAllValues. Key missing: Null is false, so no allow.",
          policy(stmt(cond={"ForAllValues:StringEquals": {"aws:TagKeys": pol_keys},
                            "Null": {"aws:TagKeys": "false"}})),
          "host:Login", "implicitDeny")
    c.one("set.allvalues-with-null-guard-present",
          ALL + "; with the Null guard and [env] present, both operators are true.",
          policy(stmt(cond={"ForAllValues:StringEquals": {"aws:TagKeys": pol_keys},
                            "Null": {"aws:TagKeys": "false"}})),
          "host:Login", "allowed", context=[tk("env")])
    case("set.allvalues-like", ALL + "; StringLike: 'alpha' and 'beta' match 'a*' or 'b*'.",
         "ForAllValues:StringLike", ["a*", "b*"],
         [ctx("host:Groups", "stringList", "alpha", "beta")], "allowed", key="host:Groups")
    case("set.allvalues-like-one-fails", ALL + "; StringLike: 'gamma' matches neither.",
         "ForAllValues:StringLike", ["a*", "b*"],
         [ctx("host:Groups", "stringList", "alpha", "gamma")], "implicitDeny", key="host:Groups")
    case("set.anyvalue-notequals-one-outside", ANYNOT + ": 'cost' equals neither env nor team.",
         "ForAnyValue:StringNotEquals", pol_keys, [tk("env", "cost")], "allowed")
    case("set.anyvalue-notequals-all-inside", ANYNOT + ": every value equals a policy value.",
         "ForAnyValue:StringNotEquals", pol_keys, [tk("env", "team")], "implicitDeny")
    case("set.anyvalue-notequals-missing", ANYNOT + "; ForAnyValue returns false when the key "
         "is missing.", "ForAnyValue:StringNotEquals", pol_keys, [], "implicitDeny")
    case("set.allvalues-notequals-disjoint", ALLNOT + ": [cost, owner] shares nothing with "
         "[env, team].", "ForAllValues:StringNotEquals", pol_keys, [tk("cost", "owner")],
         "allowed")
    case("set.allvalues-notequals-overlap", ALLNOT + ": 'env' is in both sets.",
         "ForAllValues:StringNotEquals", pol_keys, [tk("env", "cost")], "implicitDeny")
    case("set.allvalues-notequals-missing", ALLNOT + "; ForAllValues returns true when the key "
         "is missing.", "ForAllValues:StringNotEquals", pol_keys, [], "allowed")
    case("set.anyvalue-numeric", ANY + "; numeric lists: 2 in [1, 2] equals 2.",
         "ForAnyValue:NumericEquals", ["2"], [ctx("host:Ports", "numericList", "1", "2")],
         "allowed", key="host:Ports")
    case("set.allvalues-numeric-lessthan", ALL + "; numeric lists: 1, 2 and 3 are all below 10.",
         "ForAllValues:NumericLessThan", ["10"],
         [ctx("host:Ports", "numericList", "1", "2", "3")], "allowed", key="host:Ports")
    case("set.allvalues-numeric-lessthan-fails", ALL + "; numeric lists: 20 is not below 10.",
         "ForAllValues:NumericLessThan", ["10"], [ctx("host:Ports", "numericList", "1", "20")],
         "implicitDeny", key="host:Ports")
    case("set.anyvalue-ip", ANY + "; address lists: one of the addresses is in 203.0.113.0/24.",
         "ForAnyValue:IpAddress", ["203.0.113.0/24"],
         [ctx("host:Addresses", "ipList", "192.0.2.1", "203.0.113.5")], "allowed",
         key="host:Addresses")
    case("set.allvalues-ip-fails", ALL + "; address lists: 192.0.2.1 is outside "
         "203.0.113.0/24.", "ForAllValues:IpAddress", ["203.0.113.0/24"],
         [ctx("host:Addresses", "ipList", "192.0.2.1", "203.0.113.5")], "implicitDeny",
         key="host:Addresses")
    case("set.anyvalue-date", ANY + "; date lists: one date is after 2026-01-01.",
         "ForAnyValue:DateGreaterThan", ["2026-01-01T00:00:00Z"],
         [ctx("host:Dates", "dateList", "2025-01-01T00:00:00Z", "2026-02-01T00:00:00Z")],
         "allowed", key="host:Dates")
    case("set.anyvalue-arnlike", ANY + "; ARN values: one principal ARN is a role.",
         "ForAnyValue:ArnLike", ["arn:aws:iam::123456789012:role/*"],
         [ctx("host:Principals", "stringList", "arn:aws:iam::123456789012:user/alice",
              "arn:aws:iam::123456789012:role/ops")], "allowed", key="host:Principals")
    case("set.anyvalue-bool", ANY + "; boolean lists: one value is true.",
         "ForAnyValue:Bool", ["true"], [ctx("host:Flags", "booleanList", "false", "true")],
         "allowed", key="host:Flags")
    case("set.allvalues-single-valued-key", ALL + ": a single-valued key is treated as a set "
         "of one value; 'sshd' is in [sshd, login].", "ForAllValues:StringEquals",
         ["sshd", "login"], [ctx("host:Service", "string", "sshd")], "allowed",
         key="host:Service")
    case("set.anyvalue-single-valued-key", ANY + ": a single-valued key is a set of one; "
         "'sudo' is not in [sshd, login].", "ForAnyValue:StringEquals", ["sshd", "login"],
         [ctx("host:Service", "string", "sudo")], "implicitDeny", key="host:Service")
    case("set.anyvalue-keyname-case", ANY + "; key names are case-insensitive "
         "('AWS:TAGKEYS').", "ForAnyValue:StringEquals", pol_keys, [tk("team")], "allowed",
         key="AWS:TAGKEYS")
