"""Decision logic: explicit deny, implicit deny, several policies, permissions boundaries, a
same-account resource policy, several actions and resources in one request."""

from corpus import (ACCT, ALICE, BOB, HOST, OTHER_HOST, P_BOUND, P_EVAL, P_NOTPRINC, P_PRINC,
                    P_SIM, ctx, policy, render, statement_lines, stmt)

DENY = (P_EVAL + ": 'An explicit deny in any policy overrides any allows'")
IMPL = (P_EVAL + ": 'By default, all requests are implicitly denied'; a request needs an "
        "applicable Allow")
BOUND = (P_BOUND + ": 'An entity's permissions boundary allows it to perform only the actions "
         "that are allowed by both its identity-based policies and its permissions boundaries'")
RES = (P_EVAL + ", 'Policy evaluation for requests within a single account': within one "
       "account, an Allow in either the identity-based policies or the resource-based policy "
       "is enough (explicit deny in any of them still wins)")
RESBOUND = (P_BOUND + ", 'Evaluating effective permissions with boundaries', resource-based "
            "policies: within the same account, a resource-based policy that grants "
            "permissions to an IAM user ARN is not limited by an implicit deny in the user's "
            "permissions boundary")
MULTI = (P_SIM + ": EvaluationResults holds one result for each action and resource "
         "(ActionNames x ResourceArns); reading chosen for the order: action by action, and "
         "for each action the resources in the order given")


