/* SPDX-License-Identifier: Apache-2.0 */
/* CloudTrail-shaped audit records, built with jansson, appended one line per decision. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "iam/audit.h"

const char *iam_audit_event_name(enum iam_audit_event event) {
    switch (event) {
    case IAM_AUDIT_AUTHENTICATE:
        return "Authenticate";
    case IAM_AUDIT_LOGIN:
        return "Login";
    case IAM_AUDIT_SUDO:
        return "Sudo";
    case IAM_AUDIT_SESSION_OPEN:
        return "SessionOpen";
    case IAM_AUDIT_SESSION_CLOSE:
        return "SessionClose";
    case IAM_AUDIT_SUDO_COMMAND:
        return "SudoCommand";
    case IAM_AUDIT_LOCKOUT:
        return "Lockout";
    case IAM_AUDIT_ASSUME_ROLE:
        return "AssumeRole";
    case IAM_AUDIT_PULL_BUNDLE:
        return "PullBundle";
    }
    return "Unknown";
}

void iam_uuid4(char out[IAM_UUID_STR_LEN + 1]) {
    static const char hex[] = "0123456789abcdef";
    uint8_t b[16];
    size_t o = 0;

    randombytes_buf(b, sizeof(b));
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    for (size_t i = 0; i < sizeof(b); i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0x0f];
    }
    out[o] = '\0';
}

/* A JSON string from an untrusted C string: capped at max bytes, printable ASCII only. */
static json_t *safe_string_n(const char *s, size_t max) {
    char buf[IAM_AUDIT_MAX_COMMAND_LINE + 1];
    size_t n = 0;

    if (max > IAM_AUDIT_MAX_COMMAND_LINE)
        max = IAM_AUDIT_MAX_COMMAND_LINE;
    for (; s[n] && n < max; n++) {
        unsigned char ch = (unsigned char)s[n];

        buf[n] = (ch < 0x20 || ch >= 0x7f) ? '?' : (char)ch;
    }
    buf[n] = '\0';
    /* printable ASCII is valid UTF-8: jansson need not check it again */
    return json_stringn_nocheck(buf, n);
}

static json_t *safe_string(const char *s) {
    return safe_string_n(s, IAM_AUDIT_MAX_FIELD);
}

/* The record as one line of compact JSON, malloc'd. A record nearly always fits a small
 * buffer: dumped there and copied once, rather than grown step by step by json_dumps(). */
static char *dump_line(const json_t *root) {
    char buf[2048], *line;
    size_t n = json_dumpb(root, buf, sizeof(buf), JSON_COMPACT | JSON_PRESERVE_ORDER);

    if (n == 0 || n >= sizeof(buf))
        return json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    line = malloc(n + 1);
    if (!line)
        return NULL;
    memcpy(line, buf, n);
    line[n] = '\0';
    return line;
}

/* Set key to a safe string, or to JSON null when s is NULL and null_if_missing is set. */
static int set_str(json_t *obj, const char *key, const char *s, bool null_if_missing) {
    json_t *v;

    if (!s && !null_if_missing)
        return 0;
    v = s ? safe_string(s) : json_null();
    if (!v || json_object_set_new(obj, key, v) < 0)
        return -ENOMEM;
    return 0;
}

/* The sudo command's fields: requestParameters.command, commandLine, runAsUser,
 * runAsGroup. */
