"""The policy elements: Version, Statement, Sid, Effect, Action/NotAction, Resource/NotResource."""

from corpus import (ALICE, HOST, OTHER_HOST, P_ACTION, P_EFFECT, P_NOTACTION, P_NOTRES, P_RES, P_SID,
                    P_STMT, P_VERSION, P_EVAL, V08, V12, ctx, policy, render, statement_lines, stmt)


def generate(c):
    # ---- Version / Statement / Sid / Effect --------------------------------------------------
    c.one("elem.version-2012", P_VERSION + ": 2012-10-17 is the current version of the policy "
          "language; a plain Allow applies.", policy(stmt()), "host:Login", "allowed")
    c.one("elem.version-2008", P_VERSION + ": 2008-10-17 is an earlier version, still accepted; "
          "without variables it behaves the same.", policy(stmt(), version=V08), "host:Login",
          "allowed")
    c.one("elem.version-missing", P_VERSION + ": Version is optional; without it the policy is "
          "evaluated with the 2008-10-17 rules (no variables), and a plain Allow applies.",
          policy(stmt(), version=None), "host:Login", "allowed")
    c.one("elem.statement-object", P_STMT + ": Statement may be a single statement object "
          "instead of an array; MatchedStatements points at that object (line 3, where "
          "'\"Statement\": {' opens it).", policy(stmt(), as_object=True), "host:Login",
          "allowed", matched=[("PolicyInputList.1", 3)])
    c.one("elem.statement-object-deny", P_STMT + ": a single Deny statement object denies.",
          [policy(stmt(action="*")), policy(stmt(effect="Deny"), as_object=True)],
          "host:Login", "explicitDeny")
    c.one("elem.statement-array-one", P_STMT + ": Statement as an array of one statement.",
          policy(stmt()), "host:Login", "allowed")
    p = policy(stmt(action="host:Sudo", sid="SudoOnly"), stmt(sid="LoginToo"))
    c.one("elem.statement-array-second-matches", P_STMT + ": every statement in the array is "
          "evaluated; the second one allows host:Login.", p, "host:Login", "allowed",
          matched=[("PolicyInputList.1", statement_lines(render(p))[1])])
    c.one("elem.sid-present", P_SID + ": Sid is an optional identifier and does not change the "
          "decision.", policy(stmt(sid="AllowLogin")), "host:Login", "allowed")
    c.one("elem.sid-same-in-two-policies", P_SID + ": Sid values need only be unique within one "
          "policy; two policies may each use 'Main'.",
          [policy(stmt(sid="Main", action="host:Sudo")), policy(stmt(sid="Main"))],
          "host:Login", "allowed")
    c.one("elem.effect-deny-alone", P_EFFECT + "; " + P_EVAL + ": a Deny alone allows nothing "
          "and denies explicitly.", policy(stmt(effect="Deny")), "host:Login", "explicitDeny")
    c.one("elem.no-statement-matches", P_EVAL + ": no statement applies, so the request is "
          "implicitly denied.", policy(stmt(action="host:Sudo")), "host:Login", "implicitDeny")

    # ---- Action ------------------------------------------------------------------------------
    a_rule = P_ACTION
    for name, pat, act, dec, why in [
        ("exact", "host:Login", "host:Login", "allowed", "exact action name"),
        ("star", "*", "host:Login", "allowed", "'*' is every action of every service"),
        ("service-star", "host:*", "host:Sudo", "allowed", "'host:*' is every host action"),
        ("prefix-star", "host:Log*", "host:Login", "allowed", "'host:Log*' is a prefix pattern"),
        ("suffix-star", "host:*in", "host:Login", "allowed", "'*' may lead the action name"),
        ("middle-star", "iam:*AccessKey*", "iam:CreateAccessKey", "allowed",
         "the guide's 'iam:*AccessKey*' example"),
        ("question", "host:L?gin", "host:Login", "allowed", "'?' is one character"),
        ("question-too-short", "host:Logi?n", "host:Login", "implicitDeny",
         "'?' must consume exactly one character"),
        ("name-case-insensitive", "host:login", "host:Login", "allowed",
         "action names are case-insensitive"),
        ("all-caps", "HOST:LOGIN", "host:Login", "allowed",
         "action names, service prefix included, are case-insensitive"),
        ("request-case", "host:Login", "HOST:login", "allowed",
         "case-insensitive both ways (the request names HOST:login)"),
        ("pattern-case", "host:SU*", "host:Sudo", "allowed",
         "wildcard patterns are case-insensitive too"),
        ("other-service", "ec2:*", "host:Login", "implicitDeny",
         "a service prefix only covers its own actions"),
        ("other-action", "host:Sudo", "host:Login", "implicitDeny",
         "a different action does not apply"),
        ("no-prefix-match", "host:Log", "host:Login", "implicitDeny",
         "without a wildcard the whole name must match"),
    ]:
        c.one("action.%s" % name, a_rule + ": %s ('%s' vs '%s')." % (why, pat, act),
              policy(stmt(action=pat)), act, dec)
    c.one("action.array-ored", a_rule + ": an array of actions applies if any entry matches.",
          policy(stmt(action=["host:Sudo", "host:Login"])), "host:Login", "allowed")
    c.one("action.array-none", a_rule + ": an array of actions; none matches host:Login.",
          policy(stmt(action=["host:Sudo", "ec2:RunInstances"])), "host:Login", "implicitDeny")

    # ---- NotAction ---------------------------------------------------------------------------
    na = P_NOTACTION
    p = policy(stmt(action=None, not_action="host:Sudo"))
    c.one("notaction.allow-other-action", na + ": Allow with NotAction matches every action "
          "except those listed; host:Login is allowed.", p, "host:Login", "allowed")
    c.one("notaction.allow-listed-action", na + ": Allow with NotAction does not match the "
          "listed action; host:Sudo gets no allow (implicit deny, not explicit).", p,
          "host:Sudo", "implicitDeny")
    p = policy(stmt(action=None, not_action="iam:*"))
    c.one("notaction.allow-wildcard-excluded", na + ": NotAction with a wildcard ('iam:*') "
          "excludes the whole service.", p, "iam:CreateUser", "implicitDeny")
    c.one("notaction.allow-wildcard-other", na + ": NotAction 'iam:*' still allows other "
          "services' actions.", p, "host:Sudo", "allowed")
    c.one("notaction.case-insensitive", na + "; action names are case-insensitive: NotAction "
          "'HOST:SUDO' excludes host:Sudo.",
          policy(stmt(action=None, not_action="HOST:SUDO")), "host:Sudo", "implicitDeny")
    dp = policy(stmt(action="*"), stmt(effect="Deny", action=None, not_action="host:Login"))
    c.one("notaction.deny-everything-else", na + ": Deny with NotAction denies every action "
          "except those listed; host:Sudo is denied.", dp, "host:Sudo", "explicitDeny")
    c.one("notaction.deny-spares-listed", na + ": Deny with NotAction does not deny the listed "
          "action; the Allow for '*' gives host:Login.", dp, "host:Login", "allowed")
    c.one("notaction.deny-spares-listed-no-allow", na + ": Deny with NotAction does not allow "
          "anything by itself: the spared action is still implicitly denied.",
          policy(stmt(effect="Deny", action=None, not_action="host:Login")), "host:Login",
          "implicitDeny")
    c.one("notaction.array", na + ": NotAction with several entries excludes each of them.",
          policy(stmt(action=None, not_action=["host:Sudo", "host:Login"])), "host:Login",
          "implicitDeny")
    c.one("notaction.with-resource", na + ": NotAction combines with Resource: the resource "
          "must still match.", policy(stmt(action=None, not_action="host:Sudo",
                                           resource=OTHER_HOST)),
          "host:Login", "implicitDeny", resource=HOST)

    # ---- Resource ----------------------------------------------------------------------------
    r_rule = P_RES
    for name, pat, res, dec, why in [
        ("exact", HOST, HOST, "allowed", "the exact ARN"),
        ("star", "*", HOST, "allowed", "'*' is every resource"),
        ("instance-star", "arn:aws:ec2:us-east-1:123456789012:instance/*", HOST, "allowed",
         "'instance/*' covers every instance"),
        ("region-account-star", "arn:aws:ec2:*:*:instance/*", HOST, "allowed",
         "'*' may fill the region and account segments"),
        ("question", "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef?", HOST,
         "allowed", "'?' matches one character"),
        ("question-short", "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcde?",
         HOST, "implicitDeny", "'?' matches exactly one character, so the pattern is too short"),
        ("other-instance", OTHER_HOST, HOST, "implicitDeny", "a different instance id"),
        ("case-resource-type", "arn:aws:ec2:us-east-1:123456789012:Instance/*", HOST,
         "implicitDeny", "ARNs are case-sensitive ('Instance' vs 'instance')"),
        ("case-resource-id", "arn:aws:ec2:us-east-1:123456789012:instance/I-0123456789ABCDEF0",
         HOST, "implicitDeny", "ARNs are case-sensitive in the resource id"),
        ("case-service", "arn:aws:EC2:us-east-1:123456789012:instance/*", HOST, "implicitDeny",
         "ARNs are case-sensitive, the service segment included (reading chosen: the whole ARN "
         "is compared case-sensitively)"),
        ("region-mismatch", "arn:aws:ec2:us-west-2:123456789012:instance/*", HOST,
         "implicitDeny", "the region segment must match"),
        ("account-mismatch", "arn:aws:ec2:us-east-1:210987654321:instance/*", HOST,
         "implicitDeny", "the account segment must match"),
        ("partition-mismatch", "arn:aws-cn:ec2:us-east-1:123456789012:instance/*", HOST,
         "implicitDeny", "the partition segment must match"),
        ("trailing-star-beyond-colons", "arn:aws:ec2:us-east-1:*", HOST, "allowed",
         "'If the * wildcard is the last character of a resource ARN segment, it can expand to "
         "match beyond the colon boundaries'"),
        ("s3-star-crosses-slash", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c.txt",
         "allowed", "'*' expands to everything in the segment, '/' included"),
        ("s3-inner-star-crosses-slash", "arn:aws:s3:::bucket/*/c.txt",
         "arn:aws:s3:::bucket/a/b/c.txt", "allowed", "an inner '*' also spans '/'"),
        ("s3-bucket-not-objects", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/a.txt",
         "implicitDeny", "the bucket ARN does not cover its objects"),
        ("s3-prefix-no-star", "arn:aws:s3:::bucket/home", "arn:aws:s3:::bucket/home/alice",
         "implicitDeny", "without a wildcard the whole ARN must match"),
        ("s3-bucket-star-not-other-bucket", "arn:aws:s3:::bucket/*",
         "arn:aws:s3:::bucket2/a.txt", "implicitDeny",
         "'bucket/*' does not cover 'bucket2/...'"),
        ("resource-with-colons", "arn:aws:logs:us-east-1:123456789012:log-group:grp:*",
         "arn:aws:logs:us-east-1:123456789012:log-group:grp:log-stream:s1", "allowed",
         "the resource part may itself contain ':'"),
        ("iam-user-path", "arn:aws:iam::123456789012:user/accounting/*",
         "arn:aws:iam::123456789012:user/accounting/alice", "allowed",
         "the guide's example: all IAM users whose path is /accounting"),
        ("iam-user-name-case", "arn:aws:iam::123456789012:user/Bob",
         "arn:aws:iam::123456789012:user/bob", "implicitDeny",
         "'In the Resource element, the IAM user name is case sensitive'"),
    ]:
        c.one("resource.%s" % name, r_rule + ": %s." % why,
              policy(stmt(action="*", resource=pat)), "host:Login", dec, resource=res)
    c.one("resource.array-ored", r_rule + ": several resources in an array; any may match.",
          policy(stmt(resource=[OTHER_HOST, HOST])), "host:Login", "allowed", resource=HOST)
    c.one("resource.array-none", r_rule + ": several resources in an array; none matches.",
          policy(stmt(resource=[OTHER_HOST, "arn:aws:s3:::bucket"])), "host:Login",
          "implicitDeny", resource=HOST)

    # ---- NotResource -------------------------------------------------------------------------
    nr = P_NOTRES
    p = policy(stmt(action="*", resource=None, not_resource=OTHER_HOST))
    c.one("notresource.allow-other", nr + ": Allow with NotResource matches every resource "
          "except those listed.", p, "host:Login", "allowed", resource=HOST)
    c.one("notresource.allow-listed", nr + ": Allow with NotResource does not match a listed "
          "resource (implicit deny).", p, "host:Login", "implicitDeny", resource=OTHER_HOST)
    p = policy(stmt(action="*"), stmt(effect="Deny", action="*", resource=None,
                                      not_resource="arn:aws:ec2:us-east-1:123456789012:instance/i-0123*"))
    c.one("notresource.deny-everything-else", nr + ": Deny with NotResource denies every "
          "resource except those listed.", p, "host:Login", "explicitDeny", resource=OTHER_HOST)
    c.one("notresource.deny-spares-listed", nr + ": Deny with NotResource spares the listed "
          "resource (wildcards allowed), so the Allow applies.", p, "host:Login", "allowed",
          resource=HOST)
    c.one("notresource.with-notaction-deny", nr + "; " + P_NOTACTION + ": a Deny with both "
          "NotAction and NotResource denies actions outside the list on resources outside the "
          "list.", policy(stmt(action="*"),
                          stmt(effect="Deny", action=None, not_action="host:Login",
                               resource=None, not_resource=HOST)),
          "host:Sudo", "explicitDeny", resource=OTHER_HOST)
    c.one("notresource.with-notaction-deny-spared", nr + "; " + P_NOTACTION + ": a Deny with "
          "NotAction and NotResource does not apply to a listed action.",
          policy(stmt(action="*"),
                 stmt(effect="Deny", action=None, not_action="host:Login", resource=None,
                      not_resource=HOST)),
          "host:Login", "allowed", resource=OTHER_HOST)
    c.one("notresource.case-sensitive", nr + "; ARNs are case-sensitive: NotResource "
          "'.../Instance/*' does not list the instance, so the Allow applies to it.",
          policy(stmt(action="*", resource=None,
                      not_resource="arn:aws:ec2:us-east-1:123456789012:Instance/*")),
          "host:Login", "allowed", resource=HOST)
    c.one("notresource.star", nr + ": NotResource '*' excludes every resource, so the Allow "
          "never applies.", policy(stmt(action="*", resource=None, not_resource="*")),
          "host:Login", "implicitDeny", resource=HOST)


