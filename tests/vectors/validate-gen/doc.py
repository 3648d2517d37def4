"""Write docs/findings.md, the catalogue of validate-policy's checks.

    python3 tests/vectors/validate-gen/doc.py .          # from the repository root
    python3 tests/vectors/validate-gen/doc.py . --check  # compare, change nothing

Each check's finding type, its source and any difference from AWS's type come from checks.py
(AWS's policy check reference for AWS's codes, our own decision for HOST_ codes); the meaning,
the example and other remarks are written here.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402

root = sys.argv[1]
check_only = "--check" in sys.argv[2:]
# code -> (meaning, example, difference-from-AWS or None)
D = {
"JSON_SYNTAX_ERROR": ("The document is not valid JSON (RFC 8259, UTF-8). The finding points at the first byte the reader could not accept.", '{"Statement": [}', None),
"HOST_DUPLICATE_KEY": ("The same key appears twice in one JSON object. JSON readers disagree on which copy wins, so a policy whose meaning depends on the reader is refused.", '{"Effect": "Deny", "Action": "host:Sudo", "Resource": "*", "Effect": "Allow"}', "Ours. AWS reports case variants of condition keys (DUPLICATE_KEYS_WITH_DIFFERENT_CASE); the engine refuses exact duplicates anywhere."),
"MISSING_STATEMENT": ("The policy has no Statement element, or an empty statement array.", '{"Version": "2012-10-17"}', None),
"INVALID_POLICY_ELEMENT": ("An element name that the policy language does not have, at the top (Version, Id, Statement) or in a statement. Names are case-sensitive, so a misspelt `Condtion` would otherwise be ignored — and with it the restriction it was meant to add.", '"Condtion": {"StringEquals": {"host:Service": "sshd"}}', None),
"DATA_TYPE_MISMATCH": ("An element has the wrong JSON type: Effect or Version not a string, Action an object, Statement a string, a condition value an object or null, and so on.", '"Action": {"host": "Login"}', None),
"INVALID_VERSION": ("Version is neither 2012-10-17 nor 2008-10-17.", '"Version": "2012-10-18"', None),
"MISSING_EFFECT": ("A statement without Effect.", '{"Action": "host:Login", "Resource": "*"}', None),
"INVALID_EFFECT": ("Effect is not exactly Allow or Deny (case matters).", '"Effect": "allow"', None),
"MISSING_ACTION": ("A statement without Action or NotAction.", '{"Effect": "Allow", "Resource": "*"}', None),
"MISSING_RESOURCE": ("A statement of an identity policy without Resource or NotResource. (Resource policies may leave it out, as role trust policies do.)", '{"Effect": "Allow", "Action": "host:Login"}', None),
"UNSUPPORTED_ELEMENT_COMBINATION": ("Action with NotAction, Resource with NotResource, or Principal with NotPrincipal in one statement.", '"Action": "host:Login", "NotAction": "host:Sudo"', None),
"UNSUPPORTED_PRINCIPAL": ("Principal or NotPrincipal in an identity policy.", '"Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}', None),
"UNSUPPORTED_ACTION_IN_POLICY": ("With --validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument (a role's trust policy): an action outside STS, or NotAction. A trust policy may name only STS actions (sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity, ...); IAM's CreateRole and UpdateAssumeRolePolicy refuse anything else with MalformedPolicyDocument \"AssumeRole policy may only specify STS AssumeRole actions.\" (IAM User Guide, \"IAM JSON policy elements: Action\" and \"Roles terms and concepts\": the trust policy). create-role and update-assume-role-policy refuse the document through this same check. The finding is at each offending action, or at the NotAction key.", '"Action": ["sts:AssumeRole", "s3:GetObject"]', "AWS's code and wording; AWS does not say how it treats NotAction in a trust policy, and IAM refuses it, so it is reported here too."),
"UNSUPPORTED_RESOURCE_ARN_IN_POLICY": ("With --validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument: a Resource or NotResource element in a role's trust policy. The resource of a trust policy is the role it is attached to; IAM refuses the element (MalformedPolicyDocument \"Has prohibited field Resource\"; IAM User Guide, \"IAM JSON policy elements: Resource\"), and create-role and update-assume-role-policy refuse it through this same check.", '"Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}, "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::123456789012:role/deploy"', "AWS's code; AWS's check is about ARNs a resource type does not take, and for a trust policy no Resource element at all is taken, so the finding is at the element's key, not at each ARN."),
"MISSING_PRINCIPAL": ("A statement of a resource policy (--policy-type RESOURCE_POLICY, the host's own policy) without Principal or NotPrincipal.", 'a resource-policy statement with only Effect, Action, Resource', None),
"INVALID_PRINCIPAL_FORMAT": ("Principal is neither \"*\" nor an object of principal types, or an AWS principal is neither \"*\", a 12-digit account ID nor an ARN.", '"Principal": "alice"', None),
"INVALID_PRINCIPAL_KEY": ("A principal type other than AWS, Service, Federated or CanonicalUser.", '"Principal": {"User": "arn:aws:iam::123456789012:user/alice"}', None),
"UNSUPPORTED_WILDCARD_IN_PRINCIPAL": ("A wildcard inside an AWS principal ARN. Principals do not match wildcards; use \"*\" with an ArnLike condition on aws:PrincipalArn.", '"Principal": {"AWS": "arn:aws:iam::123456789012:user/*"}', None),
"UNSUPPORTED_SID": ("In an identity policy, a Sid with characters other than A-Z, a-z and 0-9.", '"Sid": "allow-login"', None),
"UNIQUE_SIDS_REQUIRED": ("Two statements with the same Sid. The audit log names the deciding statement by Sid, so it must be unique.", 'two statements with "Sid": "Login"', "AWS requires unique Sids only for some policy types and otherwise warns (UNIQUE_SIDS_RECOMMENDED); our engine requires them in every policy, so it is always an ERROR here and UNIQUE_SIDS_RECOMMENDED is never reported."),
"INVALID_ACTION": ("An action that is not `service:Name` (with `*` and `?` as wildcards) or `*`.", '"Action": "hostLogin"', "We have no catalogue of AWS services' actions, so for services other than host: only the form is checked."),
"INVALID_SERVICE_IN_ACTION": ("The service prefix of an action holds characters a service prefix cannot have (letters, digits and hyphens only), or a wildcard: IAM refuses `*` and `?` in an action's service prefix (\"Action vendors ... must not contain wildcards\"), and so does the engine.", '"Action": "host_x:Login"', "AWS also knows which services exist; we check the form."),
"HOST_UNKNOWN_ACTION": ("A host: action the host never asks about. The host asks for host:Login (PAM account phase of every service) and host:Sudo (sudo); anything else under host: — a typo such as host:Logon, or a pattern that matches neither — grants or denies nothing, which in a Deny is a hole.", '"Action": ["host:Login", "host:Logon"]', "Ours (AWS's INVALID_ACTION for the host: service)."),
"INVALID_ARN_PREFIX": ("A resource that is neither \"*\" nor an ARN starting with arn:.", '"Resource": "ec2:instance/i-0123456789abcdef0"', None),
"MISSING_ARN_FIELD": ("An ARN with fewer than six colon-separated fields, or an empty service. In an identity policy IAM completes a short ARN with `*` in every missing field (`arn:aws:sqs` is `arn:aws:sqs:*:*:*`), and so does the engine, so it covers every such resource in every Region and account; in a resource policy the engine matches nothing for it (the guide is silent there).", '"Resource": "arn:aws:ec2:us-east-1:123456789012"', None),
"INVALID_PARTITION": ("An ARN partition other than aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f or aws-eusc (wildcards and variables are accepted).", '"arn:amazon:ec2:us-east-1:123456789012:instance/*"', None),
"INVALID_ARN_SERVICE_CASE": ("An ARN's service with upper-case letters or other characters a service name cannot have. Resource matching is case-sensitive, so such an ARN matches nothing.", '"arn:aws:EC2:us-east-1:123456789012:instance/*"', None),
"INVALID_ARN_REGION": ("An ARN region that does not look like a Region (us-east-1, us-gov-west-1, ...). Empty, wildcard and variable regions are accepted.", '"arn:aws:ec2:useast1:123456789012:instance/*"', "AWS also knows which Regions each service is in; we check the form."),
"INVALID_ARN_ACCOUNT": ("An ARN account that is not 12 digits (nor empty, a wildcard, a variable or aws).", '"arn:aws:ec2:us-east-1:1234:instance/*"', None),
"INVALID_ARN_RESOURCE": ("An ARN whose resource part is empty, or, for services whose resource part always begins with a resource type (ec2, iam, sts), a wildcard in that type (`*/i-0123...`, `u*`): IAM does not allow a wildcard there, and the engine refuses it. `*` alone for the whole resource part is fine.", '"arn:aws:ec2:us-east-1:123456789012:"', "AWS checks the resource part against each service's resource types; we know the form of ec2, iam and sts ARNs only."),
"INVALID_CONDITION_OPERATOR": ("An unknown condition operator (names are case-sensitive).", '"StringEqual": {"host:Service": "sshd"}', None),
"NULL_WITH_IF_EXISTS": ("NullIfExists: the Null operator cannot take IfExists.", '"NullIfExists": {"host:Tty": "false"}', None),
"INVALID_CONDITION_KEY_FORMAT": ("A condition key that is not `prefix:name`.", '"StringEquals": {"username": "alice"}', None),
"INVALID_GLOBAL_CONDITION_KEY": ("An aws: key that is not one of AWS's global condition keys.", '"StringEquals": {"aws:UserGroup": "ops"}', None),
"UNSUPPORTED_GLOBAL_CONDITION_KEY": ("aws:ARN, which AWS does not support; use aws:PrincipalArn.", '"ArnEquals": {"aws:ARN": "arn:aws:iam::123456789012:user/alice"}', None),
"INVALID_SERVICE_CONDITION_KEY": ("A host: key the host does not define. The host sets host:Service, host:RemoteHost, host:Tty, host:AuthMethod, host:SSHPublicKeyId, host:OsUser, host:RunAsUser, host:RunAsGroup, host:Command, host:CommandLine and host:CommandArgs (docs/architecture.md, \"Actions and context keys\").", '"StringEquals": {"host:Shell": "/bin/bash"}', "AWS's code, applied to the host: service, the only one whose keys we know."),
"MISSING_TAG_KEY_IN_CONDITION": ("aws:PrincipalTag, aws:ResourceTag or aws:RequestTag without /tag-key.", '"StringEquals": {"aws:PrincipalTag": "ops"}', None),
"DUPLICATE_KEYS_WITH_DIFFERENT_CASE": ("The same condition key twice in one operator block, spelt with different case. Key names are case-insensitive, so one silently replaces the other.", '"StringEquals": {"aws:username": "alice", "aws:UserName": "bob"}', None),
"INVALID_CONDITION_DATA_TYPE": ("The values of one condition key mix JSON types (strings and numbers, ...).", '"StringEquals": {"host:OsUser": ["alice", 1000]}', None),
"INVALID_CONDITION_MULTIPLE_BOOLEAN": ("Bool with more than one value (without ForAnyValue/ForAllValues).", '"Bool": {"aws:MultiFactorAuthPresent": ["true", "false"]}', None),
"TYPE_MISMATCH_BOOLEAN": ("A Bool or Null value that is not true or false.", '"Bool": {"aws:MultiFactorAuthPresent": "yes"}', None),
"TYPE_MISMATCH_DATE": ("A Date operator value that is neither an ISO 8601 date/time nor epoch seconds.", '"DateLessThan": {"aws:CurrentTime": "2026-13-01"}', None),
"TYPE_MISMATCH_IP_RANGE": ("An IpAddress/NotIpAddress value that is not an IPv4/IPv6 address or CIDR.", '"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}', None),
"TYPE_MISMATCH_NUMBER": ("A Numeric operator value that is not a number.", '"NumericLessThan": {"aws:EpochTime": "ten"}', None),
"TYPE_MISMATCH_STRING": ("A BinaryEquals value that is not base64.", '"BinaryEquals": {"host:Command": "not base64!"}', None),
"INVALID_VARIABLE_FOR_OPERATOR": ("A policy variable in the value of an operator other than String and Arn operators.", '"NumericLessThan": {"aws:EpochTime": "${aws:EpochTime}"}', None),
"MISSING_BRACE_IN_VARIABLE": ("`${` without its closing brace. The location's path ends with a substring element pointing at the variable.", '"${aws:username"', None),
"EMPTY_VARIABLE": ("`${}`.", '"user-${}"', None),
"UNSUPPORTED_SPACE_IN_VARIABLE": ("A space inside a variable name.", '"${aws: username}"', None),
"HOST_UNSUPPORTED_SYMBOL_IN_VARIABLE": ("A character a variable name cannot hold (names are letters, digits and `:/_.-@+=`; `${*}`, `${?}` and `${$}` are escapes).", '"${aws:user#name}"', "Ours: Access Analyzer's reference has no code for other characters (it reports spaces as UNSUPPORTED_SPACE_IN_VARIABLE)."),
"MISSING_QUOTE_IN_VARIABLE": ("A variable default that is not in single quotes.", '"${aws:PrincipalTag/osuser, nobody}"', None),
"VARIABLE_UNSUPPORTED_IN_ELEMENT": ("A policy variable outside Resource/NotResource and condition values (in Action, Sid, Principal, ...), where it is plain text.", '"Action": "host:${aws:username}"', None),
"VARIABLE_UNSUPPORTED_IN_VERSION": ("A policy variable under Version 2008-10-17 or with no Version, where `${...}` is matched as literal text.", '"Version": "2008-10-17" with "${aws:username}" in a condition', None),
"PRIVATE_IP_ADDRESS": ("IpAddress on aws:SourceIp lists only private or loopback ranges (10/8, 172.16/12, 192.168/16, 127/8, ::1, fc00::/7), in a statement that covers no host action. AWS services see public addresses only, so the statement never matches.", '"Action": "s3:GetObject", ... "IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}', "Not reported when the statement covers host:Login or host:Sudo (directly or through a wildcard such as `*`): hosts are reached from private and loopback addresses, and the host sets aws:SourceIp to the client's real address, so `\"IpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}` for host: actions is normal."),
"PRIVATE_NOT_IP_ADDRESS": ("NotIpAddress on aws:SourceIp lists only private ranges, in a statement that covers no host action: it excludes nothing AWS will ever see.", '"Effect": "Deny", "Action": "s3:*", ... "NotIpAddress": {"aws:SourceIp": "172.16.0.0/12"}', "As PRIVATE_IP_ADDRESS: not reported for host: actions."),
"EMPTY_ARRAY_ACTION": ("`\"Action\": []`: the statement covers no action, so it matches no request and changes no decision. The engine accepts it and evaluates it so, as IAM does.", '"Action": []', None),
"EMPTY_ARRAY_RESOURCE": ("`\"Resource\": []`: the statement covers no resource, so it matches no request. The engine accepts it and evaluates it so.", '"Resource": []', None),
"EMPTY_ARRAY_PRINCIPAL": ("A principal type with an empty list under Principal: it names nobody (with no other principal the statement matches no request). Under NotPrincipal the same list is refused: HOST_EMPTY_NOT_ELEMENT.", '"Principal": {"AWS": []}', None),
"EMPTY_OBJECT_PRINCIPAL": ("`\"Principal\": {}`: names nobody, so the statement matches no request. (`\"NotPrincipal\": {}` is refused: HOST_EMPTY_NOT_ELEMENT.)", '"Principal": {}', None),
"EMPTY_ARRAY_CONDITION": ("A condition key with no values, under an operator without ForAllValues, ForAnyValue or IfExists. The values of a key are ORed, so none matches: a positive operator is never true and the statement matches no request; a negated operator (NOR of no values) is always true, so the condition restricts nothing.", '"StringEquals": {"host:Service": []}', None),
"EMPTY_ARRAY_CONDITION_FORALLVALUES": ("ForAllValues with no values: true only when the key is absent from the request (or holds no values). Use Null.", '"ForAllValues:StringEquals": {"aws:TagKeys": []}', None),
"EMPTY_ARRAY_CONDITION_FORANYVALUE": ("ForAnyValue with no values: never true, so the statement matches no request.", '"ForAnyValue:StringEquals": {"aws:TagKeys": []}', None),
"EMPTY_ARRAY_CONDITION_IFEXISTS": ("...IfExists with no values: true only when the key is absent (a negated operator: always true). Use Null.", '"StringEqualsIfExists": {"host:Tty": []}', None),
"NULL_WITH_QUALIFIER": ("ForAllValues:Null or ForAnyValue:Null. AWS evaluates them, and so does the engine: ForAllValues:Null is always true and ForAnyValue:Null always false, whatever the request holds.", '"ForAnyValue:Null": {"host:Tty": "true"}', None),
"HOST_EMPTY_NOT_ELEMENT": ("`\"NotAction\": []`, `\"NotResource\": []`, `\"NotPrincipal\": {}` or an empty list under NotPrincipal: an exclusion list that excludes nothing, so the statement would cover every action (host:Sudo included), every host or everyone. The engine refuses it.", '"NotAction": []', "Ours. AWS has no code for it (its EMPTY_ARRAY_* suggestions are about Action, Resource and Principal, which then name nothing)."),
"INVALID_ROLE_REFERENCE": ("A role's unique ID (AROA...) as a principal. Use the role's ARN.", '"Principal": {"AWS": "AROAEXAMPLEID1234567"}', None),
"INVALID_USER_REFERENCE": ("A user's unique ID (AIDA...) as a principal. Use the user's ARN.", '"Principal": {"AWS": "AIDAEXAMPLEID1234567"}', None),
"HOST_POLICY_REJECTED": ("The policy engine (iam_policy_compile) refuses something no other check reported — today that is a document over the engine's 128 KiB limit. The details carry the engine's own message; the location is the value it points at. This makes \"no ERROR finding\" the same as \"the engine compiles it\".", 'a policy document of more than 128 KiB', "Ours."),
"ALLOW_WITH_NOT_PRINCIPAL": ("Allow with NotPrincipal in a resource policy: it allows everyone but the named principals.", '"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:user/alice"}', None),
"FORALLVALUES_WITH_SINGLE_VALUED_KEY": ("ForAllValues with a key that has one value (every host key, and AWS's single-valued global keys). ForAllValues is also true when the key is absent, so the condition lets requests without the key through.", '"ForAllValues:StringEquals": {"host:Service": ["sshd", "login"]}', None),
"MISSING_PAIRED_CONDITION_KEYS": ("aws:VpcSourceIp without aws:SourceVpc in the same condition block.", '"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}', None),
"PASS_ROLE_WITH_STAR_IN_RESOURCE": ("Allow iam:PassRole on `*` (or `role/*`) without an iam:PassedToService condition.", '"Action": "iam:PassRole", "Resource": "*"', None),
"PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE": ("A wildcard action that includes iam:PassRole (`*`, `iam:*`, `iam:Pass*`) on `*`.", '"Action": "iam:Pass*", "Resource": "*"', None),
"PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION": ("Allow with NotAction that does not exclude iam:PassRole, on `*`.", '"NotAction": ["s3:*", "host:*"], "Resource": "*"', None),
"PASS_ROLE_WITH_NOT_RESOURCE": ("Allow iam:PassRole with NotResource.", '"Action": "iam:PassRole", "NotResource": "arn:aws:iam::123456789012:role/app"', None),
"PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE": ("A wildcard action including iam:PassRole with NotResource.", '"Action": "iam:Pass*", "NotResource": "..."', None),
"PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE": ("NotAction that does not exclude iam:PassRole with NotResource.", '"NotAction": ["s3:*", "host:*"], "NotResource": "..."', None),
"HOST_ALLOW_NOT_ACTION": ("Allow with NotAction whose exclusions leave host:Login or host:Sudo in: it grants every action it does not name — login and root on the host included — and every action invented later.", '"Effect": "Allow", "NotAction": ["s3:*", "iam:*"], "Resource": "*"', "Ours. AWS does not warn on Allow+NotAction by itself."),
"HOST_ALLOW_NOT_RESOURCE": ("Allow of a host action with NotResource: it applies to every host except the named ones, hosts added later included.", '"Action": "host:Login", "NotResource": "arn:aws:ec2:...:instance/i-0123..."', "Ours."),
"HOST_SUDO_VIA_WILDCARD": ("An Allow grants host:Sudo — root on the host — only through a wildcard (`*`, `host:*`, `host:S*`), without naming it.", '"Action": "host:*"', "Ours; the host's analogue of AWS's PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE."),
"HOST_ALLOW_ALL_PRINCIPALS": ("In the host's resource policy, an Allow of a host action to Principal `*` (or AWS `*`) with no Condition: every IAM user of the account may log in (or sudo). With --validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument, the same for an Allow of sts:AssumeRole in a role's trust policy: `*` is the caller itself for the engine, so every IAM user may assume the role without any identity policy (and at AWS, any principal of any account).", '"Principal": "*", "Action": "host:Login"', "Ours."),
"HOST_DENY_NEVER_APPLIES": ("A Deny that covers host actions but whose condition can never be true on a host: a key the host never sets used with a positive operator (aws:SourceVpc, aws:RequestTag/..., service keys), or an impossible combination (see HOST_CONDITION_NEVER_TRUE). The deny protects nothing.", '"Effect": "Deny", "Action": "host:Login", "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-..."}}', "Ours."),
"HOST_DENY_KEY_SOMETIMES_ABSENT": ("A Deny whose positive operator (no IfExists) uses a key the host sets only for some requests — aws:SourceIp, host:RemoteHost and host:Tty are absent for console logins, aws:PrincipalTag/k and aws:ResourceTag/k when the tag is not there. Without the key the Deny does not apply.", '"Effect": "Deny", "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}', "Ours; the host's analogue of AWS's DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE."),
"HOST_SUDO_SHELL_IN_REACH": ("An Allow covering host:Sudo whose StringLike pattern on host:Command also matches a shell or a program that starts any command (/bin/sh, /usr/bin/bash, /usr/bin/env, /usr/bin/su, ...): the user can start a shell as the run-as user with sudo (`sudo /usr/bin/bash`, and `sudo -s`, whose command is the shell) and run anything from it.", '"StringLike": {"host:Command": "/usr/bin/*"}', "Ours."),
"HOST_COMMAND_LINE_AS_STRING": ("A condition on host:CommandLine, which is the command and its arguments as one string: a Deny with a positive operator does not apply to the same command with its options in another order, split or joined (-fv for -f -v) or given twice; an Allow with a wildcard in it takes any arguments, any number of them, in the wildcard's place. Use host:Command with ForAnyValue (Deny) or ForAllValues (Allow) on host:CommandArgs.", '"Effect": "Deny", "Condition": {"StringEquals": {"host:CommandLine": "/usr/bin/rm -rf /"}}', "Ours."),
"MISSING_VERSION": ("No Version element: policy variables are then plain text.", '{"Statement": [...]}', None),
"POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA": ("An identity policy with more than 6,144 characters outside whitespace (IAM's managed-policy quota). Such a policy cannot be put back into AWS.", 'a statement listing 110 instance ARNs', None),
"WILDCARD_WITHOUT_LIKE_OPERATOR": ("`*` or `?` in the value of StringEquals, StringNotEquals or their IgnoreCase forms, which compare literally.", '"StringEquals": {"aws:PrincipalTag/team": "ops*"}', None),
"TYPE_MISMATCH": ("An operator family that does not fit the key's type: Numeric on aws:username, String on aws:SourceIp, Bool on aws:CurrentTime, ...", '"NumericEquals": {"aws:username": "5"}', None),
"INVALID_DATE_VALUE": ("Epoch seconds as a Date operator value (other than for aws:EpochTime). Accepted, but ISO 8601 is what people can read.", '"DateGreaterThan": {"aws:CurrentTime": "1700000000"}', None),
"MISSING_QUALIFIER": ("A multivalued key (aws:TagKeys, aws:CalledVia, aws:PrincipalOrgPaths, ...) without ForAllValues/ForAnyValue.", '"StringEquals": {"aws:TagKeys": "team"}', None),
"CREATE_SLR_WITH_STAR_IN_RESOURCE": ("Allow iam:CreateServiceLinkedRole on `*`.", '"Action": "iam:CreateServiceLinkedRole", "Resource": "*"', None),
"CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE": ("A wildcard action including iam:CreateServiceLinkedRole on `*`.", '"Action": "iam:Create*", "Resource": "*"', None),
"CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION": ("NotAction that does not exclude iam:CreateServiceLinkedRole, on `*`.", '"NotAction": ["s3:*", "host:*"], "Resource": "*"', None),
"CREATE_SLR_WITH_NOT_RESOURCE": ("iam:CreateServiceLinkedRole with NotResource.", '"Action": "iam:CreateServiceLinkedRole", "NotResource": "..."', None),
"CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE": ("A wildcard action including iam:CreateServiceLinkedRole with NotResource.", '"Action": "iam:Create*", "NotResource": "..."', None),
"CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE": ("NotAction not excluding iam:CreateServiceLinkedRole, with NotResource.", '"NotAction": ["s3:*", "host:*"], "NotResource": "..."', None),
"HOST_CONTEXT_KEY_NEVER_SET": ("A condition on a key the host never sets, in a statement covering host actions, where the operator makes the condition always true without the key (a negated operator, IfExists, ForAllValues, Null true). On a host the condition is meaningless — and in a Deny it denies every host request it covers.", '"StringNotEquals": {"aws:SourceVpc": "vpc-..."}', "Ours."),
"HOST_KEY_NOT_FOR_ACTION": ("host:RunAsUser, host:RunAsGroup, host:Command, host:CommandLine or host:CommandArgs — set only for host:Sudo — in a statement that covers host:Login only.", '"Action": "host:Login", "Condition": {"StringEquals": {"host:RunAsUser": "root"}}', "Ours."),
"HOST_CONDITION_NEVER_TRUE": ("An Allow covering host actions whose condition can never be true, so it grants nothing on a host: a key the host never sets with a positive operator; an empty Numeric or Date range on one key (NumericLessThan 5 with NumericGreaterThan 10); a value the host never sets for an enumerated key (host:AuthMethod is accesskey, password, publickey or none; aws:PrincipalType is User; aws:PrincipalAccount is 12 digits); StringEquals and StringNotEquals refusing every value.", '"StringEquals": {"host:AuthMethod": "kerberos"}', "Ours."),
"HOST_RESOURCE_NEVER_HOST": ("In a statement whose actions are all host: actions, a Resource ARN that can never be a host's: the host's resource (host_arn in iam.conf) is an EC2 instance (`arn:...:ec2:<region>:<account>:instance/...`) or an SSM managed instance (`arn:...:ssm:<region>:<account>:managed-instance/...`).", '"Action": "host:Login", "Resource": "arn:aws:s3:::bucket"', "Ours. If your host_arn names something else, this warning is wrong for you; it never blocks a write."),
"HOST_PRINCIPAL_NEVER_ON_HOST": ("A Service, Federated or CanonicalUser principal in the host's resource policy. Only IAM users of the account log in to a host, so the entry has no effect.", '"Principal": {"Service": "ec2.amazonaws.com"}', "Ours."),
"EMPTY_OBJECT_CONDITION": ("`\"Condition\": {}`, or an operator with an empty block (`\"StringEquals\": {}`): either constrains nothing, and the engine evaluates it so.", '"Condition": {}', None),
"EMPTY_SID_VALUE": ("`\"Sid\": \"\"`.", '"Sid": ""', None),
"IMPROVE_IP_RANGE": ("A CIDR with bits set after the mask; they are ignored. Write the network address.", '"203.0.113.5/24"', None),
"PRIVATE_IP_ADDRESS_SUBSET": ("IpAddress on aws:SourceIp mixing private and public ranges, in a statement that covers no host action.", '"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]', "As PRIVATE_IP_ADDRESS: not reported for host: actions."),
"PRIVATE_NOT_IP_ADDRESS_SUBSET": ("NotIpAddress on aws:SourceIp mixing private and public ranges, in a statement that covers no host action.", '"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}', "As PRIVATE_IP_ADDRESS."),
"REDUNDANT_ACTION": ("An action already covered by another pattern of the same element (host:Login next to host:Log*, or a duplicate).", '"Action": ["host:Login", "host:Log*"]', None),
"REDUNDANT_RESOURCE": ("A resource already covered by another pattern of the same element.", '"Resource": ["arn:...:instance/i-0123...", "arn:...:instance/*"]', None),
"REDUNDANT_CONDITION_VALUE_NUM": ("Several values for NumericLessThan(Equals)/NumericGreaterThan(Equals): only the loosest counts.", '"NumericLessThan": {"aws:EpochTime": ["1893456000", "1900000000"]}', None),
"REDUNDANT_STATEMENT": ("Two statements identical but for their Sid.", 'two copies of one statement', None),
"WILDCARD_IN_SERVICE_NAME": ("A wildcard in the service part of a resource ARN. (In an action's service prefix a wildcard is refused: INVALID_SERVICE_IN_ACTION.)", '"arn:aws:e*:us-east-1:123456789012:instance/*"', None),
"HOST_IFEXISTS_KEY_ALWAYS_PRESENT": ("...IfExists on a key the host always sets for the statement's actions (aws:username, aws:CurrentTime, host:Service, ...): IfExists changes nothing.", '"StringEqualsIfExists": {"aws:username": "alice"}', "Ours."),
}
types = {t: [] for t in checks.TYPES}
for code in checks.all_codes():
    types[checks.expected(code)[0]].append(code)
missing = [c for c in checks.all_codes() if c not in D]
assert not missing, missing
extra = [c for c in D if c not in checks.all_codes()]
assert not extra, extra
n = len(checks.all_codes())
aws_n = len(checks.AWS)
out = []
w = out.append
w("# Policy findings: the catalogue of `iamctl validate-policy`\n")
w("`iamctl validate-policy --policy-document file://p.json [--policy-type IDENTITY_POLICY|RESOURCE_POLICY]` "
  "checks one policy document and prints IAM Access Analyzer's ValidatePolicy response: "
  "`{\"findings\": [{\"findingDetails\", \"findingType\", \"issueCode\", \"learnMoreLink\", \"locations\": "
  "[{\"path\": [...], \"span\": {\"start\": {\"line\", \"column\", \"offset\"}, \"end\": {...}}}]}]}`. "
  "It exits 0 whenever it ran (findings or not), 1 when the document cannot be read, 2 on a usage error.\n")
w("## Role trust policies\n")
w("`--policy-type RESOURCE_POLICY --validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument` validates a "
  "role's trust policy as Access Analyzer's parameter of that name does ([ValidatePolicy]"
  "(https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicy.html), "
  "`validatePolicyResourceType`): the checks of every resource policy (a Principal is required, "
  "MISSING_PRINCIPAL), and the rules IAM has for trust policies on top, reported as "
  "UNSUPPORTED_ACTION_IN_POLICY (an action outside STS, or NotAction) and UNSUPPORTED_RESOURCE_ARN_IN_POLICY "
  "(a Resource or NotResource element). Those rules are IAM's: CreateRole and UpdateAssumeRolePolicy refuse such a "
  "document with `MalformedPolicyDocument: AssumeRole policy may only specify STS AssumeRole actions.` and "
  "`MalformedPolicyDocument: Has prohibited field Resource` (the second as reported on "
  "[Stack Overflow](https://stackoverflow.com/questions/34188013/aws-create-role-has-prohibited-field)); the IAM User "
  "Guide describes the trust policy as a resource-based policy whose Principal names who may assume the role "
  "([Roles terms and concepts](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html), "
  "[IAM JSON policy elements: Principal](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html), "
  "[Action](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html), "
  "[Resource](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html); "
  "[policy grammar](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)). "
  "`iamctl create-role` and `update-assume-role-policy` run exactly these checks (one implementation, "
  "`iamctl_trust_policy_check()`), so validate-policy reports what they would refuse. The option takes the values "
  "Access Analyzer takes; the S3 and DynamoDB ones (`AWS::S3::Bucket`, `AWS::S3::AccessPoint`, "
  "`AWS::S3::MultiRegionAccessPoint`, `AWS::S3ObjectLambda::AccessPoint`, `AWS::DynamoDB::Table`) are refused with "
  "a usage error (exit 2): a host has no such resource and no checks of their own here, and leaving the option "
  "out runs the checks of every resource policy. With IDENTITY_POLICY the option is a usage error, as in Access "
  "Analyzer.\n")
w("Positions follow the API: `line` counts from 1, `column` and `offset` from 0, both in Unicode code points; "
  "`end` is exclusive. Path elements are `{\"value\": \"Statement\"}` (the value under a key), `{\"index\": 0}`, "
  "`{\"key\": \"Condtion\"}` (the key itself, for findings about a name) and "
  "`{\"substring\": {\"start\", \"length\"}}` (part of a string, for policy variables).\n")
w("The same checks guard policy writes: `iamctl_policy_check()` (iamctl/policy_check.c), which the writing "
  "verbs (put-user-policy, put-group-policy, create-policy, create-policy-version and import, which checks "
  "every document of the export; a permissions boundary is a managed policy, checked when it was created) "
  "call before storing a document, refuses a policy with an "
  "ERROR finding and shows every finding on stderr as `iamctl: SOURCE:LINE:COL: TYPE CODE: details (path)` "
  "(1-based column there, like every iamctl diagnostic); other findings are printed as warnings and the "
  "write goes ahead.\n")
w("## How the checks relate to AWS\n")
w("- Issue codes without a prefix are Access Analyzer's, with AWS's meaning; `learnMoreLink` points at AWS's "
  "[policy check reference](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html). "
  "Codes that start with `HOST_` are ours, for what only a host has; their link points at this page as installed "
  "(`/usr/share/doc/iamctl/findings.md`).\n"
  "- **ERROR means the policy is refused.** Each check has the finding type AWS gives it, except where noted "
  "below with the reason. The differences: our engine fails closed on a value it cannot parse (a bad date, CIDR, "
  "number, boolean or base64) or a principal it cannot name (a unique ID), refusing the policy where AWS would "
  "keep the statement and let it never match, so those checks are ERRORs here; and a multivalued key without a "
  "set qualifier is only a WARNING, because IAM accepts it and a real account's export must import. Empty lists "
  "of actions, resources, principals or condition values, an empty operator block and Null with a set "
  "qualifier are accepted and evaluated as AWS does (they are SUGGESTIONs, as at AWS); an empty NotAction, "
  "NotResource or NotPrincipal is refused (HOST_EMPTY_NOT_ELEMENT).\n"
  "- The engine's own compiler runs after the checks. Anything it refuses that no check reported becomes "
  "HOST_POLICY_REJECTED, so *no ERROR finding* always means *the engine compiles this policy*. Value checks use "
  "the engine's own parsers, so they cannot drift apart.\n"
  "- Host reasoning. A statement *covers host actions* when its Action (or what its NotAction leaves) includes "
  "host:Login or host:Sudo, directly or through a wildcard. For such statements the checks know which context "
  "keys the host sets (docs/architecture.md, \"Actions and context keys\"): always aws:userid, aws:PrincipalArn, aws:PrincipalAccount, "
  "aws:PrincipalType, aws:CurrentTime, aws:EpochTime, aws:MultiFactorAuthPresent, host:Service "
  "and host:OsUser; aws:username and host:AuthMethod always for host:Login, sometimes for host:Sudo (a role session has no "
  "aws:username); sometimes aws:SourceIp, host:RemoteHost, host:Tty (not for console logins), "
  "aws:PrincipalTag/k and aws:ResourceTag/k (only if the tag exists); host:RunAsUser, host:RunAsGroup, "
  "host:Command, host:CommandLine and host:CommandArgs only for host:Sudo (asked per command by sudo's approval "
  "plugin), and aws:SourceIdentity and sts:RoleSessionName only for host:Sudo in a role session; and never any "
  "other key.\n"
  "- Not implemented from AWS's list: checks that need AWS's catalogue of services, actions, resource types, "
  "Regions and service condition keys (INVALID_SERVICE, INVALID_SERVICE_CONDITION_KEY for services other than "
  "host:, ARN_ACCOUNT_NOT_ALLOWED, ARN_REGION_NOT_ALLOWED, MISSING_ARN_REGION, the ...UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE "
  "family), and the SCP-only checks (we have no SCPs). UNIQUE_SIDS_RECOMMENDED is never reported: our engine "
  "requires unique Sids in every policy (UNIQUE_SIDS_REQUIRED).\n")
w("## Summary\n")
w("%d checks: %d ERROR, %d SECURITY_WARNING, %d WARNING, %d SUGGESTION; %d use Access Analyzer's codes, %d are ours.\n" % (
    n, len(types["ERROR"]), len(types["SECURITY_WARNING"]), len(types["WARNING"]), len(types["SUGGESTION"]), aws_n, n - aws_n))
w("Each check has a triggering and a clean policy in `tests/vectors/validate/<ISSUE_CODE>/` "
  "(`trigger.json`, `clean.json`, optional `policy-type`, `resource-type` and `trigger.at`), run by CTest as `validate_<ISSUE_CODE>`; "
  "`test_validate` fails if a check lacks its vectors or its entry here.\n")
titles = {"ERROR": "ERROR", "SECURITY_WARNING": "SECURITY_WARNING", "WARNING": "WARNING", "SUGGESTION": "SUGGESTION"}
for typ in checks.TYPES:
    w("## %s\n" % titles[typ])
    for code in types[typ]:
        meaning, example, remark = D[code]
        ours, aws, link, source, why = checks.expected(code)
        w('### %s <a name="%s"></a>\n' % (code, code))
        src = "Access Analyzer ([reference](%s))" % link if aws else "iam-host"
        w("Type: %s. Code from: %s.\n" % (typ, src))
        w(meaning + "\n")
        w("Example that triggers it: `%s`" % example.replace("`", "'") + "\n")
        if why:
            w("Differs from AWS: AWS files it as %s (%s); here it is %s: %s." % (
                aws, source.split(", ", 1)[1], ours, why) + (" " + remark if remark else "") + "\n")
        elif remark:
            w(("Differs from AWS: " if aws else "") + remark + "\n")
text = "\n".join(out)
path = os.path.join(root, "docs/findings.md")
if check_only:
    with open(path, encoding="utf-8") as f:
        if f.read() != text:
            sys.exit("docs/findings.md differs from what doc.py writes; run doc.py")
else:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
if not check_only:
    print(n, {k: len(v) for k, v in types.items()}, aws_n)