def generate(c):
    allow_login = policy(stmt())
    # ---- explicit / implicit deny across policies --------------------------------------------
    p1 = policy(stmt(action="host:*"))
    p2 = policy(stmt(effect="Deny", action="host:Sudo"))
    c.one("eval.deny-across-policies", DENY + ": policy 1 allows host:*, policy 2 denies "
          "host:Sudo.", [p1, p2], "host:Sudo", "explicitDeny",
          matched=[("PolicyInputList.2", statement_lines(render(p2))[0])])
    c.one("eval.deny-other-action-across-policies", DENY + ": policy 2's Deny names another "
          "action, so policy 1's Allow stands.", [p1, p2], "host:Login", "allowed",
          matched=[("PolicyInputList.1", statement_lines(render(p1))[0])])
    c.one("eval.deny-first-policy-allow-second", DENY + ": the Deny comes first, the Allow "
          "second; order does not matter.", [p2, p1], "host:Sudo", "explicitDeny")
    p = policy(stmt(action="host:Sudo"), stmt(effect="Deny", action="host:Sudo"))
    c.one("eval.deny-same-policy", DENY + ": Allow and Deny in the same policy.", p,
          "host:Sudo", "explicitDeny", matched=[("PolicyInputList.1", statement_lines(render(p))[1])])
    p = policy(stmt(effect="Deny", action="host:Sudo"), stmt(action="*"))
    c.one("eval.deny-before-allow-same-policy", DENY + ": the Deny statement precedes the "
          "Allow; statement order does not matter.", p, "host:Sudo", "explicitDeny")
    c.one("eval.implicit-no-policies-match", IMPL + ": two policies, neither applies.",
          [policy(stmt(action="ec2:*")), policy(stmt(action="s3:*"))], "host:Login",
          "implicitDeny")
    c.one("eval.allow-second-policy", IMPL + ": the Allow may come from any of the identity "
          "policies; here the second.", [policy(stmt(action="ec2:*")), allow_login],
          "host:Login", "allowed")
    c.one("eval.deny-conditional-not-met", DENY + ": a Deny whose condition is false is not an "
          "explicit deny; the Allow stands.",
          [allow_login, policy(stmt(effect="Deny",
                                    cond={"StringEquals": {"host:Service": "su"}}))],
          "host:Login", "allowed", context=[ctx("host:Service", "string", "sshd")])
    p = policy(stmt(sid="A"), stmt(sid="B", action="host:*"))
    ls = statement_lines(render(p))
    c.one("eval.two-allows-match", P_SIM + ": MatchedStatements lists the statements that "
          "decided; both Allow statements match.", p, "host:Login", "allowed",
          matched=[("PolicyInputList.1", ls[0]), ("PolicyInputList.1", ls[1])])
    p = policy(stmt(effect="Deny", action="host:Sudo"), stmt(action="*"))
    c.one("eval.three-policies-deny-wins", DENY + ": three policies, one Deny.",
          [policy(stmt(action="host:Sudo")), policy(stmt(action="*")),
           policy(stmt(effect="Deny", action="host:Su*"))], "host:Sudo", "explicitDeny")
    c.one("eval.deny-wildcard-action", DENY + ": a Deny on '*' denies everything.",
          [allow_login, policy(stmt(effect="Deny", action="*"))], "host:Login", "explicitDeny")

    # ---- several actions and resources -----------------------------------------------------
    p = policy(stmt(action="host:Login", resource=HOST),
               stmt(effect="Deny", action="host:Sudo", resource=OTHER_HOST),
               stmt(action="host:Sudo", resource="*"))
    req = {"ActionNames": ["host:Login", "host:Sudo"], "ResourceArns": [HOST, OTHER_HOST]}
    c.add("multi.two-actions-two-resources", MULTI + ". Login on HOST allowed, Login on the "
          "other instance implicitly denied, Sudo on HOST allowed, Sudo on the other instance "
          "explicitly denied.", p, req,
          [("host:Login", HOST, "allowed"), ("host:Login", OTHER_HOST, "implicitDeny"),
           ("host:Sudo", HOST, "allowed"), ("host:Sudo", OTHER_HOST, "explicitDeny")])
    req = {"ActionNames": ["host:Sudo", "host:Login", "ec2:StartInstances"]}
    c.add("multi.three-actions-default-resource", MULTI + "; with ResourceArns omitted each "
          "result names resource '*'.", policy(stmt(action="host:*"),
                                                stmt(effect="Deny", action="host:Login")), req,
          [("host:Sudo", "*", "allowed"), ("host:Login", "*", "explicitDeny"),
           ("ec2:StartInstances", "*", "implicitDeny")])
    req = {"ActionNames": ["host:Login"], "ResourceArns": [OTHER_HOST, HOST]}
    c.add("multi.resource-order-kept", MULTI + "; the resources keep the order of the request.",
          policy(stmt(resource=HOST)), req,
          [("host:Login", OTHER_HOST, "implicitDeny"), ("host:Login", HOST, "allowed")])
    req = {"ActionNames": ["HOST:LOGIN"]}
    c.add("multi.action-name-echoed", P_SIM + ": EvalActionName is the action as requested; "
          "reading chosen: it is echoed as given ('HOST:LOGIN').", allow_login, req,
          [("HOST:LOGIN", "*", "allowed")])

    # ---- permissions boundaries --------------------------------------------------------------
    b_host = policy(stmt(action="host:*"))
    c.one("boundary.both-allow", BOUND + ": identity and boundary both allow host:Login.",
          allow_login, "host:Login", "allowed", boundaries=[b_host])
    c.one("boundary.not-covered", BOUND + ": the identity policy allows '*' but the boundary "
          "only covers host:*, so ec2:RunInstances is implicitly denied.",
          policy(stmt(action="*")), "ec2:RunInstances", "implicitDeny", boundaries=[b_host])
    c.one("boundary.does-not-grant", BOUND + ": 'the boundary ... does not provide permissions "
          "on its own': the boundary allows host:Sudo, no identity policy does.",
          allow_login, "host:Sudo", "implicitDeny", boundaries=[b_host])
    c.one("boundary.explicit-deny", BOUND + "; " + DENY + ": a Deny in the boundary is an "
          "explicit deny.", policy(stmt(action="*")), "host:Sudo", "explicitDeny",
          boundaries=[policy(stmt(action="*"), stmt(effect="Deny", action="host:Sudo"))])
    c.one("boundary.deny-other-action", BOUND + ": the boundary's Deny names host:Sudo; "
          "host:Login is allowed by both.", policy(stmt(action="*")), "host:Login", "allowed",
          boundaries=[policy(stmt(action="*"), stmt(effect="Deny", action="host:Sudo"))])
    c.one("boundary.condition-in-boundary", BOUND + ": the boundary's Allow has a condition "
          "that is false, so the boundary does not allow.", allow_login, "host:Login",
          "implicitDeny", context=[ctx("aws:SourceIp", "ip", "192.0.2.1")],
          boundaries=[policy(stmt(action="*", cond={"IpAddress":
                                                    {"aws:SourceIp": "203.0.113.0/24"}}))])
    c.one("boundary.condition-in-boundary-met", BOUND + ": the boundary's condition is true.",
          allow_login, "host:Login", "allowed",
          context=[ctx("aws:SourceIp", "ip", "203.0.113.1")],
          boundaries=[policy(stmt(action="*", cond={"IpAddress":
                                                    {"aws:SourceIp": "203.0.113.0/24"}}))])
    c.one("boundary.resource-limited", BOUND + ": the boundary covers only one instance.",
          policy(stmt(action="*")), "host:Login", "implicitDeny", resource=OTHER_HOST,
          boundaries=[policy(stmt(action="*", resource=HOST))])
    c.one("boundary.identity-deny", BOUND + "; " + DENY + ": the identity policy's Deny wins "
          "whatever the boundary says.",
          policy(stmt(action="*"), stmt(effect="Deny", action="host:Login")), "host:Login",
          "explicitDeny", boundaries=[policy(stmt(action="*"))])
    c.one("boundary.notaction", BOUND + "; a boundary written with NotAction: everything but "
          "iam:* is within the boundary.", policy(stmt(action="*")), "iam:CreateUser",
          "implicitDeny", boundaries=[policy(stmt(action=None, not_action="iam:*"))])

    # ---- resource-based policy (same account) ------------------------------------------------
    def rp(*statements):
        return policy(*statements)

    rp_alice = rp(stmt(principal={"AWS": ALICE}, resource=HOST))
    nothing = policy(stmt(action="ec2:DescribeInstances"))
    c.one("respol.allows-named-user", RES + "; " + P_PRINC + ": the resource policy names "
          "alice's user ARN; no identity policy allows, yet the request is allowed.",
          nothing, "host:Login", "allowed", resource=HOST, caller=ALICE,
          resource_policy=rp_alice)
    c.one("respol.other-user", RES + "; " + P_PRINC + ": the resource policy names alice, the "
          "caller is bob: it does not apply.", nothing, "host:Login", "implicitDeny",
          resource=HOST, caller=BOB, resource_policy=rp_alice)
    c.one("respol.principal-array", P_PRINC + ": Principal AWS may list several ARNs.",
          nothing, "host:Login", "allowed", resource=HOST, caller=BOB,
          resource_policy=rp(stmt(principal={"AWS": [ALICE, BOB]}, resource=HOST)))
    c.one("respol.principal-star", P_PRINC + ": Principal \"*\" (anonymous/everyone) applies "
          "to any caller.", nothing, "host:Login", "allowed", resource=HOST, caller=BOB,
          resource_policy=rp(stmt(principal="*", resource=HOST)))
    c.one("respol.principal-aws-star", P_PRINC + ": Principal {\"AWS\": \"*\"} applies to any "
          "AWS principal.", nothing, "host:Login", "allowed", resource=HOST, caller=BOB,
          resource_policy=rp(stmt(principal={"AWS": "*"}, resource=HOST)))
    c.one("respol.deny-wins-over-identity-allow", RES + "; " + DENY + ": the resource policy "
          "denies alice although her identity policy allows.", policy(stmt(action="*")),
          "host:Login", "explicitDeny", resource=HOST, caller=ALICE,
          resource_policy=rp(stmt(effect="Deny", principal={"AWS": ALICE}, resource=HOST)))
    c.one("respol.identity-allow-suffices", RES + ": the identity policy alone allows; the "
          "resource policy names someone else.", allow_login, "host:Login", "allowed",
          resource=HOST, caller=ALICE,
          resource_policy=rp(stmt(principal={"AWS": BOB}, resource=HOST)))
    c.one("respol.action-not-covered", RES + ": the resource policy allows host:Login only.",
          nothing, "host:Sudo", "implicitDeny", resource=HOST, caller=ALICE,
          resource_policy=rp_alice)
    c.one("respol.notprincipal-deny", P_NOTPRINC + ": a Deny with NotPrincipal denies every "
          "principal except those listed; bob is denied.", policy(stmt(action="*")),
          "host:Login", "explicitDeny", resource=HOST, caller=BOB,
          resource_policy=rp(stmt(effect="Deny", not_principal={"AWS": ALICE}, resource=HOST)))
    c.one("respol.notprincipal-deny-spares", P_NOTPRINC + ": a Deny with NotPrincipal spares "
          "the listed principal; alice keeps her identity Allow.", policy(stmt(action="*")),
          "host:Login", "allowed", resource=HOST, caller=ALICE,
          resource_policy=rp(stmt(effect="Deny", not_principal={"AWS": ALICE}, resource=HOST)))
    c.one("respol.condition", RES + ": a condition in the resource policy is evaluated like any "
          "other.", nothing, "host:Login", "implicitDeny", resource=HOST, caller=ALICE,
          context=[ctx("host:Service", "string", "su")],
          resource_policy=rp(stmt(principal={"AWS": ALICE}, resource=HOST,
                                  cond={"StringEquals": {"host:Service": "sshd"}})))
    c.one("respol.condition-met", RES + ": the resource policy's condition holds.", nothing,
          "host:Login", "allowed", resource=HOST, caller=ALICE,
          context=[ctx("host:Service", "string", "sshd")],
          resource_policy=rp(stmt(principal={"AWS": ALICE}, resource=HOST,
                                  cond={"StringEquals": {"host:Service": "sshd"}})))
    c.one("respol.boundary-implicit-deny-does-not-limit", RESBOUND + ": the boundary does not "
          "cover host:Login, but the resource policy names alice's user ARN: allowed.",
          nothing, "host:Login", "allowed", resource=HOST, caller=ALICE,
          resource_policy=rp_alice, boundaries=[policy(stmt(action="ec2:*"))])
    c.one("respol.boundary-explicit-deny-still-denies", RESBOUND + "; " + DENY + ": an explicit "
          "Deny in the boundary still wins.", nothing, "host:Login", "explicitDeny",
          resource=HOST, caller=ALICE, resource_policy=rp_alice,
          boundaries=[policy(stmt(action="*"), stmt(effect="Deny", action="host:Login"))])
    c.one("respol.notprincipal-deny-with-boundary", P_BOUND + ", 'Important': 'The NotPrincipal "
          "element with a Deny effect will always deny any IAM principal that has a permissions "
          "boundary policy attached, regardless of the values specified in the NotPrincipal "
          "element.' alice is listed in NotPrincipal but has a boundary, so she is denied.",
          policy(stmt(action="*")), "host:Login", "explicitDeny", resource=HOST, caller=ALICE,
          boundaries=[policy(stmt(action="*"))],
          resource_policy=rp(stmt(effect="Deny", not_principal={"AWS": ALICE}, resource=HOST)))
    acct = (P_PRINC + ", 'Specific AWS accounts': 'When you use an AWS account identifier as the "
            "principal in a policy, you delegate authority to the account. All identities inside "
            "the account can access the resource if they have the appropriate IAM permissions "
            "attached to explicitly allow access'")
    c.one("respol.account-principal-delegates", acct + ": the resource policy names the account "
          "(123456789012), alice has no identity Allow: implicit deny.", nothing, "host:Login",
          "implicitDeny", resource=HOST, caller=ALICE,
          resource_policy=rp(stmt(principal={"AWS": ACCT}, resource=HOST)))
    c.one("respol.account-principal-root-arn", acct + ": the account ARN "
          "arn:aws:iam::123456789012:root means the same; no identity Allow: implicit deny.",
          nothing, "host:Login", "implicitDeny", resource=HOST, caller=ALICE,
          resource_policy=rp(stmt(principal={"AWS": "arn:aws:iam::123456789012:root"},
                                  resource=HOST)))
    c.one("respol.account-principal-with-identity-allow", acct + ": with alice's identity Allow "
          "the request is allowed.", allow_login, "host:Login", "allowed", resource=HOST,
          caller=ALICE, resource_policy=rp(stmt(principal={"AWS": ACCT}, resource=HOST)))
    c.one("respol.account-principal-deny", acct + "; a Deny naming the account covers every "
          "identity inside it (reading chosen), so alice is explicitly denied.",
          allow_login, "host:Login", "explicitDeny", resource=HOST, caller=ALICE,
          resource_policy=rp(stmt(effect="Deny", principal={"AWS": ACCT}, resource=HOST)))
    mcv = (P_SIM + ", EvaluationResult.MissingContextValues: 'A list of context keys that are "
           "required by the included input policies but that were not provided by one of the "
           "input parameters' (used when the resource is '*')")
    c.one("eval.missing-two-keys", mcv + ": both condition keys are missing, both are listed.",
          policy(stmt(cond={"StringEquals": {"host:Service": "sshd"},
                            "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
          "host:Login", "implicitDeny", missing=["host:Service", "aws:SourceIp"])
    c.one("eval.missing-one-of-two-keys", mcv + ": host:Service is given, only aws:SourceIp is "
          "listed.", policy(stmt(cond={"StringEquals": {"host:Service": "sshd"},
                                       "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
          "host:Login", "implicitDeny", context=[ctx("host:Service", "string", "sshd")],
          missing=["aws:SourceIp"])
    c.one("eval.missing-key-in-deny", mcv + ": a key needed by a Deny statement that applies to "
          "the action is required too; the Deny's condition is false without it, the Allow "
          "stands.", policy(stmt(action="*"),
                            stmt(effect="Deny", cond={"Bool": {"aws:MultiFactorAuthPresent":
                                                               "false"}})),
          "host:Login", "allowed", missing=["aws:MultiFactorAuthPresent"])
    c.one("respol.service-principal-not-user", P_PRINC + ": a Service principal "
          "(ec2.amazonaws.com) does not name the IAM user alice, so the statement does not "
          "apply to her.", nothing, "host:Login", "implicitDeny", resource=HOST, caller=ALICE,
          resource_policy=rp(stmt(principal={"Service": "ec2.amazonaws.com"}, resource=HOST)))
    c.one("respol.resource-mismatch", RES + "; the resource policy's Resource element must "
          "match the requested resource like any other statement's.", nothing, "host:Login",
          "implicitDeny", resource=HOST, caller=ALICE,
          resource_policy=rp(stmt(principal={"AWS": ALICE}, resource=OTHER_HOST)))
