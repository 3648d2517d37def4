"""Shapes IAM accepts that name nothing: empty Action, Resource, Principal and condition value
lists, an empty operator block, and Null with a set qualifier. Access Analyzer reports each as a
SUGGESTION (its 'Access Analyzer policy check reference', quoted in each Rule) about a policy
IAM stores and evaluates; these cases pin how they evaluate."""

from corpus import ALICE, HOST, P_MULTI, P_OPS, ctx, policy, stmt

AA = "Access Analyzer policy check reference"
ACTION = (AA + ", 'Suggestion - Empty array action': 'This statement includes no actions and "
          "does not affect the policy'")
RESOURCE = (AA + ", 'Suggestion - Empty array resource': 'When you provide an empty array in a "
            "statement's resource element, the statement has no effect on the policy'")
PRINCIPAL = (AA + ", 'Suggestion - Empty array principal' / 'Empty object principal': 'This "
             "statement includes no principals and does not affect the policy'")
COND = (AA + ", 'Suggestion - Empty array condition': 'There are no values for the condition "
        "key ... and it does not affect the policy'")
COND_ALL = (AA + ", 'Suggestion - Empty array condition ForAllValues': 'The ForAllValues prefix "
            "with an empty condition key matches only if the key ... is missing from the request "
            "context'")
COND_ANY = (AA + ", 'Suggestion - Empty array condition ForAnyValue': 'The ForAnyValue prefix "
            "with an empty condition key ... never matches the request context'")
COND_IFX = (AA + ", 'Suggestion - Empty array condition IfExists': 'The IfExists suffix with an "
            "empty condition key matches only if the key ... is missing from the request "
            "context'")
BLOCK = (AA + ", 'Suggestion - Empty object condition': 'This condition block is empty and it "
         "does not affect the policy'")
NULLQ = (AA + ", 'Suggestion - Null with qualifier': 'When you use the Null condition operator "
         "with ForAllValues, the statement always returns true. When you use the Null condition "
         "operator with ForAnyValue, the statement always returns false'")


