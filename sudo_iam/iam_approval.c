/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iam_approval.so: a sudo approval plugin (sudo_plugin(5), sudo 1.9 or later). After the
 * sudoers policy has accepted a command, sudo asks every approval plugin; this one asks IAM
 * policy whether the invoking IAM user may run that command (host:Sudo, with the command,
 * its arguments and the run-as user in the request context). Local users are never asked.
 * An explicit deny or no allow refuses the command, and so does anything that keeps the
 * policies from being evaluated; with enforce = no a denial is audited and the command runs.
 * Every decision about an IAM user's command is one audit record (SudoCommand).
 *
 * Enabled by a line in /etc/sudo.conf:  Plugin iam_approval /PATH/TO/iam_approval.so [config=FILE]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <sudo_plugin.h>

#include "sudo_iam_private.h"

#define MSG_DENIED "not allowed by IAM policy"
#define MSG_ERROR "IAM policy could not be evaluated; refusing"

static struct {
    sudo_printf_t print;
    struct sudo_iam_info info;
    bool open;
} plugin;

static void say(int type, const char *fmt, const char *a, const char *b) {
    if (plugin.print)
        plugin.print(type, fmt, a, b);
}

static int iam_open(unsigned int version, sudo_conv_t conversation,
                    sudo_printf_t sudo_plugin_printf, char *const settings[],
                    char *const user_info[], int submit_optind, char *const submit_argv[],
                    char *const submit_envp[], char *const plugin_options[],
                    const char **errstr) {
    struct iam_error e;
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    int r;

    (void)conversation;
    (void)submit_optind;
    (void)submit_argv;
    (void)submit_envp;
    plugin.print = sudo_plugin_printf;
    if (SUDO_API_VERSION_GET_MAJOR(version) != SUDO_API_VERSION_MAJOR) {
        if (errstr)
            *errstr = "iam_approval: incompatible sudo plugin API version";
        say(SUDO_CONV_ERROR_MSG, "%s%s\n", "iam_approval: incompatible sudo plugin API version",
            "");
        return -1;
    }
    sudo_iam_info_done(&plugin.info);
    iam_error_init(&e);
    r = sudo_iam_parse_open(settings, user_info, plugin_options, &plugin.info, &e);
    if (r < 0) {
        syslog(LOG_AUTHPRIV | LOG_ERR, "iam_approval: %s",
               iam_error_format(&e, msg, sizeof(msg)));
        say(SUDO_CONV_ERROR_MSG, "iam_approval: %s%s\n", iam_error_format(&e, msg, sizeof(msg)),
            "");
        if (errstr)
            *errstr = "iam_approval: cannot start (see the message above)";
        return -1;
    }
    plugin.open = true;
    return 1;
}

static void iam_close(void) {
    sudo_iam_info_done(&plugin.info);
    plugin.open = false;
}

static int iam_check(char *const command_info[], char *const run_argv[],
                     char *const run_envp[], const char **errstr) {
    struct sudo_iam_command cmd = {0};
    struct sudo_iam_result res;
    struct iam_error e;
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    int r, ret = -1;

    (void)run_envp;
    if (!plugin.open) {
        if (errstr)
            *errstr = MSG_ERROR;
        return -1;
    }
    iam_error_init(&e);
    r = sudo_iam_parse_command(command_info, run_argv, true, &cmd, &e);
    if (r < 0) {
        iam_error_format(&e, msg, sizeof(msg));
        syslog(LOG_AUTHPRIV | LOG_ERR, "iam_approval: %s", msg);
        say(SUDO_CONV_ERROR_MSG, "sudo: %s: %s\n", MSG_ERROR, msg);
        if (errstr)
            *errstr = MSG_ERROR;
        goto out;
    }
    sudo_iam_decide(&plugin.info, &cmd, (int64_t)time(NULL), &res);
    switch (res.verdict) {
    case SUDO_IAM_APPROVE:
        if (res.not_iam && plugin.info.debug)
            syslog(LOG_AUTHPRIV | LOG_DEBUG, "iam_approval: \"%.64s\" is not an IAM user: not asked",
                   plugin.info.user);
        else if (plugin.info.debug && !res.would_deny)
            syslog(LOG_AUTHPRIV | LOG_DEBUG, "iam_approval: %.1024s allowed for \"%.64s\"",
                   cmd.command_line, plugin.info.user);
        if (res.would_deny)
            syslog(LOG_AUTHPRIV | LOG_NOTICE,
                   "iam_approval: %.1024s would be denied for \"%.64s\" (enforce = no)",
                   cmd.command_line, plugin.info.user);
        ret = 1;
        break;
    case SUDO_IAM_REJECT:
        syslog(LOG_AUTHPRIV | LOG_NOTICE, "iam_approval: %.1024s denied for \"%.64s\" by %s",
               cmd.command_line, plugin.info.user,
               res.not_plain ? "its path (. or .. components)"
               : res.explicit_deny ? "an explicit deny" : "implicit deny");
        if (res.hint) {
            char why[512];

            snprintf(why, sizeof(why), "%s (%s)", MSG_DENIED, res.hint);
            say(SUDO_CONV_ERROR_MSG, "sudo: %s: %s\n", cmd.command, why);
        } else
            say(SUDO_CONV_ERROR_MSG, "sudo: %s: %s\n", cmd.command,
                res.not_plain ? MSG_DENIED " (name the command without . or .. in its path)"
                              : MSG_DENIED);
        if (errstr)
            *errstr = MSG_DENIED;
        ret = 0;
        break;
    case SUDO_IAM_ERROR:
        syslog(LOG_AUTHPRIV | LOG_ERR, "iam_approval: cannot decide for \"%.64s\": %s",
               plugin.info.user, res.detail);
        say(SUDO_CONV_ERROR_MSG, "sudo: %s: %s\n", cmd.command, MSG_ERROR);
        if (errstr)
            *errstr = MSG_ERROR;
        ret = -1;
        break;
    }
out:
    sudo_iam_command_done(&cmd);
    return ret;
}

static int iam_show_version(int verbose) {
    (void)verbose;
    if (plugin.print)
        plugin.print(SUDO_CONV_INFO_MSG, "iam_approval plugin version %s\n", IAM_VERSION);
    return 1;
}

IAM_EXPORT struct approval_plugin iam_approval = {
    .type = SUDO_APPROVAL_PLUGIN,
    .version = SUDO_API_VERSION,
    .open = iam_open,
    .close = iam_close,
    .check = iam_check,
    .show_version = iam_show_version,
};
