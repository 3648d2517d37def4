/* SPDX-License-Identifier: Apache-2.0 */
/* sudo's arrays (sudo_plugin(5): NULL-terminated "key=value" strings) into our structs. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sudo_iam_private.h"

/* The value of key in arr, or NULL (key NULL: only check arr); -EINVAL/-E2BIG for a malformed or over-long array, and
 * for a key given twice (sudo never does; a second value would be ambiguous). */
static int lookup(char *const arr[], const char *what, const char *key, const char **ret,
                  struct iam_error *reterr) {
    size_t klen = key ? strlen(key) : 0;
    const char *found = NULL;

    *ret = NULL;
    if (!arr)
        return 0;
    for (size_t i = 0; arr[i]; i++) {
        const char *e = arr[i];
        size_t n;

        if (i >= SUDO_IAM_MAX_ENTRIES) {
            iam_error_set(reterr, 0, 0, 0, "%s: more than %d entries", what,
                          SUDO_IAM_MAX_ENTRIES);
            return -E2BIG;
        }
        n = strnlen(e, SUDO_IAM_MAX_ENTRY + 1);
        if (n > SUDO_IAM_MAX_ENTRY) {
            iam_error_set(reterr, 0, 0, 0, "%s: entry %zu is too long", what, i + 1);
            return -E2BIG;
        }
        if (!memchr(e, '=', n)) {
            iam_error_set(reterr, 0, 0, 0, "%s: entry %zu is not key=value", what, i + 1);
            return -EINVAL;
        }
        if (key && n > klen && memcmp(e, key, klen) == 0 && e[klen] == '=') {
            if (found) {
                iam_error_set(reterr, 0, 0, 0, "%s: %s given twice", what, key);
                return -EINVAL;
            }
            found = e + klen + 1;
        }
    }
    *ret = found;
    return 0;
}

static int parse_id(const char *s, unsigned long *ret) {
    unsigned long v = 0;

    if (!s || !*s || strlen(s) > 10)
        return -EINVAL;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -EINVAL;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v >= 0xffffffffUL)
        return -EINVAL;
    *ret = v;
    return 0;
}

static int dup_into(char **dst, const char *src) {
    *dst = strdup(src);
    return *dst ? 0 : -ENOMEM;
}

static int parse_options(char *const options[], struct sudo_iam_info *info,
                         struct iam_error *reterr) {
    for (size_t i = 0; options && options[i]; i++) {
        const char *o = options[i];

        if (i >= SUDO_IAM_MAX_ENTRIES)
            return -E2BIG;
        if (strcmp(o, "debug") == 0) {
            info->debug = true;
        } else if (strncmp(o, "config=", 7) == 0 && o[7] == '/' &&
                   strnlen(o, 4096 + 7) < 4096 + 7) {
            if (info->config_path) {
                iam_error_set(reterr, 0, 0, 0, "plugin option config= given twice");
                return -EINVAL;
            }
            if (dup_into(&info->config_path, o + 7) < 0)
                return -ENOMEM;
        } else {
            iam_error_set(reterr, 0, 0, 0,
                          "unknown plugin option \"%.64s\" (known: config=/ABSOLUTE/PATH, debug)",
                          o);
            return -EINVAL;
        }
    }
    return 0;
}

int sudo_iam_parse_open(char *const settings[], char *const user_info[],
                        char *const options[], struct sudo_iam_info *ret,
                        struct iam_error *reterr) {
    struct sudo_iam_info info = {0};
    const char *user = NULL, *uid = NULL, *tty = NULL, *unused = NULL;
    unsigned long id;
    int r;

    /* settings: nothing we use, but it must be well formed. */
    r = lookup(settings, "settings", NULL, &unused, reterr);
    if (r < 0)
        goto out;
    if ((r = lookup(user_info, "user_info", "user", &user, reterr)) < 0 ||
        (r = lookup(user_info, "user_info", "uid", &uid, reterr)) < 0 ||
        (r = lookup(user_info, "user_info", "tty", &tty, reterr)) < 0)
        goto out;
    r = -EINVAL;
    if (!user || !*user) {
        iam_error_set(reterr, 0, 0, 0, "user_info: no user=");
        goto out;
    }
    if (parse_id(uid, &id) < 0) {
        iam_error_set(reterr, 0, 0, 0, "user_info: no uid=, or not a number");
        goto out;
    }
    info.uid = (uid_t)id;
    r = -ENOMEM;
    if (dup_into(&info.user, user) < 0 || (tty && *tty && dup_into(&info.tty, tty) < 0))
        goto out;
    r = parse_options(options, &info, reterr);
    if (r < 0)
        goto out;
    *ret = info;
    memset(&info, 0, sizeof(info));
    r = 0;
out:
    sudo_iam_info_done(&info);
    return r;
}

void sudo_iam_info_done(struct sudo_iam_info *info) {
    if (!info)
        return;
    free(info->user);
    free(info->tty);
    free(info->config_path);
    memset(info, 0, sizeof(*info));
}

/* name, else the NSS name of id, else the id's digits (a run-as uid with no passwd entry,
 * "sudo -u '#12345'"). */