int iam_assumed_role_arn(const char *role_arn, const char *session, char *out, size_t size) {
    const char *p = role_arn, *fields[5], *name;
    int n;

    /* arn:<partition>:iam::<account>:role/<path...>/<name> */
    for (int i = 0; i < 5; i++) {
        if (!p || !(p = strchr(p, ':')))
            return -EINVAL;
        fields[i] = ++p;
    }
    if (!role_arn || !session || !*session || strncmp(role_arn, "arn:", 4) != 0 ||
        strncmp(fields[1], "iam::", 5) != 0 || strncmp(fields[4], "role/", 5) != 0)
        return -EINVAL;
    name = strrchr(fields[4], '/') + 1;
    if (!*name)
        return -EINVAL;
    n = snprintf(out, size, "arn:%.*s:sts::%.*s:assumed-role/%s/%s",
                 (int)(fields[1] - fields[0] - 1), fields[0],
                 (int)(fields[4] - fields[3] - 1), fields[3], name, session);
    return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

/* userIdentity of a role session, as CloudTrail shows one. */
static int assumed_role_identity(json_t *ident, const struct iam_audit_record *rec) {
    char arn[512], pid[256], created[32];
    json_t *ctx = json_object(), *issuer = json_object(), *attrs = json_object();
    struct tm tm;
    int r = -ENOMEM;

    if (!ctx || !issuer || !attrs)
        goto out;
    if (iam_assumed_role_arn(rec->arn, rec->session_name, arn, sizeof(arn)) < 0)
        snprintf(arn, sizeof(arn), "%s", rec->arn ? rec->arn : "");
    snprintf(pid, sizeof(pid), "%s:%s", rec->principal_id ? rec->principal_id : "",
             rec->session_name);
    if (!rec->session_created || !gmtime_r(&rec->session_created, &tm) ||
        strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        created[0] = 0;
    if (set_str(ident, "type", "AssumedRole", false) < 0 ||
        set_str(ident, "principalId", pid, false) < 0 || set_str(ident, "arn", arn, false) < 0 ||
        set_str(ident, "accountId", rec->account_id, false) < 0 ||
        set_str(issuer, "type", "Role", false) < 0 ||
        set_str(issuer, "principalId", rec->principal_id, false) < 0 ||
        set_str(issuer, "arn", rec->arn, false) < 0 ||
        set_str(issuer, "accountId", rec->account_id, false) < 0 ||
        set_str(issuer, "userName", rec->user_name, false) < 0 ||
        set_str(attrs, "creationDate", created[0] ? created : NULL, false) < 0 ||
        set_str(attrs, "mfaAuthenticated", "false", false) < 0 ||
        json_object_set(ctx, "sessionIssuer", issuer) < 0 ||
        json_object_set(ctx, "attributes", attrs) < 0 ||
        set_str(ctx, "sourceIdentity", rec->source_identity, false) < 0 ||
        json_object_set(ident, "sessionContext", ctx) < 0)
        goto out;
    r = 0;
out:
    json_decref(ctx);
    json_decref(issuer);
    json_decref(attrs);
    return r;
}

/* AssumeRole's responseElements: the session it made. */
static int assume_role_response(json_t *root, const struct iam_audit_record *rec) {
    char arn[512], id[256];
    json_t *resp = json_object(), *user = json_object();
    int r = -ENOMEM;

    if (!resp || !user)
        goto out;
    if (iam_assumed_role_arn(rec->role_arn, rec->role_session_name, arn, sizeof(arn)) < 0) {
        r = 0; /* nothing to say of a session that could not be named */
        goto out;
    }
    snprintf(id, sizeof(id), "%s:%s", rec->role_id ? rec->role_id : "", rec->role_session_name);
    if (set_str(user, "assumedRoleId", id, false) < 0 || set_str(user, "arn", arn, false) < 0 ||
        json_object_set(resp, "assumedRoleUser", user) < 0 ||
        set_str(resp, "sourceIdentity", rec->role_source_identity, false) < 0 ||
        json_object_set(root, "responseElements", resp) < 0)
        goto out;
    r = 0;
out:
    json_decref(resp);
    json_decref(user);
    return r;
}

static int set_command(json_t *req, json_t *add, const struct iam_audit_record *rec) {
    json_t *v;

    if (set_str(req, "command", rec->command, false) < 0)
        return -ENOMEM;
    if (rec->command_line) {
        v = safe_string_n(rec->command_line, IAM_AUDIT_MAX_COMMAND_LINE);
        if (!v || json_object_set_new(req, "commandLine", v) < 0)
            return -ENOMEM;
        if (strnlen(rec->command_line, IAM_AUDIT_MAX_COMMAND_LINE + 1) >
                IAM_AUDIT_MAX_COMMAND_LINE &&
            json_object_set_new(add, "commandLineTruncated", json_true()) < 0)
            return -ENOMEM;
    }
    if (set_str(req, "runAsUser", rec->run_as_user, false) < 0 ||
        set_str(req, "runAsGroup", rec->run_as_group, false) < 0)
        return -ENOMEM;
    return 0;
}

int iam_audit_format(const struct iam_audit_record *rec, char **ret_line) {
    json_t *root = NULL, *ident = NULL, *req = NULL, *add = NULL;
    char when[32], uuid[IAM_UUID_STR_LEN + 1];
    struct tm tm;
    time_t t;
    char *line = NULL;
    int r = -EINVAL;

    if (!rec || !ret_line)
        goto out;
    if (sodium_init() < 0) {
        r = -ENOTSUP;
        goto out;
    }
    t = rec->time ? rec->time : time(NULL);
    if (!gmtime_r(&t, &tm) || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        goto out;
    iam_uuid4(uuid);

    r = -ENOMEM;
    root = json_object();
    ident = json_object();
    req = json_object();
    add = json_object();
    if (!root || !ident || !req || !add)
        goto out;

    if (set_str(root, "eventVersion", "1.08", false) < 0 ||
        set_str(root, "eventTime", when, false) < 0 ||
        set_str(root, "eventSource", rec->event_source ? rec->event_source : "pam_iam",
                false) < 0 ||
        set_str(root, "eventName", iam_audit_event_name(rec->event), false) < 0)
        goto out;

    if (rec->session_name) {
        if (assumed_role_identity(ident, rec) < 0)
            goto out;
    } else if (set_str(ident, "type", rec->is_iam_user ? "IAMUser" : "Unknown", false) < 0 ||
               set_str(ident, "principalId", rec->principal_id, false) < 0 ||
               set_str(ident, "arn", rec->arn, false) < 0 ||
               set_str(ident, "accountId", rec->account_id, false) < 0 ||
               set_str(ident, "userName", rec->user_name, false) < 0 ||
               set_str(ident, "accessKeyId", rec->access_key_id, false) < 0) {
        goto out;
    }
    if (json_object_set(root, "userIdentity", ident) < 0)
        goto out;

    if (set_str(root, "sourceIPAddress", rec->source_ip, true) < 0 ||
        set_str(root, "userAgent", rec->user_agent, true) < 0 ||
        set_str(root, "errorCode", rec->error_code, false) < 0 ||
        set_str(root, "errorMessage", rec->error_message, false) < 0)
        goto out;

    if (set_str(req, "hostArn", rec->host_arn, false) < 0 ||
        set_str(req, "action", rec->action, false) < 0 ||
        set_str(req, "service", rec->service, false) < 0 ||
        set_str(req, "tty", rec->tty, false) < 0 ||
        set_str(req, "osUser", rec->os_user, false) < 0 || set_command(req, add, rec) < 0 ||
        set_str(req, "roleArn", rec->role_arn, false) < 0 ||
        set_str(req, "roleSessionName", rec->role_session_name, false) < 0 ||
        set_str(req, "sourceIdentity", rec->role_source_identity, false) < 0 ||
        set_str(req, "bundleUrl", rec->bundle_url, false) < 0)
        goto out;
    if (json_object_set(root, "requestParameters", req) < 0)
        goto out;
    if (rec->event == IAM_AUDIT_ASSUME_ROLE && !rec->error_code && assume_role_response(root, rec) < 0)
        goto out;

    if (set_str(add, "authMethod", rec->auth_method, false) < 0 ||
        set_str(add, "sshPublicKeyId", rec->ssh_public_key_id, false) < 0 ||
        set_str(add, "decision", rec->decision, false) < 0 ||
        set_str(add, "decidingPolicy", rec->deciding_policy, false) < 0 ||
        set_str(add, "decidingStatement", rec->deciding_statement, false) < 0 ||
        json_object_set_new(add, "enforced", json_boolean(rec->enforced)) < 0 ||
        (rec->bundle_serial &&
         json_object_set_new(add, "serial", json_integer((json_int_t)rec->bundle_serial)) < 0) ||
        (rec->installed_serial &&
         json_object_set_new(add, "installedSerial",
                             json_integer((json_int_t)rec->installed_serial)) < 0))
        goto out;
    if (json_object_set(root, "additionalEventData", add) < 0)
        goto out;

    if (set_str(root, "eventID", uuid, false) < 0 ||
        set_str(root, "eventType",
                rec->event == IAM_AUDIT_PULL_BUNDLE ? "AwsServiceEvent" : "AwsConsoleSignIn",
                false) < 0 ||
        set_str(root, "recipientAccountId", rec->account_id, false) < 0)
        goto out;

    line = dump_line(root);
    if (!line)
        goto out;
    if (strlen(line) > IAM_AUDIT_MAX_LINE) {
        r = -E2BIG;
        goto out;
    }
    *ret_line = line;
    line = NULL;
    r = 0;
out:
    free(line);
    json_decref(add);
    json_decref(req);
    json_decref(ident);
    json_decref(root);
    return r;
}

static bool owner_ok(const struct stat *st) {
    return st->st_uid == 0 || st->st_uid == geteuid();
}

struct iam_audit_log {
    int fd;
    dev_t dev;
    ino_t ino;
    char *path;
};

void iam_audit_log_close(struct iam_audit_log *log) {
    if (!log)
        return;
    if (log->fd >= 0)
        close(log->fd);
    free(log->path);
    free(log);
}

/* The log file as it may be: a regular file owned by root or us, closed to group and other
 * writes. */
static bool log_stat_ok(const struct stat *st) {
    return S_ISREG(st->st_mode) && owner_ok(st) && !(st->st_mode & 0022);
}

int iam_audit_log_open(const char *path, struct iam_audit_log **ret_log, struct iam_error *reterr) {
    struct iam_audit_log *log = NULL;
    char *dir = NULL, *slash;
    const char *base;
    struct stat st;
    int dfd = -1, r = -EINVAL;

    if (!path || !ret_log || path[0] != '/')
        goto out;
    iam_error_set_source(reterr, path);
    r = -ENOMEM;
    log = calloc(1, sizeof(*log));
    dir = strdup(path);
    if (!log || !dir || !(log->path = strdup(path)))
        goto out;
    log->fd = -1;
    slash = strrchr(dir, '/');
    base = path + (slash - dir) + 1;
    if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if (!*base) {
        r = -EINVAL;
        iam_error_set(reterr, 0, 0, 0, "not a file name");
        goto out;
    }

    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 && errno == ENOENT) {
        if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
            r = -errno;
            iam_error_set(reterr, 0, 0, 0, "cannot create directory %s: %s", dir,
                          strerror(errno));
            goto out;
        }
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (dfd < 0) {
        r = errno == ELOOP || errno == ENOTDIR ? -EACCES : -errno;
        iam_error_set(reterr, 0, 0, 0, "directory %s: %s", dir, strerror(errno));
        goto out;
    }
    if (fstat(dfd, &st) < 0 || !owner_ok(&st) || (st.st_mode & 0022)) {
        r = -EACCES;
        iam_error_set(reterr, 0, 0, 0, "unsafe directory %s (must be owned by root, not "
                      "writable by group or others)", dir);
        goto out;
    }
    log->fd = openat(dfd, base, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
                     0600);
    if (log->fd < 0) {
        r = errno == ELOOP ? -EACCES : -errno;
        iam_error_set(reterr, 0, 0, 0, "%s", strerror(errno));
        goto out;
    }
    if (fstat(log->fd, &st) < 0 || !log_stat_ok(&st)) {
        r = -EACCES;
        iam_error_set(reterr, 0, 0, 0, "unsafe audit log (must be a regular file owned by "
                      "root, not writable by group or others)");
        goto out;
    }
    log->dev = st.st_dev;
    log->ino = st.st_ino;
    *ret_log = log;
    log = NULL;
    r = 0;
out:
    if (dfd >= 0)
        close(dfd);
    free(dir);
    iam_audit_log_close(log);
    return r;
}

bool iam_audit_log_is(const struct iam_audit_log *log, const char *path) {
    struct stat st;

    return log && path && strcmp(log->path, path) == 0 && lstat(path, &st) == 0 &&
           log_stat_ok(&st) && st.st_dev == log->dev && st.st_ino == log->ino;
}

int iam_audit_log_write(struct iam_audit_log *log, const char *line, struct iam_error *reterr) {
    char *out_line = NULL;
    size_t len;
    int r = -EINVAL;

    if (!log || !line)
        goto out;
    iam_error_set_source(reterr, log->path);
    len = strlen(line);
    if (len > IAM_AUDIT_MAX_LINE || memchr(line, '\n', len)) {
        iam_error_set(reterr, 0, 0, 0, "record is not one line or too long");
        goto out;
    }
    r = -ENOMEM;
    out_line = malloc(len + 2);
    if (!out_line)
        goto out;
    memcpy(out_line, line, len);
    out_line[len] = '\n';
    out_line[len + 1] = '\0';
    for (;;) {
        ssize_t n = write(log->fd, out_line, len + 1);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = -errno;
            iam_error_set(reterr, 0, 0, 0, "write: %s", strerror(errno));
            goto out;
        }
        if ((size_t)n != len + 1) {
            r = -EIO;
            iam_error_set(reterr, 0, 0, 0, "short write");
            goto out;
        }
        break;
    }
    r = 0;
out:
    free(out_line);
    return r;
}

int iam_audit_append(const char *path, const char *line, struct iam_error *reterr) {
    struct iam_audit_log *log = NULL;
    size_t len;
    int r = -EINVAL;

    if (!path || !line || path[0] != '/')
        return r;
    /* a record that cannot be written is refused before the log is opened (or created) */
    len = strlen(line);
    if (len > IAM_AUDIT_MAX_LINE || memchr(line, '\n', len)) {
        iam_error_set_source(reterr, path);
        iam_error_set(reterr, 0, 0, 0, "record is not one line or too long");
        return r;
    }
    r = iam_audit_log_open(path, &log, reterr);
    if (r == 0)
        r = iam_audit_log_write(log, line, reterr);
    iam_audit_log_close(log);
    return r;
}