def generate_layout(c):
    """The same policy however it is laid out."""
    c.one("elem.minified-one-line", P_STMT + ": JSON layout does not matter; a one-line policy "
          "is the same policy.",
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Login",'
          '"Resource":"*"}]}', "host:Login", "allowed")
    c.one("elem.version-after-statement", P_VERSION + ": JSON object members are unordered; "
          "Version after Statement still enables variables.",
          '{\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "s3:GetObject",\n'
          '      "Resource": "arn:aws:s3:::home/${aws:username}/*"\n    }\n  ],\n'
          '  "Version": "2012-10-17"\n}\n', "s3:GetObject", "allowed",
          resource="arn:aws:s3:::home/alice/a.txt", context=[ctx("aws:username", "string",
                                                                 "alice")])
    c.one("elem.effect-before-sid-order", P_STMT + ": statement members are unordered.",
          '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Resource": "*",\n'
          '      "Action": "host:Login",\n      "Effect": "Deny",\n      "Sid": "Last"\n    }\n'
          '  ]\n}\n', "host:Login", "explicitDeny")
    c.one("elem.unicode-value", P_STMT + "; String condition operators compare the characters: "
          "'caf\u00e9' equals 'caf\u00e9'.",
          policy(stmt(cond={"StringEquals": {"host:Gecos": "caf\u00e9"}})), "host:Login",
          "allowed", context=[ctx("host:Gecos", "string", "caf\u00e9")])
    c.one("elem.unicode-escape-value", P_STMT + "; a JSON \\u escape is the same character: "
          "'caf\\u00e9' in the policy equals 'caf\u00e9'.",
          '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
          '      "Action": "host:Login",\n      "Resource": "*",\n      "Condition": '
          '{"StringEquals": {"host:Gecos": "caf\\u00e9"}}\n    }\n  ]\n}\n', "host:Login",
          "allowed", context=[ctx("host:Gecos", "string", "caf\u00e9")])
    c.one("elem.stringlike-star-empty-value", P_STMT + "; StringLike '*' matches any value, the "
          "empty string included.", policy(stmt(cond={"StringLike": {"host:Tty": "*"}})),
          "host:Login", "allowed", context=[ctx("host:Tty", "string", "")])
    c.one("elem.id-element-resource-policy", "IAM User Guide, 'Grammar of the IAM JSON policy "
          "language', notes: 'The id_block is optional in resource-based policies'; an Id in "
          "the resource policy changes nothing.",
          '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
          '      "Action": "ec2:DescribeInstances",\n      "Resource": "*"\n    }\n  ]\n}\n',
          "host:Login", "allowed", resource=HOST, caller=ALICE,
          resource_policy='{\n  "Version": "2012-10-17",\n  "Id": "HostPolicy1",\n'
          '  "Statement": [\n    {\n      "Effect": "Allow",\n      "Principal": {"AWS": "'
          + ALICE + '"},\n      "Action": "host:Login",\n      "Resource": "' + HOST +
          '"\n    }\n  ]\n}\n')
    c.one("resource.case-region", P_RES + ": ARNs are case-sensitive, the region segment "
          "included (reading chosen: the whole ARN is compared case-sensitively).",
          policy(stmt(action="*", resource="arn:aws:ec2:US-EAST-1:123456789012:instance/*")),
          "host:Login", "implicitDeny", resource=HOST)
    c.one("resource.case-partition", P_RES + ": ARNs are case-sensitive, the partition "
          "segment included (reading chosen).",
          policy(stmt(action="*", resource="arn:AWS:ec2:us-east-1:123456789012:instance/*")),
          "host:Login", "implicitDeny", resource=HOST)
    c.one("notaction.star-excludes-everything", P_NOTACTION + ": NotAction '*' excludes every "
          "action, so the Allow never applies.",
          policy(stmt(action=None, not_action="*")), "host:Login", "implicitDeny")
    c.one("resource.array-form-star", P_RES + ": Resource as an array holding '*'.",
          policy(stmt(resource=["*"])), "host:Login", "allowed", resource=HOST)
    c.one("resource.question-crosses-slash", P_RES + ": '?' is any single character, '/' "
          "included.", policy(stmt(action="*", resource="arn:aws:s3:::bucket?file")),
          "s3:GetObject", "allowed", resource="arn:aws:s3:::bucket/file")
    seg = (P_RES + ", 'Using wildcards in resource ARNs': wildcards work within each ARN segment "
           "(the parts separated by colons); only a '*' that is the last character of a segment "
           "can expand beyond the colon boundaries")
    c.one("resource.mid-segment-star-stays-in-segment", seg + ": in '*east-1' the '*' is not "
          "last, so it cannot swallow 'us-west-2:999999999999:'; the region segment "
          "'us-west-2' does not match '*east-1'.",
          policy(stmt(action="*", resource="arn:aws:ec2:*east-1:123456789012:instance/*")),
          "host:Login", "implicitDeny",
          resource="arn:aws:ec2:us-west-2:999999999999:east-1:123456789012:instance/i-1")
    c.one("resource.mid-segment-star-in-segment", seg + ": '*east-1' matches the region "
          "'us-east-1' within its segment.",
          policy(stmt(action="*", resource="arn:aws:ec2:*east-1:123456789012:instance/*")),
          "host:Login", "allowed", resource=HOST)
    c.one("resource.trailing-star-region-expands", seg + ": in 'us-*' the '*' is the last "
          "character of the region segment, so it may expand across the following colons.",
          policy(stmt(action="*", resource="arn:aws:ec2:us-*")), "host:Login", "allowed",
          resource=HOST)


