#!/usr/bin/env python3
"""Generate the loader's data-driven cases: tests/vectors/db/<case>/{input.json,error}.

Each case is the valid base database with textual replacements; '@@' in a replacement marks
where the loader must report the error. The expected line and column are computed here from
the marker (1-based, columns in code points), independently of the loader. `error` holds
"LINE:COLUMN: substring-of-message", or "ok". Run from anywhere; rewrites the case dirs."""
import os, shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ACC = "123456789012"
DOC = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "host:Login", "Resource": "*"}]}'
HASH = "$iamb2k$v=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
PWH = "$argon2id$v=19$m=65536,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

BASE = """{
    "FormatVersion": 1,
    "Serial": 7,
    "AccountId": "%(acc)s",
    "Posix": {"NextUid": 200010},
    "Policies": [
        {
            "PolicyName": "HostLogin",
            "PolicyId": "ANPAEXAMPLEHOSTLOGIN1",
            "Arn": "arn:aws:iam::%(acc)s:policy/HostLogin",
            "Path": "/",
            "DefaultVersionId": "v2",
            "AttachmentCount": 1,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": true,
            "CreateDate": "2024-01-02T03:04:05Z",
            "UpdateDate": "2024-02-02T03:04:05Z",
            "PolicyVersionList": [
                {"Document": %(doc)s, "VersionId": "v1", "IsDefaultVersion": false, "CreateDate": "2024-01-02T03:04:05Z"},
                {"Document": %(doc)s, "VersionId": "v2", "IsDefaultVersion": true, "CreateDate": "2024-02-02T03:04:05Z"}
            ]
        },
        {
            "PolicyName": "ReadOnlyAccess",
            "PolicyId": "ANPAEXAMPLEREADONLY01",
            "Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "Path": "/",
            "DefaultVersionId": "v1",
            "IsAttachable": true,
            "PolicyVersionList": [
                {"Document": "%%7B%%22Version%%22%%3A%%222012-10-17%%22%%2C%%22Statement%%22%%3A%%5B%%7B%%22Effect%%22%%3A%%22Allow%%22%%2C%%22Action%%22%%3A%%22host%%3ALogin%%22%%2C%%22Resource%%22%%3A%%22%%2A%%22%%7D%%5D%%7D", "VersionId": "v1", "IsDefaultVersion": true}
            ]
        }
    ],
    "GroupDetailList": [
        {
            "Path": "/",
            "GroupName": "devs",
            "GroupId": "AGPAEXAMPLEDEVS000001",
            "Arn": "arn:aws:iam::%(acc)s:group/devs",
            "CreateDate": "2024-01-02T03:04:05Z",
            "GroupPolicyList": [{"PolicyName": "login", "PolicyDocument": %(doc)s}],
            "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
            "Posix": {"Gid": 200002}
        },
        {
            "Path": "/ops/",
            "GroupName": "ops",
            "GroupId": "AGPAEXAMPLEOPS0000001",
            "Arn": "arn:aws:iam::%(acc)s:group/ops/ops",
            "Posix": {"Gid": 200003}
        }
    ],
    "UserDetailList": [
        {
            "Path": "/",
            "UserName": "alice",
            "UserId": "AIDAEXAMPLEALICE00001",
            "Arn": "arn:aws:iam::%(acc)s:user/alice",
            "CreateDate": "2024-01-02T03:04:05+00:00",
            "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": %(doc)s}],
            "GroupList": ["devs", "ops"],
            "AttachedManagedPolicies": [{"PolicyName": "HostLogin", "PolicyArn": "arn:aws:iam::%(acc)s:policy/HostLogin"}],
            "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
            "Tags": [{"Key": "team", "Value": "web"}],
            "AccessKeys": [{"AccessKeyId": "AKIAAAAAAAAAAAAAAAA2", "Status": "Active", "CreateDate": "2024-01-02T03:04:05Z", "SecretHash": "%(hash)s"}],
            "LoginProfile": {"CreateDate": "2024-01-02T03:04:05Z", "PasswordHash": "%(pwh)s", "PasswordResetRequired": false},
            "SSHPublicKeys": [{"SSHPublicKeyId": "APKAEXAMPLEKEY0000001", "SSHPublicKeyBody": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample", "Status": "Active", "UploadDate": "2024-01-02T03:04:05Z"}],
            "Posix": {"Uid": 200000, "Gid": 200000, "Home": "/home/alice", "Shell": "/bin/bash", "Gecos": "Alice Example"}
        },
        {
            "Path": "/",
            "UserName": "bob",
            "UserId": "AIDAEXAMPLEBOB0000001",
            "Arn": "arn:aws:iam::%(acc)s:user/bob",
            "GroupList": ["devs"],
            "Posix": {"Uid": 200001, "Gid": 200001}
        }
    ],
    "RoleDetailList": [
        {
            "Path": "/",
            "RoleName": "deploy",
            "RoleId": "AROAEXAMPLEDEPLOY0001",
            "Arn": "arn:aws:iam::%(acc)s:role/deploy",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "InstanceProfileList": [],
            "RolePolicyList": [],
            "AttachedManagedPolicies": [],
            "RoleLastUsed": {}
        }
    ]
}
""" % {"acc": ACC, "doc": DOC, "hash": HASH, "pwh": PWH}

