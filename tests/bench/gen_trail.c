/* SPDX-License-Identifier: Apache-2.0 */
/* gen_trail N [START_EPOCH]: N audit records on stdout, written by pam_iam's own record writer
 * (iam_audit_format), one every 3 seconds from START_EPOCH: 200 users with their keys, 5 hosts,
 * each login the sequence a real one leaves (Authenticate, Login, SessionOpen, SessionClose),
 * a sudo now and then, a denial now and then. The benchmark's trail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/audit.h"

int main(int argc, char **argv) {
    static const char *const hosts[] = {
        "arn:aws:ec2:us-east-1:123456789012:instance/i-0aaaaaaaaaaaaaaa1",
        "arn:aws:ec2:us-east-1:123456789012:instance/i-0bbbbbbbbbbbbbbb2",
        "arn:aws:ec2:eu-west-1:123456789012:instance/i-0ccccccccccccccc3",
        "arn:aws:ec2:eu-west-1:123456789012:instance/i-0ddddddddddddddd4",
        "arn:aws:ec2:ap-south-1:123456789012:instance/i-0eeeeeeeeeeeeeee5"};
    long n, start;
    unsigned seed = 12345;

    if (argc < 2 || (n = strtol(argv[1], NULL, 10)) <= 0) {
        fprintf(stderr, "usage: gen_trail N [START_EPOCH]\n");
        return 2;
    }
    start = argc > 2 ? strtol(argv[2], NULL, 10) : 1767225600;
    for (long i = 0; i < n;) {
        int u = (int)(rand_r(&seed) % 200), h = (int)(rand_r(&seed) % 5);
        bool sudo = rand_r(&seed) % 10 == 0, denied = rand_r(&seed) % 20 == 0;
        char name[16], arn[64], key[24], ip[24], id[24];
        static const enum iam_audit_event seq[] = {IAM_AUDIT_AUTHENTICATE, IAM_AUDIT_LOGIN,
                                                   IAM_AUDIT_SESSION_OPEN,
                                                   IAM_AUDIT_SESSION_CLOSE, IAM_AUDIT_SUDO};

        snprintf(name, sizeof(name), "user%d", u);
        snprintf(arn, sizeof(arn), "arn:aws:iam::123456789012:user/%s", name);
        snprintf(key, sizeof(key), "AKIA%016d", u * 2 + (int)(rand_r(&seed) % 2));
        for (char *c = key + 4; *c; c++)
            *c = (char)('A' + (*c - '0'));
        snprintf(ip, sizeof(ip), "10.%d.%d.%d", u % 7, u, (int)(rand_r(&seed) % 250));
        snprintf(id, sizeof(id), "AIDA%017d", u);
        for (size_t k = 0; k < sizeof(seq) / sizeof(seq[0]) && i < n; k++, i++) {
            struct iam_audit_record rec = {
                .event = seq[k], .time = (time_t)(start + i * 3), .is_iam_user = true,
                .user_name = name, .principal_id = id, .arn = arn,
                .account_id = "123456789012", .access_key_id = key, .source_ip = ip,
                .user_agent = k == 4 ? "sudo-iam" : "sshd", .host_arn = hosts[h],
                .service = k == 4 ? "sudo-iam" : "sshd", .tty = "ssh", .os_user = name,
                .auth_method = "accesskey", .enforced = true};
            char *line = NULL;

            if (seq[k] == IAM_AUDIT_SUDO && !sudo)
                break;
            if (seq[k] == IAM_AUDIT_LOGIN || seq[k] == IAM_AUDIT_SUDO) {
                rec.action = seq[k] == IAM_AUDIT_SUDO ? "host:Sudo" : "host:Login";
                rec.decision = denied ? "deny" : "allow";
                rec.error_code = denied ? "AccessDenied" : NULL;
                rec.deciding_policy = "arn:aws:iam::123456789012:policy/LoginAndSudo";
                rec.deciding_statement = "LoginAnywhere";
            } else {
                rec.decision = "success";
            }
            if (iam_audit_format(&rec, &line) < 0)
                return 1;
            puts(line);
            free(line);
            if (denied && seq[k] == IAM_AUDIT_LOGIN) {
                i++;
                break;
            }
        }
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