def generate_short_arns(c):
    """ARNs with fewer than six fields."""
    short = ("IAM User Guide, 'IAM identifiers': 'When you specify an incomplete ARN (one with "
             "fewer than the standard six fields) in an identity-based policy, AWS automatically "
             "completes the ARN by adding wildcard characters (*) to all missing fields. For "
             "example, specifying arn:aws:sqs is equivalent to arn:aws:sqs:*:*:*'")
    q = "arn:aws:sqs:us-east-1:123456789012:orders"
    c.one("resource.short-arn-completed", short + ": arn:aws:sqs covers every queue.",
          policy(stmt(action="sqs:SendMessage", resource="arn:aws:sqs")), "sqs:SendMessage",
          "allowed", resource=q)
    c.one("resource.short-arn-completed-other-service", short + ": arn:aws:sqs:*:*:* still "
          "names sqs only, not sns.",
          policy(stmt(action="sns:Publish", resource="arn:aws:sqs")), "sns:Publish",
          "implicitDeny", resource="arn:aws:sns:us-east-1:123456789012:orders")
    c.one("resource.short-arn-region", short + ": arn:aws:ec2:us-east-1 is "
          "arn:aws:ec2:us-east-1:*:*, which covers the host.",
          policy(stmt(resource="arn:aws:ec2:us-east-1")), "host:Login", "allowed",
          resource=HOST)
    c.one("resource.short-arn-region-mismatch", short + ": arn:aws:ec2:eu-west-1 does not "
          "cover a us-east-1 instance.", policy(stmt(resource="arn:aws:ec2:eu-west-1")),
          "host:Login", "implicitDeny", resource=HOST)
    c.one("resource.short-arn-deny", short + ": in a Deny, arn:aws:ec2 denies every EC2 "
          "resource.", policy(stmt(action="*"), stmt(effect="Deny", resource="arn:aws:ec2")),
          "host:Login", "explicitDeny", resource=HOST)
    c.one("resource.short-arn-notresource", short + ": in NotResource, arn:aws:ec2 excludes "
          "every EC2 resource.", policy(stmt(action="*", resource=None,
                                             not_resource="arn:aws:ec2")),
          "host:Login", "implicitDeny", resource=HOST)
    c.one("resource.short-arn-in-boundary", short + " (a permissions boundary is an "
          "identity-based policy).", policy(stmt(action="*")), "host:Login", "allowed",
          resource=HOST, boundaries=[policy(stmt(resource="arn:aws:ec2:us-east-1"))])
    c.one("resource.short-arn-resource-policy", short.split(":", 1)[0] + ": the guide states "
          "the completion for identity-based policies only; reading chosen: in a resource "
          "policy a short ARN matches nothing (the validator reports MISSING_ARN_FIELD).",
          policy(stmt(action="s3:Nothing")), "host:Login", "implicitDeny", resource=HOST,
          caller=ALICE, resource_policy=policy(stmt(principal={"AWS": ALICE},
                                                     resource="arn:aws:ec2")))