BIG = '{"Version": "2012-10-17", "Statement": [' + ", ".join(
    '{"Sid": "S%d", "Effect": "Allow", "Action": "host:Login", "Resource": "arn:aws:ec2:us-east-1:123456789012:instance/i-%017d"}' % (i, i)
    for i in range(30)) + ']}'

# name: (replacements [(old, new, count)], expected message substring or None for ok)
CASES = {
    "ok_base": ([], None),
    "root_not_object": (None, "must be a JSON object"),
    "unknown_root_member": (['"Serial": 7,', '"Serial": 7, @@"Extra": 1,'], 'unknown member "Extra"'),
    "format_version_unsupported": (['"FormatVersion": 1', '"FormatVersion": @@2'], "FormatVersion 2 is not supported"),
    "serial_negative": (['"Serial": 7', '"Serial": @@-1'], "Serial must be a whole number"),
    "account_id_bad": (['"AccountId": "123456789012"', '"AccountId": @@"12345"'], "AccountId must be 12 digits"),
    "missing_next_uid": (['"Posix": {"NextUid": 200010}', '@@"Posix": {}'], None),  # fixed below
    "next_uid_too_low": (['"Posix": {"NextUid": 200010}', '"Posix": @@{"NextUid": 200001}'], "Posix.NextUid 200001 is not above uid 200001"),
    "user_name_bad_char": (['"UserName": "bob"', '"UserName": @@"bob!"', ':user/bob"', ':user/bob!"'], 'user name "bob!" may contain only'),
    "user_name_comma": (['"UserName": "bob"', '"UserName": @@"bo,b"', ':user/bob"', ':user/bo,b"'], "must not contain ','"),
    "user_name_plus": (['"UserName": "bob"', '"UserName": @@"b+ob"', ':user/bob"', ':user/b+ob"'], "must not contain ','"),
    "user_name_equals": (['"UserName": "bob"', '"UserName": @@"b=ob"', ':user/bob"', ':user/b=ob"'], "must not contain ','"),
    "user_name_leading_at": (['"UserName": "bob"', '"UserName": @@"@bob"', ':user/bob"', ':user/@bob"'], "must start with a letter"),
    "user_name_digit_first": (['"UserName": "bob"', '"UserName": @@"1bob"', ':user/bob"', ':user/1bob"'], "must start with a letter"),
    "user_name_too_long": (['"UserName": "bob"', '"UserName": @@"b' + "o" * 32 + '"', ':user/bob"', ':user/b' + "o" * 32 + '"'], "longer than 32"),
    "user_name_iam_too_long": (['"UserName": "bob"', '"UserName": @@"b' + "o" * 64 + '"', ':user/bob"', ':user/b' + "o" * 64 + '"'], "longer than 64"),
    "user_duplicate_ci": (['"UserName": "bob"', '"UserName": @@"ALICE"', ':user/bob"', ':user/ALICE"', '"Uid": 200001, "Gid": 200001', '"Uid": 200004, "Gid": 200004'], 'duplicate user "ALICE"'),
    "user_name_is_group": (['"UserName": "bob"', '"UserName": @@"Devs"', ':user/bob"', ':user/Devs"'], 'has the name of group "devs"'),
    "user_path_bad": (['"Path": "/",\n            "UserName": "bob"', '"Path": @@"/no-trailing",\n            "UserName": "bob"', ':user/bob"', ':user/no-trailingbob"'], 'path "/no-trailing" must begin and end'),
    "user_arn_mismatch": (['"arn:aws:iam::123456789012:user/bob"', '@@"arn:aws:iam::123456789012:user/robert"'], "does not match"),
    "user_arn_account": (['"arn:aws:iam::123456789012:user/bob"', '@@"arn:aws:iam::210987654321:user/bob"'], "does not match"),
    "user_id_short": (['"AIDAEXAMPLEBOB0000001"', '@@"AIDASHORT"'], "must be 16 to 128 characters"),
    "user_id_duplicate": (['"AIDAEXAMPLEBOB0000001"', '@@"AIDAEXAMPLEALICE00001"'], "duplicate id"),
    "user_unknown_member": (['"UserName": "bob",', '"UserName": "bob", @@"Password": "x",'], 'unknown member "Password" in a user'),
    "user_missing_name": (['"UserName": "bob",\n', ''], None),
    "user_wrong_type": (['"GroupList": ["devs"],\n            "Posix"', '"GroupList": @@"devs",\n            "Posix"'], '"GroupList" in user bob must be an array'),
    "group_missing": (['"GroupList": ["devs"],\n            "Posix"', '"GroupList": ["devs", @@"admins"],\n            "Posix"'], 'group "admins", which is not in GroupDetailList'),
    "group_listed_twice": (['"GroupList": ["devs"],\n            "Posix"', '"GroupList": ["devs", @@"DEVS"],\n            "Posix"'], "twice"),
    "too_many_groups": (None, "IAM allows 10"),  # built below
    "attached_policy_missing": (['"PolicyArn": "arn:aws:iam::123456789012:policy/HostLogin"', '"PolicyArn": @@"arn:aws:iam::123456789012:policy/Gone"'], "not in Policies (refusing to drop it"),
    "attached_name_mismatch": (['{"PolicyName": "HostLogin", "PolicyArn"', '{"PolicyName": @@"Other", "PolicyArn"'], 'PolicyName "Other" does not match'),
    "too_many_attached": (None, "IAM allows 10"),
    "boundary_missing": (['"PermissionsBoundaryArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"', '"PermissionsBoundaryArn": @@"arn:aws:iam::aws:policy/Nope"'], "permissions boundary"),
    "boundary_type": (['"PermissionsBoundaryType": "Policy"', '"PermissionsBoundaryType": @@"Role"'], 'must be "Policy"'),
    "tags_duplicate_ci": (['[{"Key": "team", "Value": "web"}]', '[{"Key": "team", "Value": "web"}, {"Key": @@"TEAM", "Value": "x"}]'], "duplicate tag key"),
    "three_access_keys": (None, "IAM allows 2"),
    "access_key_id_bad": (['"AccessKeyId": "AKIAAAAAAAAAAAAAAAA2"', '"AccessKeyId": @@"AKIA0000000000000000"'], "is not AKIA followed by 16"),
    "access_key_status_bad": (['"Status": "Active", "CreateDate": "2024-01-02T03:04:05Z", "SecretHash"', '"Status": @@"Enabled", "CreateDate": "2024-01-02T03:04:05Z", "SecretHash"'], 'Status must be "Active" or "Inactive"'),
    "access_key_hash_unknown": (['"SecretHash": "' + HASH + '"', '"SecretHash": @@"plaintextsecret"'], "SecretHash is not a hash"),
    "access_key_date_bad": (['"Status": "Active", "CreateDate": "2024-01-02T03:04:05Z"', '"Status": "Active", "CreateDate": @@"yesterday"'], "not an ISO 8601 date-time"),
    "password_hash_unknown": (['"PasswordHash": "' + PWH + '"', '"PasswordHash": @@"$6$salt$hash"'], "not an argon2id hash"),
    "ssh_key_body_bad": (['"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample"', '@@"ssh-ed25519 AAAA\\nroot"'], "one line without control characters"),
    "uid_duplicate": (['"Uid": 200001, "Gid": 200001', '"Uid": @@200000, "Gid": 200001'], 'uid 200000 is already user "alice"'),
    "uid_is_group_gid": (['"Uid": 200001, "Gid": 200001', '"Uid": @@200002, "Gid": 200001'], "private group would collide"),
    "uid_root": (['"Uid": 200001', '"Uid": @@0'], "0 is root's"),
    "gid_duplicate": (['"Posix": {"Gid": 200003}', '"Posix": {"Gid": @@200002}'], 'gid 200002 is already group "devs"'),
    "gecos_colon": (['"Gecos": "Alice Example"', '"Gecos": @@"Alice:Example"'], "Gecos must not contain ':'"),
    "gecos_newline": (['"Gecos": "Alice Example"', '"Gecos": @@"Alice\\nroot::0:0::/:/bin/sh"'], "Gecos must not contain newlines"),
    "home_relative": (['"Home": "/home/alice"', '"Home": @@"home/alice"'], "Home must be an absolute path"),
    "shell_comma": (['"Shell": "/bin/bash"', '"Shell": @@"/bin/bash,x"'], "Shell must not contain ','"),
    "missing_posix": (['"GroupList": ["devs"],\n            "Posix": {"Uid": 200001, "Gid": 200001}', '"GroupList": ["devs"]'], None),
    "group_name_bad": (['"GroupName": "ops"', '"GroupName": @@"o:ps"', ':group/ops/ops"', ':group/ops/o:ps"'], 'group name "o:ps" may contain only'),
    "group_duplicate_ci": (['"GroupName": "ops"', '"GroupName": @@"DEVS"', ':group/ops/ops"', ':group/ops/DEVS"'], 'duplicate group "DEVS"'),
    "policy_no_default": (['"VersionId": "v2", "IsDefaultVersion": true', '"VersionId": "v2", "IsDefaultVersion": false', '"PolicyVersionList": [\n                {"Document": {', '"PolicyVersionList": @@[\n                {"Document": {'], "has no default version"),
    "policy_two_defaults": (['"VersionId": "v1", "IsDefaultVersion": false', '"VersionId": "v1", "IsDefaultVersion": true', '"VersionId": "v2", "IsDefaultVersion": true', '"VersionId": "v2", "IsDefaultVersion": @@true'], "more than one default version"),
    "policy_default_id_mismatch": (['"DefaultVersionId": "v2"', '"DefaultVersionId": @@"v1"'], 'DefaultVersionId "v1" is not the version'),
    "policy_version_id_bad": (['"VersionId": "v1", "IsDefaultVersion": false', '"VersionId": @@"1", "IsDefaultVersion": false'], "VersionId must be v1"),
    "policy_six_versions": (None, "IAM allows 5"),
    "policy_arn_mismatch": (['"Arn": "arn:aws:iam::123456789012:policy/HostLogin"', '"Arn": @@"arn:aws:iam::123456789012:policy/Other"', '"arn:aws:iam::123456789012:policy/HostLogin"', '"arn:aws:iam::123456789012:policy/Other"'], "does not match"),
    "policy_name_duplicate_ci": (None, "duplicate policy name"),
    "policy_document_syntax": (None, "Document"),
    "policy_document_semantic": (None, "Document"),
    "policy_document_urlencoded_bad": (['"%7B%22Version', '@@"%ZZ%22Version'], "malformed URL encoding"),
    "policy_document_char": (None, "character IAM does not allow"),
    "policy_document_too_deep": (None, "Document: nesting deeper than 32 levels"),
    "policy_document_multiline": (None, "Statement[1]: Effect must be"),
    "managed_policy_too_big": (None, "IAM allows 6144"),
    "inline_user_too_big": (None, "IAM allows 2048"),
    "inline_duplicate_name": (['[{"PolicyName": "own", "PolicyDocument": ' + DOC + '}]', '[{"PolicyName": "own", "PolicyDocument": ' + DOC + '}, {"PolicyName": @@"OWN", "PolicyDocument": ' + DOC + '}]'], 'duplicate inline policy "OWN"'),
    "inline_name_bad": (['"PolicyName": "own"', '"PolicyName": @@"my policy"'], "inline policy name"),
    "date_bad": (['"CreateDate": "2024-01-02T03:04:05+00:00"', '"CreateDate": @@"2024-13-02T03:04:05+00:00"'], "not an ISO 8601"),
    "role_trust_bad": (['[{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, ', '[@@{"Effect": "Allow", '], "AssumeRolePolicyDocument: "),
    "role_name_duplicate": (None, 'duplicate role "DEPLOY"'),
    "duplicate_json_key": (['"Serial": 7,', '"Serial": 7, @@"Serial": 8,'], "uplicate"),
    "json_syntax": (['"Serial": 7,', '"Serial": 7,@@,'], "expected a member name"),
}

