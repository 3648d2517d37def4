/* SPDX-License-Identifier: Apache-2.0 */
/* Directory passwords: an LDAP simple bind as the user's DN, made by the helper
 * iam-ldap-auth in a child process (docs/architecture.md, "Directory passwords"). The module
 * never loads libldap: sshd, sudo and su keep their own TLS library, threads and
 * configuration, and a hung or crashing client library costs one child, killed at the
 * deadline, never the login's process. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <syslog.h>

#include "iam/ldap.h"
#include "pam_iam_private.h"

#define TAG_DN "ldap:dn"
#define TAG_DISABLED "ldap:disabled"

/* The compile passes the ldap: tags on only for users a directory import made, so a tag set
 * by hand or by an AWS export never names a DN to bind as (common/store/load.c). */
const char *pam_iam_directory_dn(const struct iam_auth_user *u) {
    for (size_t i = 0; u && i < u->n_tags; i++)
        if (strcasecmp(u->tags[i].key, TAG_DN) == 0 && u->tags[i].value[0])
            return u->tags[i].value;
    return NULL;
}

bool pam_iam_directory_disabled(const struct iam_auth_user *u) {
    for (size_t i = 0; u && i < u->n_tags; i++)
        if (strcasecmp(u->tags[i].key, TAG_DISABLED) == 0 && strcmp(u->tags[i].value, "true") == 0)
            return true;
    return false;
}

static int64_t now_ms(void) {
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The helper must be root's (or the caller's) and writable by no one else, as every file the
 * module reads. */
static int helper_ok(pam_handle_t *pamh, const char *path) {
    struct stat st;

    if (path[0] != '/' || stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
        (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022) ||
        !(st.st_mode & S_IXUSR)) {
        pam_syslog(pamh, LOG_ERR, "directory passwords: %s is missing, not executable or "
                   "writable by others", path);
        return -EACCES;
    }
    return 0;
}

/* In the child: the helper with the password on standard input, its reason on err. */
static void run_helper(const char *path, char *const argv[], int in, int err) {
    static char noinit[] = "LDAPNOINIT=1", path_env[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    char *const envp[] = {noinit, path_env, NULL};
    sigset_t none;
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    if (dup2(in, STDIN_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0 ||
        (null >= 0 && dup2(null, STDOUT_FILENO) < 0))
        _exit(IAM_LDAP_AUTH_UNAVAILABLE);
    closefrom(3);
    execve(path, argv, envp);
    _exit(IAM_LDAP_AUTH_UNAVAILABLE);
}

/* Wait for pid until deadline (monotonic ms), collecting its stderr in why; kill it then. The
 * exit status, or -ETIMEDOUT. */
static int wait_helper(pid_t pid, int err, int64_t deadline, char *why, size_t why_size) {
    size_t got = 0;
    int status = 0;
    bool open_err = true;

    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        int64_t left = deadline - now_ms();
        struct pollfd p = {.fd = err, .events = POLLIN};

        if (w == pid)
            break;
        if ((w < 0 && errno != EINTR) || left <= 0) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            return -ETIMEDOUT;
        }
        if (open_err && poll(&p, 1, left > 20 ? 20 : (int)left) > 0) {
            ssize_t k = read(err, why + got, why_size - 1 - got);
            if (k > 0)
                got += (size_t)k;
            else if (k == 0 || (errno != EINTR && errno != EAGAIN))
                open_err = false;
            why[got] = '\0';
        } else if (!open_err) {
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -ECHILD;
}

/* execve's argv is not const; it is not written to */
static char *arg(const char *s) {
    union {
        const char *c;
        char *m;
    } u = {.c = s};
    return u.m;
}

/* The helper's message as one printable line. */
static void clean(char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            *s = (s[1] ? ' ' : '\0');
}

int pam_iam_directory_check(pam_handle_t *pamh, const struct pam_iam_handle *h, const char *dn,
                            const char *tok, size_t len) {
    const struct iam_config *c = h->config;
    const char *path = c->ldap_auth_helper ? c->ldap_auth_helper : IAM_LDAP_AUTH_HELPER;
    char timeout[16], why[512] = "";
    char *argv[12];
    int in[2] = {-1, -1}, err[2] = {-1, -1}, n = 0, r = -EHOSTUNREACH, st = -1;
    struct sigaction dfl = {.sa_handler = SIG_DFL}, old_chld;
    bool chld_saved = false;
    pid_t pid;

    if (len == 0 || len > IAM_LDAP_MAX_PASSWORD || memchr(tok, '\n', len))
        return -EACCES; /* never sent: an empty password would be an unauthenticated bind */
    if (helper_ok(pamh, path) < 0)
        return -EHOSTUNREACH;
    snprintf(timeout, sizeof(timeout), "%u", c->ldap_timeout);
    argv[n++] = arg("iam-ldap-auth");
    argv[n++] = arg("--uri");
    argv[n++] = c->ldap_uri;
    if (c->ldap_ca_file) {
        argv[n++] = arg("--ca-file");
        argv[n++] = c->ldap_ca_file;
    }
    argv[n++] = arg("--timeout");
    argv[n++] = timeout;
    argv[n++] = arg(dn);
    argv[n] = NULL;
    /* a socket for the password: send() with MSG_NOSIGNAL cannot raise SIGPIPE in sshd */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0 ||
        pipe2(err, O_CLOEXEC) < 0)
        goto out;
    /* the application may ignore SIGCHLD (its children are then reaped away from waitpid) */
    if (sigaction(SIGCHLD, &dfl, &old_chld) == 0)
        chld_saved = true;
    pid = fork();
    if (pid < 0)
        goto out;
    if (pid == 0)
        run_helper(path, argv, in[1], err[1]);
    close(in[1]);
    close(err[1]);
    in[1] = err[1] = -1;
    if (send(in[0], tok, len, MSG_NOSIGNAL) != (ssize_t)len ||
        send(in[0], "\n", 1, MSG_NOSIGNAL) != 1)
        why[0] = '\0'; /* the helper's exit status says what happened */
    shutdown(in[0], SHUT_WR);
    /* connect, StartTLS and bind each have the time-out; a second more for the process */
    st = wait_helper(pid, err[0], now_ms() + 3000LL * c->ldap_timeout + 1000, why, sizeof(why));
    clean(why);
    if (st == IAM_LDAP_AUTH_OK) {
        r = 0;
    } else if (st == IAM_LDAP_AUTH_REFUSED) {
        r = -EACCES;
    } else {
        pam_syslog(pamh, LOG_ERR, "directory password of \"%.64s\" not checked: %s",
                   h->user_name, st == -ETIMEDOUT ? "the helper did not finish in time, killed"
                                 : why[0]         ? why
                                                  : "the helper failed");
        r = -EHOSTUNREACH;
    }
out:
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0)
            close(in[i]);
        if (err[i] >= 0)
            close(err[i]);
    }
    if (chld_saved)
        sigaction(SIGCHLD, &old_chld, NULL);
    return r;
}

void pam_iam_directory_verdict(pam_handle_t *pamh, const struct pam_iam_handle *h,
                               const char *tok, size_t len, struct pam_iam_verdict *v) {
    int r;

    if (!v->directory_dn)
        return;
    r = pam_iam_directory_check(pamh, h, v->directory_dn, tok, len);
    if (r == 0) {
        v->ok = true;
    } else if (r != -EACCES) {
        v->unavailable = true;
        v->error_code = "DirectoryUnavailable";
        v->error_message = "the directory could not check the password";
    }
}
