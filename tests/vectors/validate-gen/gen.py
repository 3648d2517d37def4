"""Write tests/vectors/validate/<ISSUE_CODE>/ for every check of the validator.

    python3 tests/vectors/validate-gen/gen.py tests/vectors/validate          # rewrite
    python3 tests/vectors/validate-gen/gen.py tests/vectors/validate --check  # compare only

Each case holds trigger.json (a policy that must produce the finding), clean.json (the same
intent written the right way), optional policy-type and trigger.at, and expected-type: the
finding type from checks.py (AWS's policy check reference, or our docs for HOST_ codes).
"""
import json, os, shutil, sys, tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
target = sys.argv[1]
check_only = "--check" in sys.argv[2:]
out = tempfile.mkdtemp() if check_only else target
if not check_only and os.path.isdir(out):
    shutil.rmtree(out)
V = "2012-10-17"
INST = "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"
ALICE = "arn:aws:iam::123456789012:user/alice"
ROLE = "arn:aws:iam::123456789012:role/app"
def st(**kw):
    d = {}
    for k in ["Sid","Effect","Principal","NotPrincipal","Action","NotAction","Resource","NotResource","Condition"]:
        if k in kw: d[k] = kw[k]
    for k in kw:
        if k not in d: d[k] = kw[k]
    return d
def pol(*stmts, version=V):
    d = {}
    if version is not None: d["Version"] = version
    d["Statement"] = list(stmts)
    return d
def allow(**kw):
    kw.setdefault("Effect","Allow")
    if "NotAction" not in kw: kw.setdefault("Action","host:Login")
    if "NotResource" not in kw: kw.setdefault("Resource","*")
    return st(**kw)
def deny(**kw):
    kw["Effect"]="Deny"; return allow(**kw)
def rallow(**kw):
    kw.setdefault("Principal", {"AWS": ALICE}); return allow(**kw)
BASE = pol(allow())
RBASE = pol(rallow())
def cond(c, **kw): return pol(allow(Condition=c, **kw))
def s3cond(c, **kw):
    kw.setdefault("Action","s3:GetObject"); kw.setdefault("Resource","arn:aws:s3:::bucket/*")
    return pol(allow(Condition=c, **kw))

C = {}
RT = {}  # code -> validatePolicyResourceType (written to resource-type)
def add(code, trig, clean, rtype=None, resource_type=None):
    C[code] = (trig, clean, rtype)
    if resource_type: RT[code] = resource_type
TRUST = "AWS::IAM::AssumeRolePolicyDocument"
def tallow(**kw):
    kw.setdefault("Effect", "Allow"); kw.setdefault("Principal", {"AWS": ALICE})
    kw.setdefault("Action", "sts:AssumeRole"); return st(**kw)