def generate(c):
    allow_all = stmt(action="*")
    svc = ctx("host:Service", "string", "sshd")
    tags = lambda *v: ctx("aws:TagKeys", "stringList", *v)

    # ---- Action and Resource -----------------------------------------------------------------
    c.one("empty.action-allow", ACTION + ": an Allow with \"Action\": [] grants nothing.",
          policy(stmt(action=[])), "host:Login", "implicitDeny")
    c.one("empty.action-deny", ACTION + ": a Deny with \"Action\": [] denies nothing.",
          policy(allow_all, stmt(effect="Deny", action=[])), "host:Login", "allowed")
    c.one("empty.resource-allow", RESOURCE + ": an Allow with \"Resource\": [] grants nothing.",
          policy(stmt(resource=[])), "host:Login", "implicitDeny", resource=HOST)
    c.one("empty.resource-deny", RESOURCE + ": a Deny with \"Resource\": [] denies nothing.",
          policy(allow_all, stmt(effect="Deny", resource=[])), "host:Login", "allowed",
          resource=HOST)

    # ---- Principal (a resource policy; the caller has no identity-policy allow) ---------------
    req = dict(resource=HOST, caller=ALICE)
    c.one("empty.principal-object", PRINCIPAL + ": \"Principal\": {} names nobody, so the "
          "resource policy allows no one.", policy(stmt(action="s3:Nothing")), "host:Login",
          "implicitDeny", resource_policy=policy(stmt(principal={}, resource=None)), **req)
    c.one("empty.principal-array", PRINCIPAL + ": {\"AWS\": []} names nobody.",
          policy(stmt(action="s3:Nothing")), "host:Login", "implicitDeny",
          resource_policy=policy(stmt(principal={"AWS": []}, resource=None)), **req)
    c.one("empty.principal-array-beside-user", PRINCIPAL + "; an empty list beside a named "
          "user changes nothing: the user is still allowed.",
          policy(stmt(action="s3:Nothing")), "host:Login", "allowed",
          resource_policy=policy(stmt(principal={"AWS": [ALICE], "Service": []},
                                      resource=None)), **req)

    # ---- Condition values --------------------------------------------------------------------
    def cond_case(name, rule, cond, decision, context=(), effect="Allow"):
        if effect == "Allow":
            p = policy(stmt(cond=cond))
        else:
            p = policy(allow_all, stmt(effect="Deny", cond=cond))
        c.one(name, rule, p, "host:Login", decision, context=list(context))

    cond_case("empty.cond-equals-allow", COND + ": StringEquals with no values matches no "
              "value, so the Allow grants nothing.", {"StringEquals": {"host:Service": []}},
              "implicitDeny", [svc])
    cond_case("empty.cond-equals-deny", COND + ": in a Deny it never applies.",
              {"StringEquals": {"host:Service": []}}, "allowed", [svc], effect="Deny")
    cond_case("empty.cond-equals-missing", COND + "; " + P_OPS + ": with the key missing a "
              "positive operator is false.", {"StringEquals": {"host:Service": []}},
              "implicitDeny")
    cond_case("empty.cond-notequals-present", COND + "; reading chosen (the page does not single "
              "out negated operators): a negated operator NORs the values, and a NOR of no "
              "values holds, so StringNotEquals [] is true and the Allow applies.",
              {"StringNotEquals": {"host:Service": []}}, "allowed", [svc])
    cond_case("empty.cond-notequals-deny", COND + "; as empty.cond-notequals-present: in a Deny "
              "StringNotEquals [] always applies.", {"StringNotEquals": {"host:Service": []}},
              "explicitDeny", [svc], effect="Deny")
    cond_case("empty.cond-numeric", COND + ": NumericLessThan with no values matches nothing.",
              {"NumericLessThan": {"aws:EpochTime": []}}, "implicitDeny",
              [ctx("aws:EpochTime", "numeric", "5")])
    cond_case("empty.cond-forallvalues-missing", COND_ALL + ": the key is missing, so true.",
              {"ForAllValues:StringEquals": {"aws:TagKeys": []}}, "allowed")
    cond_case("empty.cond-forallvalues-present", COND_ALL + ": the request has [env], which "
              "matches none of no values, so false.",
              {"ForAllValues:StringEquals": {"aws:TagKeys": []}}, "implicitDeny", [tags("env")])
    cond_case("empty.cond-forallvalues-empty-set", COND_ALL + "; " + P_MULTI + ": an empty set "
              "of request values is a null data set, so true.",
              {"ForAllValues:StringEquals": {"aws:TagKeys": []}}, "allowed", [tags()])
    cond_case("empty.cond-foranyvalue-missing", COND_ANY + ": key missing.",
              {"ForAnyValue:StringEquals": {"aws:TagKeys": []}}, "implicitDeny")
    cond_case("empty.cond-foranyvalue-present", COND_ANY + ": key present.",
              {"ForAnyValue:StringEquals": {"aws:TagKeys": []}}, "implicitDeny",
              [tags("env")])
    cond_case("empty.cond-ifexists-missing", COND_IFX + ": key missing, so true.",
              {"StringEqualsIfExists": {"host:Service": []}}, "allowed")
    cond_case("empty.cond-ifexists-present", COND_IFX + ": key present, so false.",
              {"StringEqualsIfExists": {"host:Service": []}}, "implicitDeny", [svc])
    cond_case("empty.cond-beside-other-key", COND + "; keys are ANDed, so one key with no "
              "values makes the whole operator false even when the other key matches.",
              {"StringEquals": {"host:Service": "sshd", "host:Tty": []}}, "implicitDeny",
              [svc, ctx("host:Tty", "string", "pts/0")])
    cond_case("empty.operator-block", BLOCK + ": an operator with no keys constrains nothing "
              "(its keys are ANDed, and an AND of nothing holds), so the Allow applies.",
              {"StringEquals": {}}, "allowed", [svc])
    cond_case("empty.operator-block-beside-other", BLOCK + "; the other operator still "
              "decides: host:Service is 'sshd', not 'login'.",
              {"StringEquals": {}, "StringLike": {"host:Service": "login"}}, "implicitDeny",
              [svc])

    # ---- Null with a set qualifier -----------------------------------------------------------
    tok = "aws:TokenIssueTime"
    present = [ctx(tok, "date", "2026-01-01T00:00:00Z")]
    for name, op, val, ctxs, decision, effect in (
            ("nullq.forallvalues-true-present", "ForAllValues:Null", "true", present,
             "allowed", "Allow"),
            ("nullq.forallvalues-false-missing", "ForAllValues:Null", "false", (), "allowed",
             "Allow"),
            ("nullq.forallvalues-deny", "ForAllValues:Null", "false", present, "explicitDeny",
             "Deny"),
            ("nullq.foranyvalue-true-missing", "ForAnyValue:Null", "true", (), "implicitDeny",
             "Allow"),
            ("nullq.foranyvalue-false-present", "ForAnyValue:Null", "false", present,
             "implicitDeny", "Allow"),
            ("nullq.foranyvalue-deny", "ForAnyValue:Null", "true", (), "allowed", "Deny")):
        always = "true" if op.startswith("ForAll") else "false"
        cond_case(name, NULLQ + ": %s {%s: %s} with the key %s is %s." % (
            op, tok, val, "present" if ctxs else "missing", always),
            {op: {tok: val}}, decision, ctxs, effect=effect)


