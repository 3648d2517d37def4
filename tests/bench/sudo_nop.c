/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A sudo approval plugin that approves every command and does nothing else: bench_sudo's
 * baseline for what sudo itself spends on loading and calling an approval plugin, so that
 * iam_approval.so's own cost can be told apart from it.
 */
#include <stddef.h>

#include <sudo_plugin.h>

static int nop_open(unsigned int version, sudo_conv_t conversation, sudo_printf_t plugin_printf,
                    char *const settings[], char *const user_info[], int submit_optind,
                    char *const submit_argv[], char *const submit_envp[],
                    char *const plugin_options[], const char **errstr) {
    (void)version;
    (void)conversation;
    (void)plugin_printf;
    (void)settings;
    (void)user_info;
    (void)submit_optind;
    (void)submit_argv;
    (void)submit_envp;
    (void)plugin_options;
    (void)errstr;
    return 1;
}

static int nop_check(char *const command_info[], char *const run_argv[], char *const run_envp[],
                     const char **errstr) {
    (void)command_info;
    (void)run_argv;
    (void)run_envp;
    (void)errstr;
    return 1;
}

__attribute__((visibility("default"))) struct approval_plugin sudo_nop = {
    .type = SUDO_APPROVAL_PLUGIN,
    .version = SUDO_API_VERSION,
    .open = nop_open,
    .check = nop_check,
};
