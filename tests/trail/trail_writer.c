/* SPDX-License-Identifier: Apache-2.0 */
/* Many writers at once: trail_writer LOG WRITERS RECORDS forks WRITERS processes that each
 * append RECORDS audit records with the writer pam_iam uses (iam_audit_format +
 * iam_audit_append), as sshd, sudo and su do at the same moment on a busy host. Each record
 * names its writer and number in requestParameters.tty ("w<writer>-<n>"), so a test can check
 * that every one arrived, once, whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "iam/audit.h"

static int writer(const char *log, int w, int n) {
    for (int i = 0; i < n; i++) {
        char tty[32];
        struct iam_audit_record rec = {
            .event = IAM_AUDIT_LOGIN, .is_iam_user = true, .user_name = "alice",
            .arn = "arn:aws:iam::123456789012:user/alice", .account_id = "123456789012",
            .source_ip = "192.0.2.7", .user_agent = "sshd", .action = "host:Login",
            .host_arn = "arn:aws:ec2:us-east-1:123456789012:instance/i-0aaaaaaaaaaaaaaa1",
            .service = "sshd", .tty = tty, .decision = "allow", .enforced = true};
        struct iam_error e;
        char *line = NULL;

        snprintf(tty, sizeof(tty), "w%d-%d", w, i);
        iam_error_init(&e);
        if (iam_audit_format(&rec, &line) < 0 || iam_audit_append(log, line, &e) < 0) {
            fprintf(stderr, "writer %d: record %d: %s\n", w, i, e.text);
            free(line);
            return 1;
        }
        free(line);
    }
    return 0;
}

int main(int argc, char **argv) {
    int writers, records, failed = 0;

    if (argc != 4) {
        fprintf(stderr, "usage: trail_writer LOG WRITERS RECORDS\n");
        return 2;
    }
    writers = (int)strtol(argv[2], NULL, 10);
    records = (int)strtol(argv[3], NULL, 10);
    if (writers < 1 || writers > 64 || records < 1 || records > 1000000) {
        fprintf(stderr, "trail_writer: 1-64 writers, 1-1000000 records each\n");
        return 2;
    }
    for (int w = 0; w < writers; w++) {
        pid_t pid = fork();

        if (pid < 0)
            return 1;
        if (pid == 0)
            _exit(writer(argv[1], w, records));
    }
    for (int w = 0; w < writers; w++) {
        int st;

        if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            failed++;
    }
    return failed ? 1 : 0;
}