def generate_nulls(c):
    """A key given only empty strings is null (IAM User Guide)."""
    nul = ("IAM User Guide, 'Condition operators' (Null) and 'Multivalued context keys' "
           "examples: include 'a Null condition operator with a value of false' to prevent "
           "'missing context keys or context keys with empty values' from evaluating to true: "
           "a key given an empty string has a null value")
    setnull = (P_MULTI + ": ForAllValues 'also returns true if there are no keys in the "
               "request, or if the key values resolve to a null data set, such as an empty "
               "string'; ForAnyValue: 'For no matching key or a null dataset, the condition "
               "returns false'")
    tok = "aws:TokenIssueTime"
    empty_tok = [ctx(tok, "string", "")]
    tags = lambda *v: ctx("aws:TagKeys", "stringList", *v)
    c.one("null.empty-string-null-true", nul + ": Null {%s: true} holds for ''." % tok,
          policy(stmt(cond={"Null": {tok: "true"}})), "host:Login", "allowed",
          context=empty_tok)
    c.one("null.empty-string-null-false", nul + ": Null {%s: false} does not hold for ''." % tok,
          policy(stmt(cond={"Null": {tok: "false"}})), "host:Login", "implicitDeny",
          context=empty_tok)
    c.one("null.empty-string-null-false-deny", nul + ": so a Deny on Null false does not apply "
          "to ''.", policy(stmt(action="*"), stmt(effect="Deny", cond={"Null": {tok: "false"}})),
          "host:Login", "allowed", context=empty_tok)
    c.one("null.empty-string-forallvalues", setnull + ": aws:TagKeys [''] is a null data set, "
          "so ForAllValues:StringEquals holds.",
          policy(stmt(cond={"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}})),
          "host:Login", "allowed", context=[tags("")])
    c.one("null.empty-string-forallvalues-deny", setnull + ": in a Deny, the null data set "
          "makes ForAllValues true, so the Deny applies.",
          policy(stmt(action="*"),
                 stmt(effect="Deny", cond={"ForAllValues:StringNotLike": {"aws:TagKeys":
                                                                          "key1*"}})),
          "host:Login", "explicitDeny", context=[tags("")])
    c.one("null.empty-string-foranyvalue", setnull + ": ForAnyValue on a null data set is "
          "false, even for the value ''.",
          policy(stmt(cond={"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", ""]}})),
          "host:Login", "implicitDeny", context=[tags("")])
    c.one("null.empty-string-among-values", setnull + "; reading chosen: only a set holding "
          "nothing but empty strings is null; ['', 'env'] is not, and '' matches no policy "
          "value, so ForAllValues is false.",
          policy(stmt(cond={"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}})),
          "host:Login", "implicitDeny", context=[tags("", "env")])
    c.one("null.empty-string-still-a-value", "IAM User Guide, 'Amazon S3: Allows IAM users "
          "access to their S3 home directory' (its s3:prefix list holds '' for the bucket's "
          "root): outside Null and the set operators an empty string is an ordinary value, and "
          "StringLike '' matches ''.",
          policy(stmt(action="s3:ListBucket", resource="arn:aws:s3:::amzn-s3-demo-bucket",
                      cond={"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/"]}})),
          "s3:ListBucket", "allowed", resource="arn:aws:s3:::amzn-s3-demo-bucket",
          context=[ctx("s3:prefix", "string", "")])
