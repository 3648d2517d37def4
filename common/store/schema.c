/* SPDX-License-Identifier: Apache-2.0 */
/* The store's schema and its forward migrations.
 *
 * A store carries its schema version in PRAGMA user_version. migrations[i] takes a store
 * from version i to version i + 1; a new store runs them all from 0, an older one the steps
 * it lacks, each in the transaction that opened the store for writing, so a failed step
 * leaves the store as it was. A store whose version is above IAM_STORE_SCHEMA_VERSION was
 * written by a newer iamctl and is refused, never opened. A later feature adds its tables
 * or columns as one more entry here (ALTER TABLE ... ADD COLUMN, CREATE TABLE ...), never by
 * editing an entry that has shipped.
 *
 * Design notes (the reasons, for whoever adds the next step):
 *   - identities holds users, groups and roles in one table: they share names, ids, ARNs,
 *     paths, tags, inline policies, attachments and boundaries, so one set of child tables
 *     serves the three. The rowid is the listing order (creation or first import), which
 *     is the order the JSON database kept and the order exports print.
 *   - posix_id is the uid of a user (and of its private group) or a role account, and the
 *     gid of a group: one UNIQUE column keeps every id in the account distinct, which is
 *     what private groups (gid = uid) need. account.next_id is the high-water mark: ids
 *     below it are never handed out again, even after a delete.
 *   - source says where an identity or policy came from ('iamctl' when a verb created it,
 *     'aws' when an AWS export imported it; a directory importer adds its own), so
 *     `import --delete-missing` removes only what an export brought.
 *   - digest is the BLAKE2b of the export entry an identity or policy was last imported
 *     from, set by import and cleared by any other change: re-importing the same export
 *     compares digests and writes nothing.
 *   - names are unique per kind regardless of ASCII case, as in IAM (COLLATE NOCASE).
 *   - documents are stored as the JSON text that was validated (URL-decoded, whitespace
 *     outside strings removed); tags, inline policies, attachments and memberships keep
 *     their order by rowid.
 *   - tags_listed remembers that an export listed an identity's Tags even when empty, so
 *     the export prints them back as it got them.
 *   - login_profiles carries password_last_changed and password_last_used for the account
 *     password policy; password_policy is that policy (absent: none), password_history the
 *     argon2id hashes of a user's earlier passwords, at most as many as the policy's reuse
 *     prevention needs, so that a new password can be compared without keeping any password; identities carries the role-only columns (trust policy, description,
 *     maximum session duration, the instance profiles and last use an export reports).
 */
#include <stddef.h>
#include <stdio.h>

#include "store_private.h"

