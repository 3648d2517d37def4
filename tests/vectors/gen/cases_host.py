"""Host-flavoured cases: host:Login and host:Sudo on the host's instance ARN, with the keys a
host supplies (docs/architecture.md, "Actions and context keys")."""

from corpus import (ALICE, HOST, OTHER_HOST, P_EVAL, P_OPS, P_VARS, P_MULTI, ctx, policy, stmt)

HRULE = ("Host use of the documented language (docs/architecture.md, 'Actions and context keys': "
         "host:Login/host:Sudo on the host ARN); ")


def generate(c):
    svc = lambda v: ctx("host:Service", "string", v)
    ip = lambda v: ctx("aws:SourceIp", "ip", v)
    ptag = lambda k, v: ctx("aws:PrincipalTag/" + k, "string", v)
    rtag = lambda k, v: ctx("aws:ResourceTag/" + k, "string", v)
    login = policy(stmt(sid="SshFromOffice", action="host:Login", resource=HOST,
                        cond={"StringEquals": {"host:Service": "sshd"},
                              "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}))
    r = HRULE + P_OPS + " (keys and operators ANDed, values ORed): ssh from the office ranges"
    c.one("host.ssh-office-v4", r + "; IPv4 source inside.", login, "host:Login", "allowed",
          resource=HOST, context=[svc("sshd"), ip("203.0.113.50")])
    c.one("host.ssh-office-v6", r + "; IPv6 source inside.", login, "host:Login", "allowed",
          resource=HOST, context=[svc("sshd"), ip("2001:db8:1::50")])
    c.one("host.ssh-outside", r + "; source outside both ranges.", login, "host:Login",
          "implicitDeny", resource=HOST, context=[svc("sshd"), ip("192.0.2.50")])
    c.one("host.ssh-wrong-service", r + "; the PAM service is 'login', not 'sshd'.", login,
          "host:Login", "implicitDeny", resource=HOST, context=[svc("login"), ip("203.0.113.5")])
    c.one("host.ssh-no-sourceip", r + "; console login has no aws:SourceIp, so IpAddress is "
          "false.", login, "host:Login", "implicitDeny", resource=HOST, context=[svc("sshd")])
    c.one("host.ssh-other-host", r + "; the statement names this host only.", login,
          "host:Login", "implicitDeny", resource=OTHER_HOST, context=[svc("sshd"),
                                                                     ip("203.0.113.5")])
    deny_out = policy(stmt(action="host:*", resource="*"),
                      stmt(effect="Deny", action="host:*", resource="*",
                           cond={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))
    r = HRULE + P_OPS + ": Deny host:* from outside the office with NotIpAddress"
    c.one("host.deny-outside-office", r + "; source outside: explicit deny.", deny_out,
          "host:Sudo", "explicitDeny", resource=HOST, context=[ip("198.51.100.1")])
    c.one("host.deny-outside-office-inside", r + "; source inside: allowed.", deny_out,
          "host:Sudo", "allowed", resource=HOST, context=[ip("203.0.113.1")])
    c.one("host.deny-outside-office-no-ip", r + "; no aws:SourceIp (local console): a negated "
          "operator is true on a missing key, so the Deny applies.", deny_out, "host:Login",
          "explicitDeny", resource=HOST)
    env = policy(stmt(action=["host:Login", "host:Sudo"],
                      resource="arn:aws:ec2:*:123456789012:instance/*",
                      cond={"StringEquals": {"aws:ResourceTag/env": "${aws:PrincipalTag/env}"}}))
    r = HRULE + P_VARS + ": aws:ResourceTag/env must equal ${aws:PrincipalTag/env}"
    c.one("host.env-match-login", r + "; both 'prod'.", env, "host:Login", "allowed",
          resource=HOST, context=[ptag("env", "prod"), rtag("env", "prod")])
    c.one("host.env-match-sudo", r + "; both 'staging', host:Sudo.", env, "host:Sudo",
          "allowed", resource=HOST, context=[ptag("env", "staging"), rtag("env", "staging")])
    c.one("host.env-mismatch", r + "; 'dev' user on a 'prod' host.", env, "host:Login",
          "implicitDeny", resource=HOST, context=[ptag("env", "dev"), rtag("env", "prod")])
    c.one("host.env-case", r + "; StringEquals is case-sensitive: 'Prod' is not 'prod'.", env,
          "host:Login", "implicitDeny", resource=HOST,
          context=[ptag("env", "Prod"), rtag("env", "prod")])
    c.one("host.env-untagged-user", r + "; the user has no env tag.", env, "host:Login",
          "implicitDeny", resource=HOST, context=[rtag("env", "prod")])
    sudo = policy(stmt(sid="Login", action="host:Login", resource=HOST),
                  stmt(sid="SudoForAdmins", action="host:Sudo", resource=HOST,
                       cond={"StringEquals": {"aws:PrincipalTag/role": "admin"},
                             "Bool": {"aws:MultiFactorAuthPresent": "true"}}),
                  stmt(sid="NeverRootShell", effect="Deny", action="host:Sudo", resource=HOST,
                       cond={"StringEquals": {"host:RunAsUser": "root"},
                             "StringLike": {"host:Command": ["/bin/*sh", "/usr/bin/*sh"]}}))
    r = HRULE + P_EVAL + ": sudo for admins with MFA, never a root shell"
    mfa = lambda v: ctx("aws:MultiFactorAuthPresent", "boolean", v)
    ru = lambda v: ctx("host:RunAsUser", "string", v)
    cm = lambda v: ctx("host:Command", "string", v)
    c.one("host.sudo-admin-mfa", r + "; admin with MFA runs systemctl as root: allowed.", sudo,
          "host:Sudo", "allowed", resource=HOST,
          context=[ptag("role", "admin"), mfa("true"), ru("root"), cm("/usr/bin/systemctl")])
    c.one("host.sudo-admin-no-mfa", r + "; admin without MFA.", sudo, "host:Sudo",
          "implicitDeny", resource=HOST,
          context=[ptag("role", "admin"), mfa("false"), ru("root"), cm("/usr/bin/systemctl")])
    c.one("host.sudo-admin-root-shell", r + "; admin asks for /bin/bash as root: explicit deny.",
          sudo, "host:Sudo", "explicitDeny", resource=HOST,
          context=[ptag("role", "admin"), mfa("true"), ru("root"), cm("/bin/bash")])
    c.one("host.sudo-admin-shell-as-other", r + "; a shell as another user is not the denied "
          "combination (keys ANDed).", sudo, "host:Sudo", "allowed", resource=HOST,
          context=[ptag("role", "admin"), mfa("true"), ru("www-data"), cm("/bin/bash")])
    c.one("host.sudo-dev", r + "; a developer (role dev).", sudo, "host:Sudo", "implicitDeny",
          resource=HOST, context=[ptag("role", "dev"), mfa("true"), ru("root"),
                                  cm("/usr/bin/systemctl")])
    c.one("host.sudo-login-still-fine", r + "; the same user may log in.", sudo, "host:Login",
          "allowed", resource=HOST, context=[ptag("role", "dev")])
    am = policy(stmt(action="host:Login", resource=HOST,
                     cond={"StringEquals": {"host:AuthMethod": ["publickey", "accesskey"]}}),
                stmt(effect="Deny", action="host:Login", resource=HOST,
                     cond={"StringEquals": {"host:AuthMethod": "password"},
                           "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))
    r = HRULE + P_OPS + ": keys allowed; passwords denied unless MFA is known to be present"
    c.one("host.authmethod-publickey", r + "; publickey.", am, "host:Login", "allowed",
          resource=HOST, context=[ctx("host:AuthMethod", "string", "publickey")])
    c.one("host.authmethod-password-no-mfa-key", r + "; password with no MFA key: "
          "BoolIfExists is true on a missing key, so the Deny applies.", am, "host:Login",
          "explicitDeny", resource=HOST, context=[ctx("host:AuthMethod", "string", "password")])
    c.one("host.authmethod-password-mfa", r + "; password with MFA present: the Deny does not "
          "apply, but nothing allows passwords (implicit deny).", am, "host:Login",
          "implicitDeny", resource=HOST,
          context=[ctx("host:AuthMethod", "string", "password"), mfa("true")])
    tags = policy(stmt(action="host:Login", resource=HOST,
                       cond={"ForAllValues:StringEquals": {"aws:PrincipalTag/teams":
                                                           ["ops", "sre"]}}))
    c.one("host.login-tty-like", HRULE + P_OPS + ": StringLike host:Tty 'pts/*' allows remote "
          "terminals only.",
          policy(stmt(action="host:Login", resource=HOST,
                      cond={"StringLike": {"host:Tty": "pts/*"}})),
          "host:Login", "implicitDeny", resource=HOST, context=[ctx("host:Tty", "string",
                                                                     "tty1")])
    c.one("host.login-osuser-matches-username", HRULE + P_VARS + ": host:OsUser must equal "
          "${aws:username}.",
          policy(stmt(action="host:Login", resource=HOST,
                      cond={"StringEquals": {"host:OsUser": "${aws:username}"}})),
          "host:Login", "allowed", resource=HOST,
          context=[ctx("host:OsUser", "string", "alice"), ctx("aws:username", "string",
                                                              "alice")])
    c.one("host.login-osuser-other-account", HRULE + P_VARS + ": host:OsUser 'root' is not "
          "${aws:username}='alice'.",
          policy(stmt(action="host:Login", resource=HOST,
                      cond={"StringEquals": {"host:OsUser": "${aws:username}"}})),
          "host:Login", "implicitDeny", resource=HOST,
          context=[ctx("host:OsUser", "string", "root"), ctx("aws:username", "string",
                                                             "alice")])
    c.one("host.principalarn-like", HRULE + P_OPS + ": ArnLike on aws:PrincipalArn for the "
          "ops path.",
          policy(stmt(action="host:Login", resource=HOST,
                      cond={"ArnLike": {"aws:PrincipalArn":
                                        "arn:aws:iam::123456789012:user/ops/*"}})),
          "host:Login", "allowed", resource=HOST,
          context=[ctx("aws:PrincipalArn", "string", "arn:aws:iam::123456789012:user/ops/alice")])
    c.one("host.business-hours-epoch", HRULE + P_OPS + ": a maintenance window on "
          "aws:EpochTime (epoch values).",
          policy(stmt(action="host:Sudo", resource=HOST,
                      cond={"DateGreaterThanEquals": {"aws:EpochTime": "1767225600"},
                            "DateLessThan": {"aws:EpochTime": "1767312000"}})),
          "host:Sudo", "allowed", resource=HOST,
          context=[ctx("aws:EpochTime", "date", "1767250000")])
    c.one("host.teams-allvalues", HRULE + P_MULTI + ": ForAllValues on a principal tag list.",
          tags, "host:Login", "allowed", resource=HOST,
          context=[ctx("aws:PrincipalTag/teams", "stringList", "ops")])
    c.one("host.notaction-everything-but-sudo", HRULE + "IAM User Guide, 'IAM JSON policy "
          "elements: NotAction': allow every host action except sudo.",
          policy(stmt(action=None, not_action="host:Sudo", resource=HOST)), "host:Sudo",
          "implicitDeny", resource=HOST)
    c.one("host.resource-policy-for-alice", HRULE + P_EVAL + ": the host's resource policy "
          "lets alice log in.", policy(stmt(action="ec2:DescribeInstances")), "host:Login",
          "allowed", resource=HOST, caller=ALICE,
          resource_policy=policy(stmt(principal={"AWS": ALICE}, action="host:Login",
                                      resource=HOST)))