def mk_list(n, fmt):
    return ", ".join(fmt % i for i in range(n))

def special(name):
    doc_pos = BASE.index('{"Document": ' + DOC + ', "VersionId": "v1"') + len('{"Document": ')
    if name == "root_not_object":
        return "@@[]\n"
    if name == "too_many_groups":
        groups = ",\n".join('{"GroupName": "g%d", "GroupId": "AGPAEXAMPLEG%09d", "Arn": "arn:aws:iam::%s:group/g%d", "Posix": {"Gid": %d}}' % (i, i, ACC, i, 300000 + i) for i in range(11))
        t = BASE.replace('"GroupDetailList": [', '"GroupDetailList": [' + groups + ',', 1)
        t = t.replace('"NextUid": 200010', '"NextUid": 300020')
        t = t.replace('"GroupList": ["devs"],\n            "Posix"', '"GroupList": @@[' + ", ".join('"g%d"' % i for i in range(11)) + '],\n            "Posix"')
        return t
    if name == "too_many_attached":
        pols = ",\n".join('{"PolicyName": "P%d", "PolicyId": "ANPAEXAMPLEP%09d", "Arn": "arn:aws:iam::%s:policy/P%d", "PolicyVersionList": [{"Document": %s, "VersionId": "v1", "IsDefaultVersion": true}]}' % (i, i, ACC, i, DOC) for i in range(11))
        t = BASE.replace('"Policies": [', '"Policies": [' + pols + ',', 1)
        return t.replace('"GroupList": ["devs"],\n            "Posix"', '"GroupList": ["devs"],\n            "AttachedManagedPolicies": @@[' + ", ".join('{"PolicyArn": "arn:aws:iam::%s:policy/P%d"}' % (ACC, i) for i in range(11)) + '],\n            "Posix"')
    if name == "three_access_keys":
        keys = ", ".join('{"AccessKeyId": "AKIABBBBBBBBBBBBBBB%d", "Status": "Active", "CreateDate": "2024-01-02T03:04:05Z", "SecretHash": "%s"}' % (i + 2, HASH) for i in range(3))
        return BASE.replace('"GroupList": ["devs"],\n            "Posix"', '"GroupList": ["devs"],\n            "AccessKeys": @@[' + keys + '],\n            "Posix"')
    if name == "policy_six_versions":
        vers = ", ".join('{"Document": %s, "VersionId": "v%d", "IsDefaultVersion": %s}' % (DOC, i + 1, "true" if i == 0 else "false") for i in range(6))
        p = '{"PolicyName": "Six", "PolicyId": "ANPAEXAMPLESIXVERSION", "Arn": "arn:aws:iam::%s:policy/Six", "PolicyVersionList": @@[%s]}' % (ACC, vers)
        return BASE.replace('"Policies": [', '"Policies": [' + p + ',', 1)
    if name == "policy_name_duplicate_ci":
        p = '{"PolicyName": "hostlogin", "PolicyId": "ANPAEXAMPLEDUPLICATE1", "Arn": "arn:aws:iam::%s:policy/x/hostlogin", "Path": "/x/", "PolicyVersionList": [{"Document": %s, "VersionId": "v1", "IsDefaultVersion": true}]}' % (ACC, DOC)
        return BASE.replace('"Policies": [', '"Policies": [' + p + ',', 1).replace('"PolicyName": "HostLogin",\n            "PolicyId"', '"PolicyName": @@"HostLogin",\n            "PolicyId"')
    if name == "policy_document_syntax":
        # a bad Effect inside the JSON-object document: the position is inside the db file
        return BASE[:doc_pos] + BASE[doc_pos:].replace('"Effect": "Allow"', '"Effect": @@"Alow"', 1)
    if name == "policy_document_semantic":
        return BASE[:doc_pos] + BASE[doc_pos:].replace('"Action": "host:Login"', '"Action": "host:Login", @@"Principal": "*"', 1)
    if name == "policy_document_char":
        return BASE[:doc_pos] + BASE[doc_pos:].replace('"Resource": "*"', '"Resource": "@@\u0100"', 1)
    if name == "managed_policy_too_big":
        big = '{"Version": "2012-10-17", "Statement": [' + ", ".join('{"Sid": "S%d", "Effect": "Allow", "Action": "host:Login", "Resource": "arn:aws:ec2:us-east-1:123456789012:instance/i-%017d"}' % (i, i) for i in range(60)) + ']}'
        return BASE[:doc_pos] + "@@" + big + BASE[doc_pos + len(DOC):]
    if name == "inline_user_too_big":
        return BASE.replace('[{"PolicyName": "own", "PolicyDocument": ' + DOC + '}]', '[{"PolicyName": "own", "PolicyDocument": @@' + BIG + '}]')
    if name == "role_name_duplicate":
        r = '{"RoleName": "DEPLOY", "RoleId": "AROAEXAMPLEDEPLOY0002", "Arn": "arn:aws:iam::%s:role/DEPLOY"}' % ACC
        return BASE.replace('"RoleDetailList": [\n        {\n            "Path": "/",\n            "RoleName": "deploy",', '"RoleDetailList": [\n        {\n            "Path": "/",\n            "RoleName": "deploy",', 1).replace('\n    ]\n}\n', ',\n        ' + r.replace('"RoleName": "DEPLOY"', '"RoleName": @@"DEPLOY"') + '\n    ]\n}\n')
    if name == "policy_document_too_deep":
        # the policy engine's 32-level limit, counted from the document's own '{': Document
        # {0} Statement [1] {2} Condition {3} StringEquals {4}, then the arrays from depth 5;
        # the 28th '[' is the first container at depth 32 (and at 37 in the file, under 64)
        deep = "[" * 27 + "@@" + "[" * 3 + '"v"' + "]" * 30
        return BASE[:doc_pos] + BASE[doc_pos:].replace('"Resource": "*"', '"Resource": "*", "Condition": {"StringEquals": {"k": ' + deep + '}}', 1)
    if name == "policy_document_multiline":
        # an error on a later line of a document spread over several lines of the file
        ml = ('{\n        "Version": "2012-10-17",\n        "Statement": [\n'
              '            {"Effect": "Allow", "Action": "host:Login", "Resource": "*"},\n'
              '            {"Effect": @@"allow", "Action": "host:Sudo", "Resource": "*"}\n        ]\n    }')
        return BASE[:doc_pos] + ml + BASE[doc_pos + len(DOC):]
    raise KeyError(name)