static const char *const migrations[] = {
    /* 0 -> 1: the identity store */
    "CREATE TABLE account ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  account_id TEXT NOT NULL CHECK (length(account_id) = 12),"
    "  serial INTEGER NOT NULL CHECK (serial >= 0),"
    "  next_id INTEGER NOT NULL CHECK (next_id >= 0),"
    "  created TEXT NOT NULL"
    ") STRICT;"
    "CREATE TABLE policies ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  policy_id TEXT NOT NULL UNIQUE,"
    "  arn TEXT NOT NULL UNIQUE,"
    "  path TEXT NOT NULL,"
    "  description TEXT,"
    "  create_date TEXT,"
    "  update_date TEXT,"
    "  is_attachable INTEGER NOT NULL DEFAULT 1,"
    "  aws_managed INTEGER NOT NULL,"
    "  source TEXT NOT NULL,"
    "  digest BLOB"
    ") STRICT;"
    "CREATE UNIQUE INDEX policies_local_name ON policies (name COLLATE NOCASE)"
    "  WHERE aws_managed = 0;"
    "CREATE TABLE policy_versions ("
    "  id INTEGER PRIMARY KEY,"
    "  policy INTEGER NOT NULL REFERENCES policies (id) ON DELETE CASCADE,"
    "  version_id TEXT NOT NULL,"
    "  document TEXT NOT NULL,"
    "  create_date TEXT,"
    "  is_default INTEGER NOT NULL,"
    "  UNIQUE (policy, version_id)"
    ") STRICT;"
    "CREATE UNIQUE INDEX policy_versions_default ON policy_versions (policy)"
    "  WHERE is_default = 1;"
    "CREATE TABLE identities ("
    "  id INTEGER PRIMARY KEY,"
    "  kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),"
    "  name TEXT NOT NULL,"
    "  unique_id TEXT NOT NULL UNIQUE,"
    "  arn TEXT NOT NULL UNIQUE,"
    "  path TEXT NOT NULL,"
    "  create_date TEXT,"
    "  source TEXT NOT NULL,"
    "  digest BLOB,"
    "  boundary INTEGER REFERENCES policies (id),"
    "  posix_id INTEGER UNIQUE,"
    "  gid INTEGER,"
    "  home TEXT,"
    "  shell TEXT,"
    "  gecos TEXT,"
    "  description TEXT,"
    "  trust_policy TEXT,"
    "  max_session_duration INTEGER,"
    "  instance_profiles TEXT,"
    "  last_used TEXT,"
    "  tags_listed INTEGER NOT NULL DEFAULT 0,"
    /* what no writer may leave, whoever edits the file: ids that are root's, nobody's or
     * (uid_t)-1, a user or group without its ids */
    "  CHECK (posix_id IS NULL OR (posix_id > 0 AND posix_id NOT IN (65534, 65535)"
    "         AND posix_id < 4294967295)),"
    "  CHECK (gid IS NULL OR (gid > 0 AND gid NOT IN (65534, 65535) AND gid < 4294967295)),"
    "  CHECK (kind <> 1 OR (posix_id IS NOT NULL AND gid IS NOT NULL)),"
    "  CHECK (kind <> 2 OR posix_id IS NOT NULL),"
    "  CHECK (length(name) BETWEEN 1 AND 128)"
    ") STRICT;"
    "CREATE UNIQUE INDEX identities_name ON identities (kind, name COLLATE NOCASE);"
    "CREATE INDEX identities_kind ON identities (kind);"
    "CREATE INDEX identities_boundary ON identities (boundary) WHERE boundary IS NOT NULL;"
    "CREATE TABLE tags ("
    "  id INTEGER PRIMARY KEY,"
    "  identity INTEGER REFERENCES identities (id) ON DELETE CASCADE,"
    "  policy INTEGER REFERENCES policies (id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  CHECK ((identity IS NULL) <> (policy IS NULL))"
    ") STRICT;"
    "CREATE UNIQUE INDEX tags_identity ON tags (identity, key COLLATE NOCASE)"
    "  WHERE identity IS NOT NULL;"
    "CREATE UNIQUE INDEX tags_policy ON tags (policy, key COLLATE NOCASE)"
    "  WHERE policy IS NOT NULL;"
    "CREATE TABLE inline_policies ("
    "  id INTEGER PRIMARY KEY,"
    "  identity INTEGER NOT NULL REFERENCES identities (id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  document TEXT NOT NULL,"
    "  UNIQUE (identity, name COLLATE NOCASE)"
    ") STRICT;"
    "CREATE TABLE attachments ("
    "  id INTEGER PRIMARY KEY,"
    "  identity INTEGER NOT NULL REFERENCES identities (id) ON DELETE CASCADE,"
    "  policy INTEGER NOT NULL REFERENCES policies (id),"
    "  UNIQUE (identity, policy)"
    ") STRICT;"
    "CREATE INDEX attachments_policy ON attachments (policy);"
    "CREATE TABLE memberships ("
    "  id INTEGER PRIMARY KEY,"
    "  user INTEGER NOT NULL REFERENCES identities (id) ON DELETE CASCADE,"
    "  grp INTEGER NOT NULL REFERENCES identities (id) ON DELETE CASCADE,"
    "  UNIQUE (user, grp)"
    ") STRICT;"
    "CREATE INDEX memberships_group ON memberships (grp, user);"
    "CREATE TABLE access_keys ("
    "  id INTEGER PRIMARY KEY,"
    "  user INTEGER NOT NULL REFERENCES identities (id) ON DELETE CASCADE,"
    "  access_key_id TEXT NOT NULL UNIQUE,"
    "  status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),"
    "  create_date TEXT NOT NULL,"
    "  secret_hash TEXT NOT NULL CHECK (secret_hash LIKE '$iamb2k$v=1$%')"
    ") STRICT;"
    "CREATE INDEX access_keys_user ON access_keys (user);"
    "CREATE TABLE login_profiles ("
    "  user INTEGER PRIMARY KEY REFERENCES identities (id) ON DELETE CASCADE,"
    "  create_date TEXT NOT NULL,"
    "  password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),"
    "  password_reset_required INTEGER NOT NULL DEFAULT 0,"
    "  password_last_changed TEXT,"
    "  password_last_used TEXT"
    ") STRICT;"
    "CREATE TABLE ssh_keys ("
    "  id INTEGER PRIMARY KEY,"
    "  user INTEGER NOT NULL REFERENCES identities (id) ON DELETE CASCADE,"
    "  ssh_key_id TEXT NOT NULL UNIQUE,"
    "  body TEXT NOT NULL,"
    "  fingerprint TEXT,"
    "  status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),"
    "  upload_date TEXT"
    ") STRICT;"
    "CREATE INDEX ssh_keys_user ON ssh_keys (user);",
    /* 1 -> 2: the account password policy (one row, AWS's ranges) and, for its reuse
     * prevention, the salted hashes of users' earlier passwords (never the passwords) */
    "CREATE TABLE password_policy ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  minimum_password_length INTEGER NOT NULL"
    "    CHECK (minimum_password_length BETWEEN 6 AND 128),"
    "  require_symbols INTEGER NOT NULL,"
    "  require_numbers INTEGER NOT NULL,"
    "  require_uppercase_characters INTEGER NOT NULL,"
    "  require_lowercase_characters INTEGER NOT NULL,"
    "  allow_users_to_change_password INTEGER NOT NULL,"
    "  max_password_age INTEGER CHECK (max_password_age BETWEEN 1 AND 1095),"
    "  password_reuse_prevention INTEGER CHECK (password_reuse_prevention BETWEEN 1 AND 24),"
    "  hard_expiry INTEGER"
    ") STRICT;"
    "CREATE TABLE password_history ("
    "  id INTEGER PRIMARY KEY,"
    "  user INTEGER NOT NULL REFERENCES identities (id) ON DELETE CASCADE,"
    "  password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),"
    "  retired TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX password_history_user ON password_history (user, id);",
    /* 2 -> 3: virtual MFA devices. The seed is in this root-only file, as every hash is, and
     * only here and in auth.cache (root 0600); user is NULL until the device is enabled.
     * not_before: the last counter used at enable or resync, so that the codes typed there
     * are never accepted at a login; drift: steps the device's clock is off (resync). */
    "CREATE TABLE mfa_devices ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  path TEXT NOT NULL,"
    "  serial TEXT NOT NULL UNIQUE,"
    "  seed BLOB NOT NULL CHECK (length(seed) = 20),"
    "  create_date TEXT NOT NULL,"
    "  user INTEGER REFERENCES identities (id),"
    "  enable_date TEXT,"
    "  not_before INTEGER NOT NULL DEFAULT 0,"
    "  drift INTEGER NOT NULL DEFAULT 0,"
    "  CHECK ((user IS NULL) = (enable_date IS NULL))"
    ") STRICT;"
    "CREATE UNIQUE INDEX mfa_devices_name ON mfa_devices (name COLLATE NOCASE);"
    "CREATE INDEX mfa_devices_user ON mfa_devices (user) WHERE user IS NOT NULL;",
    /* 3 -> 4: the users whose primary gid is not their own id, which the host check before
     * every write reads (host_check.c): an index of only those rows, so that the check does
     * not scan every user. */
    "CREATE INDEX identities_other_gid ON identities (gid) WHERE gid <> posix_id;",
};

_Static_assert(IAM_ELEMENTSOF(migrations) == IAM_STORE_SCHEMA_VERSION,
               "one migration step per schema version");

int st_migrate(struct iam_store *st, int from) {
    for (int v = from; v < IAM_STORE_SCHEMA_VERSION; v++) {
        char pragma[48];
        int r = st_exec(st, migrations[v]);

        if (r < 0)
            return st_fail(st, r, "migrating the store's schema from version %d to %d: %s", v,
                           v + 1, sqlite3_errmsg(st->db));
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
        r = st_exec(st, pragma);
        if (r < 0)
            return r;
    }
    return 0;
}