add("JSON_SYNTAX_ERROR", '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "host:Login", "Resource": "*",}\n  ]\n}\n', BASE)
add("HOST_DUPLICATE_KEY", '{\n  "Version": "2012-10-17",\n  "Statement": {\n    "Effect": "Deny",\n    "Action": "host:Sudo",\n    "Resource": "*",\n    "Effect": "Allow"\n  }\n}\n', BASE)
add("MISSING_STATEMENT", {"Version": V}, BASE)
add("INVALID_POLICY_ELEMENT", pol(allow(Condtion={"StringEquals": {"host:Service": "sshd"}})), cond({"StringEquals": {"host:Service": "sshd"}}))
add("DATA_TYPE_MISMATCH", pol(allow(Action={"host": "Login"})), BASE)
add("INVALID_VERSION", pol(allow(), version="2012-10-18"), BASE)
add("MISSING_EFFECT", pol({"Action": "host:Login", "Resource": "*"}), BASE)
add("INVALID_EFFECT", pol(allow(Effect="allow")), BASE)
add("MISSING_ACTION", pol({"Effect": "Allow", "Resource": "*"}), BASE)
add("MISSING_RESOURCE", pol({"Effect": "Allow", "Action": "host:Login"}), BASE)
add("UNSUPPORTED_ELEMENT_COMBINATION", pol(allow(Action="host:Login", NotAction="host:Sudo")), BASE)
add("UNSUPPORTED_PRINCIPAL", pol(allow(Principal={"AWS": ALICE})), BASE)
add("UNSUPPORTED_ACTION_IN_POLICY", pol(tallow(Action=["sts:AssumeRole", "s3:GetObject"])), pol(tallow(Action=["sts:AssumeRole", "sts:TagSession"])), "RESOURCE_POLICY", TRUST)
add("UNSUPPORTED_RESOURCE_ARN_IN_POLICY", pol(tallow(Resource="arn:aws:iam::123456789012:role/deploy")), pol(tallow()), "RESOURCE_POLICY", TRUST)
add("MISSING_PRINCIPAL", pol(allow()), RBASE, "RESOURCE_POLICY")
add("INVALID_PRINCIPAL_FORMAT", pol(allow(Principal="alice")), RBASE, "RESOURCE_POLICY")
add("INVALID_PRINCIPAL_KEY", pol(allow(Principal={"User": ALICE})), RBASE, "RESOURCE_POLICY")
add("UNSUPPORTED_WILDCARD_IN_PRINCIPAL", pol(allow(Principal={"AWS": "arn:aws:iam::123456789012:user/*"})), pol(allow(Principal={"AWS": "*"}, Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/*"}})), "RESOURCE_POLICY")
add("UNSUPPORTED_SID", pol(allow(Sid="allow-login")), pol(allow(Sid="AllowLogin")))
add("UNIQUE_SIDS_REQUIRED", pol(allow(Sid="Login"), allow(Sid="Login", Action="host:Sudo")), pol(allow(Sid="Login"), allow(Sid="Sudo", Action="host:Sudo")))
add("INVALID_ACTION", pol(allow(Action="hostLogin")), BASE)
add("INVALID_SERVICE_IN_ACTION", pol(allow(Action="host_x:Login")), BASE)
add("HOST_UNKNOWN_ACTION", pol(allow(Action=["host:Login", "host:Logon"])), pol(allow(Action=["host:Login", "host:Sudo"])))
add("INVALID_ARN_PREFIX", pol(allow(Resource="ec2:instance/i-0123456789abcdef0")), pol(allow(Resource=INST)))
add("MISSING_ARN_FIELD", pol(allow(Resource="arn:aws:ec2:us-east-1:123456789012")), pol(allow(Resource=INST)))
add("INVALID_PARTITION", pol(allow(Resource="arn:amazon:ec2:us-east-1:123456789012:instance/*")), pol(allow(Resource="arn:aws:ec2:us-east-1:123456789012:instance/*")))
add("INVALID_ARN_SERVICE_CASE", pol(allow(Resource="arn:aws:EC2:us-east-1:123456789012:instance/*")), pol(allow(Resource="arn:aws:ec2:us-east-1:123456789012:instance/*")))
add("INVALID_ARN_REGION", pol(allow(Resource="arn:aws:ec2:useast1:123456789012:instance/*")), pol(allow(Resource="arn:aws:ec2:us-east-1:123456789012:instance/*")))
add("INVALID_ARN_ACCOUNT", pol(allow(Resource="arn:aws:ec2:us-east-1:1234:instance/*")), pol(allow(Resource="arn:aws:ec2:us-east-1:*:instance/*")))
add("INVALID_ARN_RESOURCE", pol(allow(Resource="arn:aws:ec2:us-east-1:123456789012:")), pol(allow(Resource=INST)))
add("INVALID_CONDITION_OPERATOR", cond({"StringEqual": {"host:Service": "sshd"}}), cond({"StringEquals": {"host:Service": "sshd"}}))
add("NULL_WITH_IF_EXISTS", cond({"NullIfExists": {"host:Tty": "false"}}), cond({"Null": {"host:Tty": "false"}}))
add("INVALID_CONDITION_KEY_FORMAT", cond({"StringEquals": {"username": "alice"}}), cond({"StringEquals": {"aws:username": "alice"}}))
add("INVALID_GLOBAL_CONDITION_KEY", cond({"StringEquals": {"aws:UserGroup": "ops"}}), cond({"StringEquals": {"aws:PrincipalTag/group": "ops"}}))
add("UNSUPPORTED_GLOBAL_CONDITION_KEY", cond({"ArnEquals": {"aws:ARN": ALICE}}), cond({"ArnEquals": {"aws:PrincipalArn": ALICE}}))
add("INVALID_SERVICE_CONDITION_KEY", cond({"StringEquals": {"host:Shell": "/bin/bash"}}), cond({"StringEquals": {"host:Service": "sshd"}}))
add("MISSING_TAG_KEY_IN_CONDITION", cond({"StringEquals": {"aws:PrincipalTag": "ops"}}), cond({"StringEquals": {"aws:PrincipalTag/team": "ops"}}))
add("DUPLICATE_KEYS_WITH_DIFFERENT_CASE", cond({"StringEquals": {"aws:username": "alice", "aws:UserName": "bob"}}), cond({"StringEquals": {"aws:username": ["alice", "bob"]}}))
add("INVALID_CONDITION_DATA_TYPE", cond({"StringEquals": {"host:OsUser": ["alice", 1000]}}), cond({"StringEquals": {"host:OsUser": ["alice", "1000"]}}))
add("INVALID_CONDITION_MULTIPLE_BOOLEAN", cond({"Bool": {"aws:MultiFactorAuthPresent": ["true", "false"]}}), cond({"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
add("TYPE_MISMATCH_BOOLEAN", cond({"Bool": {"aws:MultiFactorAuthPresent": "yes"}}), cond({"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
add("TYPE_MISMATCH_DATE", cond({"DateLessThan": {"aws:CurrentTime": "2026-13-01"}}), cond({"DateLessThan": {"aws:CurrentTime": "2026-12-01"}}))
add("TYPE_MISMATCH_IP_RANGE", cond({"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}), cond({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
add("TYPE_MISMATCH_NUMBER", cond({"NumericLessThan": {"aws:EpochTime": "ten"}}), cond({"NumericLessThan": {"aws:EpochTime": "1893456000"}}))
add("TYPE_MISMATCH_STRING", cond({"BinaryEquals": {"host:Command": "not base64!"}}), cond({"BinaryEquals": {"host:Command": "L3Vzci9iaW4vaWQ="}}))
add("INVALID_VARIABLE_FOR_OPERATOR", cond({"NumericLessThan": {"aws:EpochTime": "${aws:EpochTime}"}}), cond({"StringEquals": {"host:OsUser": "${aws:username}"}}))
add("MISSING_BRACE_IN_VARIABLE", cond({"StringEquals": {"host:OsUser": "${aws:username"}}), cond({"StringEquals": {"host:OsUser": "${aws:username}"}}))
add("EMPTY_VARIABLE", cond({"StringEquals": {"host:OsUser": "user-${}"}}), cond({"StringEquals": {"host:OsUser": "user-${aws:username}"}}))
add("UNSUPPORTED_SPACE_IN_VARIABLE", cond({"StringEquals": {"host:OsUser": "${aws: username}"}}), cond({"StringEquals": {"host:OsUser": "${aws:username}"}}))
add("HOST_UNSUPPORTED_SYMBOL_IN_VARIABLE", cond({"StringEquals": {"host:OsUser": "${aws:user#name}"}}), cond({"StringEquals": {"host:OsUser": "${aws:username}"}}))
add("MISSING_QUOTE_IN_VARIABLE", cond({"StringEquals": {"host:OsUser": "${aws:PrincipalTag/osuser, nobody}"}}), cond({"StringEquals": {"host:OsUser": "${aws:PrincipalTag/osuser, 'nobody'}"}}))
add("VARIABLE_UNSUPPORTED_IN_ELEMENT", pol(allow(Action="host:${aws:username}")), BASE)
add("VARIABLE_UNSUPPORTED_IN_VERSION", pol(allow(Condition={"StringEquals": {"host:OsUser": "${aws:username}"}}), version="2008-10-17"), cond({"StringEquals": {"host:OsUser": "${aws:username}"}}))
add("PRIVATE_IP_ADDRESS", s3cond({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}), cond({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}))
add("PRIVATE_NOT_IP_ADDRESS", pol(deny(Action="s3:*", Condition={"NotIpAddress": {"aws:SourceIp": "172.16.0.0/12"}})), pol(deny(Action="s3:*", Condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})))
add("ALLOW_WITH_NOT_PRINCIPAL", pol(allow(NotPrincipal={"AWS": ALICE})), pol(rallow(), deny(NotPrincipal={"AWS": ALICE})), "RESOURCE_POLICY")
add("FORALLVALUES_WITH_SINGLE_VALUED_KEY", cond({"ForAllValues:StringEquals": {"host:Service": ["sshd", "login"]}}), cond({"StringEquals": {"host:Service": ["sshd", "login"]}}))
add("MISSING_PAIRED_CONDITION_KEYS", s3cond({"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}}), s3cond({"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}, "StringEquals": {"aws:SourceVpc": "vpc-0123456789abcdef0"}}))
def sens(prefix, action, star):
    add(prefix+"_STAR_IN_RESOURCE", pol(allow(Action=action)), pol(allow(Action=action, Resource=ROLE)))
    add(prefix+"_STAR_IN_ACTION_AND_RESOURCE", pol(allow(Action=star)), pol(allow(Action=star, Resource=ROLE)))
    add(prefix+"_STAR_IN_RESOURCE_AND_NOT_ACTION", pol(allow(NotAction=["s3:*", "host:*"])), pol(allow(NotAction=["s3:*", "host:*", "iam:*"])))
    add(prefix+"_NOT_RESOURCE", pol(allow(Action=action, Resource=None, NotResource=ROLE)), pol(allow(Action=action, Resource=ROLE)))
    add(prefix+"_STAR_IN_ACTION_AND_NOT_RESOURCE", pol(allow(Action=star, Resource=None, NotResource=ROLE)), pol(allow(Action=star, Resource=ROLE)))
    add(prefix+"_NOT_ACTION_AND_NOT_RESOURCE", pol(allow(NotAction=["s3:*", "host:*"], Resource=None, NotResource=ROLE)), pol(allow(NotAction=["s3:*", "host:*", "iam:*"], Resource=None, NotResource=ROLE)))
sens("PASS_ROLE_WITH", "iam:PassRole", "iam:Pass*")
sens("CREATE_SLR_WITH", "iam:CreateServiceLinkedRole", "iam:Create*")
add("HOST_ALLOW_NOT_ACTION", pol(allow(NotAction=["s3:*", "iam:*"])), pol(allow(NotAction=["s3:*", "iam:*", "host:*"])))
add("HOST_ALLOW_NOT_RESOURCE", pol(allow(Resource=None, NotResource=INST)), pol(allow(Resource=INST)))
add("HOST_EMPTY_NOT_ELEMENT", pol(allow(Action=None, NotAction=[])), BASE)
add("HOST_SUDO_VIA_WILDCARD", pol(allow(Action="host:*")), pol(allow(Action=["host:Login", "host:Sudo"])))
add("HOST_ALLOW_ALL_PRINCIPALS", pol(allow(Principal="*")), pol(allow(Principal="*", Condition={"StringEquals": {"aws:PrincipalTag/team": "ops"}})), "RESOURCE_POLICY")
add("HOST_DENY_NEVER_APPLIES", pol(allow(), deny(Condition={"StringEquals": {"aws:SourceVpc": "vpc-0123456789abcdef0"}})), pol(allow(), deny(Condition={"StringEquals": {"host:Service": "telnet"}})))
add("HOST_DENY_KEY_SOMETIMES_ABSENT", pol(allow(), deny(Condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}), deny(Action="host:Sudo", Condition={"StringLike": {"host:Tty": "pts/*"}})), pol(allow(), deny(Action="host:Sudo", Condition={"StringLikeIfExists": {"host:Tty": "pts/*"}})))
add("HOST_SUDO_SHELL_IN_REACH", cond({"StringLike": {"host:Command": "/usr/bin/*"}}, Action="host:Sudo"), cond({"StringLike": {"host:Command": "/usr/local/sbin/deploy/*"}}, Action="host:Sudo"))
add("HOST_COMMAND_LINE_AS_STRING", pol(allow(Action="host:Sudo"), deny(Action="host:Sudo", Condition={"StringEqualsIfExists": {"host:CommandLine": "/usr/bin/rm -rf /"}})), pol(allow(Action="host:Sudo"), deny(Action="host:Sudo", Condition={"StringEqualsIfExists": {"host:Command": "/usr/bin/rm"}, "ForAnyValue:StringEquals": {"host:CommandArgs": ["-rf", "-fr", "-r", "-R", "--recursive"]}})))
add("MISSING_VERSION", pol(allow(), version=None), BASE)
big = ["arn:aws:ec2:us-east-1:123456789012:instance/i-%017x" % (0x1000 + i) for i in range(110)]
add("POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", pol(allow(Resource=big)), pol(allow(Resource=big[:40])))
add("WILDCARD_WITHOUT_LIKE_OPERATOR", cond({"StringEquals": {"aws:PrincipalTag/team": "ops*"}}), cond({"StringLike": {"aws:PrincipalTag/team": "ops*"}}))
add("TYPE_MISMATCH", cond({"NumericEquals": {"aws:username": "5"}}), cond({"StringEquals": {"aws:username": "alice"}}))
add("INVALID_DATE_VALUE", cond({"DateGreaterThan": {"aws:CurrentTime": "1700000000"}}), cond({"DateGreaterThan": {"aws:CurrentTime": "2023-11-14T22:13:20Z"}}))
add("MISSING_QUALIFIER", s3cond({"StringEquals": {"aws:TagKeys": "team"}}, Action="s3:PutObjectTagging"), s3cond({"ForAllValues:StringEquals": {"aws:TagKeys": "team"}}, Action="s3:PutObjectTagging"))
add("INVALID_ROLE_REFERENCE", pol(rallow(Principal={"AWS": "AROAEXAMPLEID1234567"})), pol(rallow(Principal={"AWS": ROLE})), "RESOURCE_POLICY")
add("INVALID_USER_REFERENCE", pol(rallow(Principal={"AWS": "AIDAEXAMPLEID1234567"})), RBASE, "RESOURCE_POLICY")
add("HOST_CONTEXT_KEY_NEVER_SET", cond({"StringNotEquals": {"aws:SourceVpc": "vpc-0123456789abcdef0"}}), cond({"StringNotEquals": {"host:Service": "telnet"}}))
add("HOST_KEY_NOT_FOR_ACTION", cond({"StringEquals": {"host:RunAsUser": "root"}}), cond({"StringEquals": {"host:RunAsUser": "root"}}, Action="host:Sudo"))
add("HOST_CONDITION_NEVER_TRUE", cond({"StringEquals": {"host:AuthMethod": "kerberos"}, "NumericLessThan": {"aws:EpochTime": "5"}, "NumericGreaterThan": {"aws:EpochTime": "10"}}), cond({"StringEquals": {"host:AuthMethod": "none"}, "NumericLessThan": {"aws:EpochTime": "10"}, "NumericGreaterThan": {"aws:EpochTime": "5"}}))
add("HOST_RESOURCE_NEVER_HOST", pol(allow(Resource="arn:aws:s3:::bucket")), pol(allow(Resource=INST)))
add("HOST_PRINCIPAL_NEVER_ON_HOST", pol(rallow(Principal={"Service": "ec2.amazonaws.com"})), RBASE, "RESOURCE_POLICY")
add("EMPTY_ARRAY_ACTION", pol(allow(), allow(Action=[])), BASE)
add("EMPTY_ARRAY_RESOURCE", pol(allow(), allow(Resource=[])), BASE)
add("EMPTY_ARRAY_PRINCIPAL", pol(rallow(), rallow(Principal={"AWS": []})), RBASE, "RESOURCE_POLICY")
add("EMPTY_OBJECT_PRINCIPAL", pol(rallow(), rallow(Principal={})), RBASE, "RESOURCE_POLICY")
add("EMPTY_OBJECT_CONDITION", pol(allow(Condition={})), BASE)
add("EMPTY_ARRAY_CONDITION", cond({"StringEquals": {"host:Service": []}}), cond({"StringEquals": {"host:Service": ["sshd"]}}))
add("EMPTY_ARRAY_CONDITION_FORALLVALUES", s3cond({"ForAllValues:StringEquals": {"aws:TagKeys": []}}), s3cond({"Null": {"aws:TagKeys": "true"}}))
add("EMPTY_ARRAY_CONDITION_FORANYVALUE", s3cond({"ForAnyValue:StringEquals": {"aws:TagKeys": []}}), s3cond({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}))
add("EMPTY_ARRAY_CONDITION_IFEXISTS", cond({"StringEqualsIfExists": {"host:Tty": []}}), cond({"Null": {"host:Tty": "true"}}))
add("EMPTY_SID_VALUE", pol(allow(Sid="")), pol(allow(Sid="Login")))
add("IMPROVE_IP_RANGE", cond({"IpAddress": {"aws:SourceIp": "203.0.113.5/24"}}), cond({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))
add("NULL_WITH_QUALIFIER", cond({"ForAnyValue:Null": {"host:Tty": "true"}}), cond({"Null": {"host:Tty": "true"}}))
add("PRIVATE_IP_ADDRESS_SUBSET", s3cond({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}), s3cond({"IpAddress": {"aws:SourceIp": ["198.51.100.0/24", "203.0.113.0/24"]}}))
add("PRIVATE_NOT_IP_ADDRESS_SUBSET", pol(deny(Action="s3:*", Condition={"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}})), pol(deny(Action="s3:*", Condition={"NotIpAddress": {"aws:SourceIp": ["198.51.100.0/24", "203.0.113.0/24"]}})))
add("REDUNDANT_ACTION", pol(allow(Action=["host:Login", "host:Log*"])), pol(allow(Action=["host:Log*"])))
add("REDUNDANT_RESOURCE", pol(allow(Resource=[INST, "arn:aws:ec2:us-east-1:123456789012:instance/*"])), pol(allow(Resource=["arn:aws:ec2:us-east-1:123456789012:instance/*"])))
add("REDUNDANT_CONDITION_VALUE_NUM", cond({"NumericLessThan": {"aws:EpochTime": ["1893456000", "1900000000"]}}), cond({"NumericLessThan": {"aws:EpochTime": "1900000000"}}))
add("REDUNDANT_STATEMENT", pol(allow(Sid="A"), allow(Sid="B")), pol(allow(Sid="A"), allow(Sid="B", Action="host:Sudo")))
add("WILDCARD_IN_SERVICE_NAME", pol(allow(Resource="arn:aws:e*:us-east-1:123456789012:instance/*")), pol(allow(Resource="arn:aws:ec2:us-east-1:123456789012:instance/*")))
add("HOST_IFEXISTS_KEY_ALWAYS_PRESENT", cond({"StringEqualsIfExists": {"aws:username": "alice"}}), cond({"StringEquals": {"aws:username": "alice"}}))

def clean_none(o):
    if isinstance(o, dict): return {k: clean_none(v) for k, v in o.items() if v is not None}
    if isinstance(o, list): return [clean_none(v) for v in o]
    return o
for code, (t, c, rt) in C.items():
    d = os.path.join(out, code)
    os.makedirs(d, exist_ok=True)
    for name, p in (("trigger.json", t), ("clean.json", c)):
        with open(os.path.join(d, name), "w") as f:
            f.write(p if isinstance(p, str) else json.dumps(clean_none(p), indent=2) + "\n")
    if rt:
        with open(os.path.join(d, "policy-type"), "w") as f: f.write(rt + "\n")
    if code in RT:
        with open(os.path.join(d, "resource-type"), "w") as f: f.write(RT[code] + "\n")
if not check_only:
    print(len(C))
# Where the finding must start: the first occurrence of the needle in trigger.json.
AT = {
    "HOST_UNKNOWN_ACTION": '"host:Logon"',
    "INVALID_ACTION": '"hostLogin"',
    "INVALID_POLICY_ELEMENT": '"Condtion"',
    "HOST_DUPLICATE_KEY": '"Effect": "Allow"',
    "JSON_SYNTAX_ERROR": '}\n  ]',
    "INVALID_EFFECT": '"allow"',
    "INVALID_VERSION": '"2012-10-18"',
    "TYPE_MISMATCH_IP_RANGE": '"10.0.0.0/33"',
    "MISSING_BRACE_IN_VARIABLE": '${aws:username',
    "UNSUPPORTED_SPACE_IN_VARIABLE": '${aws: username}',
    "INVALID_CONDITION_OPERATOR": '"StringEqual"',
    "UNIQUE_SIDS_REQUIRED": '"Login",\n      "Effect": "Allow",\n      "Action": "host:Sudo"',
    "HOST_SUDO_VIA_WILDCARD": '"host:*"',
    "PRIVATE_IP_ADDRESS": ('"aws:SourceIp": [', 16),
    "REDUNDANT_ACTION": '"host:Login"',
    "UNSUPPORTED_ACTION_IN_POLICY": '"s3:GetObject"',
    "UNSUPPORTED_RESOURCE_ARN_IN_POLICY": '"Resource"',
}
for code, needle in AT.items():
    t = open(os.path.join(out, code, "trigger.json")).read()
    skip = 0
    if isinstance(needle, tuple): needle, skip = needle
    i = t.index(needle) + skip
    line = t.count("\n", 0, i) + 1
    col = i - (t.rfind("\n", 0, i) + 1)
    with open(os.path.join(out, code, "trigger.at"), "w") as f:
        f.write("%d:%d\n" % (line, col))
d = os.path.join(out, "HOST_POLICY_REJECTED"); os.makedirs(d, exist_ok=True)
body = json.dumps(BASE, indent=2)
with open(os.path.join(d, "trigger.json"), "w") as f:
    f.write(body[:-1] + " " * (132 * 1024) + "}\n")
with open(os.path.join(d, "clean.json"), "w") as f:
    f.write(json.dumps(BASE, indent=2) + "\n")

# The expected finding type of every check, from checks.py (not from the C catalogue).
assert sorted(os.listdir(out)) == sorted(checks.all_codes()), \
    set(os.listdir(out)) ^ set(checks.all_codes())
for code in checks.all_codes():
    typ, aws, link, source, why = checks.expected(code)
    with open(os.path.join(out, code, "expected-type"), "w") as f:
        f.write("type: %s\n" % typ)
        if aws:
            f.write("aws-type: %s\n" % aws)
        f.write("link: %s\n" % link)
        f.write("source: %s\n" % source)
        if why:
            f.write("differs: %s\n" % why)

if check_only:
    bad = []
    for code in sorted(set(os.listdir(out)) | set(os.listdir(target))):
        a, b = os.path.join(out, code), os.path.join(target, code)
        fa = sorted(os.listdir(a)) if os.path.isdir(a) else []
        fb = sorted(os.listdir(b)) if os.path.isdir(b) else []
        if fa != fb:
            bad.append("%s: files %s vs committed %s" % (code, fa, fb))
            continue
        for name in fa:
            with open(os.path.join(a, name), "rb") as x, open(os.path.join(b, name), "rb") as y:
                if x.read() != y.read():
                    bad.append("%s/%s differs from what gen.py writes" % (code, name))
    shutil.rmtree(out)
    if bad:
        sys.exit("\n".join(bad + ["run: python3 tests/vectors/validate-gen/gen.py "
                                   "tests/vectors/validate"]))