def position(text):
    i = text.index("@@")
    before = text[:i]
    line = before.count("\n") + 1
    col = len(before) - (before.rfind("\n") + 1) + 1
    return text.replace("@@", "", 1), line, col

def build(name, spec):
    repl, msg = spec
    if repl is None:
        text = special(name)
    else:
        text = BASE
        for k in range(0, len(repl), 2):
            old, new = repl[k], repl[k + 1]
            if old not in text:
                raise SystemExit("%s: %r not in base" % (name, old[:60]))
            text = text.replace(old, new, 1)
    return text, msg

FIXED = {
    # cases whose position is a whole object (missing member): computed by hand
    "missing_next_uid": ('"Posix": {}', 'the database\'s Posix is missing "NextUid"'),
    "user_missing_name": (None, 'a user is missing "UserName"'),
    "missing_posix": (None, 'user bob is missing "Posix"'),
}

def main():
    for d in os.listdir(HERE):
        if os.path.isdir(os.path.join(HERE, d)):
            shutil.rmtree(os.path.join(HERE, d))
    for name, spec in CASES.items():
        text, msg = build(name, spec)
        if name == "missing_next_uid":
            text = text.replace('@@"Posix": {}', '"Posix": @@{}')
            msg = FIXED[name][1]
        elif name == "user_missing_name":
            # the user object that lost its UserName: point at its '{'
            i = text.index('"UserId": "AIDAEXAMPLEBOB')
            j = text.rfind("{", 0, i)
            text = text[:j] + "@@" + text[j:]
            msg = FIXED[name][1]
        elif name == "missing_posix":
            i = text.index('"UserName": "bob"')
            j = text.rfind("{", 0, i)
            text = text[:j] + "@@" + text[j:]
            msg = FIXED[name][1]
        os.makedirs(os.path.join(HERE, name))
        if msg is None:
            if "@@" in text:
                raise SystemExit(name + ": marker in an ok case")
            err = "ok\n"
        else:
            if "@@" in text:
                text, line, col = position(text)
                err = "%d:%d: %s\n" % (line, col, msg)
            else:
                err = "0:0: %s\n" % msg
        with open(os.path.join(HERE, name, "input.json"), "w", encoding="utf-8") as f:
            f.write(text)
        with open(os.path.join(HERE, name, "error"), "w", encoding="utf-8") as f:
            f.write(err)

main()