static int name_of(const char *name, const char *id_text, bool is_group, bool resolve,
                   char **ret) {
    unsigned long id;
    char digits[16];

    if (name && *name)
        return dup_into(ret, name);
    if (parse_id(id_text, &id) < 0)
        return -EINVAL;
    if (resolve) {
        char buf[16384];
        int e;

        if (is_group) {
            struct group g, *res = NULL;

            e = getgrgid_r((gid_t)id, &g, buf, sizeof(buf), &res);
            if (e == 0 && res)
                return dup_into(ret, res->gr_name);
        } else {
            struct passwd p, *res = NULL;

            e = getpwuid_r((uid_t)id, &p, buf, sizeof(buf), &res);
            if (e == 0 && res)
                return dup_into(ret, res->pw_name);
        }
    }
    snprintf(digits, sizeof(digits), "%lu", id);
    return dup_into(ret, digits);
}

static int join(struct sudo_iam_command *cmd, struct iam_error *reterr) {
    size_t len = strlen(cmd->command);
    char *p;

    for (size_t i = 0; i < cmd->n_args; i++) {
        len += 1 + strlen(cmd->args[i]);
        if (len > SUDO_IAM_MAX_COMMAND_LINE) {
            iam_error_set(reterr, 0, 0, 0, "command line longer than %u bytes",
                          SUDO_IAM_MAX_COMMAND_LINE);
            return -E2BIG;
        }
    }
    cmd->command_line = malloc(len + 1);
    if (!cmd->command_line)
        return -ENOMEM;
    p = stpcpy(cmd->command_line, cmd->command);
    for (size_t i = 0; i < cmd->n_args; i++) {
        *p++ = ' ';
        p = stpcpy(p, cmd->args[i]);
    }
    return 0;
}

static int copy_args(char *const run_argv[], struct sudo_iam_command *cmd,
                     struct iam_error *reterr) {
    size_t n = 0;

    while (run_argv && run_argv[n]) {
        if (n >= SUDO_IAM_MAX_ARGS + 1 || strnlen(run_argv[n], SUDO_IAM_MAX_ENTRY + 1) >
                                               SUDO_IAM_MAX_ENTRY) {
            iam_error_set(reterr, 0, 0, 0, "run_argv: too many or too long arguments");
            return -E2BIG;
        }
        n++;
    }
    cmd->n_args = n > 0 ? n - 1 : 0;
    cmd->args = calloc(cmd->n_args + 1, sizeof(*cmd->args));
    if (!cmd->args)
        return -ENOMEM;
    for (size_t i = 0; i < cmd->n_args; i++)
        if (dup_into(&cmd->args[i], run_argv[i + 1]) < 0)
            return -ENOMEM;
    return 0;
}

int sudo_iam_parse_command(char *const command_info[], char *const run_argv[], bool resolve,
                           struct sudo_iam_command *ret, struct iam_error *reterr) {
    struct sudo_iam_command cmd = {0};
    const char *command = NULL, *ru = NULL, *ruid = NULL, *rg = NULL, *rgid = NULL;
    int r;

    if ((r = lookup(command_info, "command_info", "command", &command, reterr)) < 0 ||
        (r = lookup(command_info, "command_info", "runas_user", &ru, reterr)) < 0 ||
        (r = lookup(command_info, "command_info", "runas_uid", &ruid, reterr)) < 0 ||
        (r = lookup(command_info, "command_info", "runas_group", &rg, reterr)) < 0 ||
        (r = lookup(command_info, "command_info", "runas_gid", &rgid, reterr)) < 0)
        goto out;
    r = -EINVAL;
    if (!command || command[0] != '/') {
        iam_error_set(reterr, 0, 0, 0, "command_info: no command= with an absolute path");
        goto out;
    }
    r = -ENOMEM;
    if (dup_into(&cmd.command, command) < 0)
        goto out;
    r = name_of(ru, ruid, false, resolve, &cmd.runas_user);
    if (r < 0) {
        iam_error_set(reterr, 0, 0, 0, "command_info: no runas_user= or runas_uid=");
        goto out;
    }
    if ((rg && *rg) || rgid) {
        r = name_of(rg, rgid, true, resolve, &cmd.runas_group);
        if (r < 0) {
            iam_error_set(reterr, 0, 0, 0, "command_info: runas_gid= is not a number");
            goto out;
        }
    }
    r = copy_args(run_argv, &cmd, reterr);
    if (r < 0)
        goto out;
    r = join(&cmd, reterr);
    if (r < 0)
        goto out;
    *ret = cmd;
    memset(&cmd, 0, sizeof(cmd));
    r = 0;
out:
    sudo_iam_command_done(&cmd);
    return r;
}

/* A path a policy can match: absolute, with no empty, "." or ".." component. sudo hands on
 * the path the user typed when it has a slash in it, and "/usr/local/sbin/deploy/../../../
 * bin/sh" must not match a pattern meant for the scripts in /usr/local/sbin/deploy. */
bool sudo_iam_path_plain(const char *path) {
    const char *p = path;

    if (!p || *p != '/')
        return false;
    while (*p == '/') {
        const char *c = p + 1, *end = strchr(c, '/');
        size_t n = end ? (size_t)(end - c) : strlen(c);

        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        if (!end)
            break;
        p = end;
    }
    return true;
}

void sudo_iam_command_done(struct sudo_iam_command *cmd) {
    if (!cmd)
        return;
    free(cmd->command);
    free(cmd->runas_user);
    free(cmd->runas_group);
    for (size_t i = 0; cmd->args && i < cmd->n_args; i++)
        free(cmd->args[i]);
    free(cmd->args);
    free(cmd->command_line);
    memset(cmd, 0, sizeof(*cmd));
}
