/*
 * hostkey.h: host key verification against OpenSSH known_hosts files.
 *
 * The file is read once per loop thread into a libssh2 knownhost collection
 * held by a never-connected "holder" session; lines libssh2 cannot parse are
 * skipped (not the rest of the file).  For each host, the key types recorded
 * for it (plain and hashed entries) give the host key preference, so libssh2
 * 1.10 negotiates the type known_hosts holds instead of ECDSA first.
 *
 * Thread rules: one struct known_hosts per loop thread; libssh2_init() must
 * have been called (the holder session is made with libssh2_session_init).
 * Hashed entries cost one HMAC each the first time a host name is looked up
 * (about 3 ms per name for 10,000 hashed entries), nothing after that.
 */
#ifndef HOSTKEY_H
#define HOSTKEY_H

#include <libssh2.h>

#include "base/err.h"
#include "drove.h"

struct known_hosts;

/*
 * Load path (a missing file is an empty list, not an error).  Returns 0 and
 * *out, or DROVE_E_IO / DROVE_E_NOMEM with err set.
 */
int	kh_load(const char *path, struct known_hosts **out, struct drove_err *);
void	kh_free(struct known_hosts *);	/* NULL-safe; kh_flush() first */

/*
 * Append every key queued by accept-new to the file, waiting for the
 * appender thread, and stop it.  0, or the first failure, with how many
 * keys were not added, in err (the keys were trusted for the run anyway).
 */
int	kh_flush(struct known_hosts *, struct drove_err *);

/*
 * A warning naming the lines kh_load() skipped because neither libssh2 nor
 * we could read them ("skipped 2 unreadable lines in FILE (line 3, 9)"),
 * or NULL; lent until kh_free().
 */
const char *kh_load_warning(struct known_hosts *);

/*
 * The LIBSSH2_METHOD_HOSTKEY preference for host:port: the key types
 * recorded for "[host]:port", then those for "host" (libssh2 accepts both),
 * then the rest we support; only names this libssh2 knows, as 1.10 drops
 * unknown ones with an overlapping memcpy().  NULL when none is recorded
 * (keep libssh2's default).  Lent until kh_free().
 */
const char *kh_prefs(struct known_hosts *, const char *host, int port);

/*
 * Verify the key of a handshaken session s for host:port under policy.
 * Returns 0 (verified, or accepted under accept-new/off), or DROVE_E_HOSTKEY
 * with err naming the host, key type and SHA256 fingerprint and, for an
 * unknown key, how to accept it; for a changed key the known_hosts file and
 * line to fix.  Under ask an unknown key (of a type not recorded for the
 * host) returns DROVE_AGAIN, err holding the strict message: the caller
 * asks the user, then calls again with accept-new or gives up with err.
 * Under accept-new an unknown key is remembered for the rest of the run
 * at once and queued for a thread of its own, which appends it to the file
 * (one locked, fsync'ed write), so that the caller's loop never waits on
 * the disk or on another process holding the file's lock.
 * *warning, when set, is a message to show the user (policy off, or a key
 * added): lent until the next call.
 */
int	kh_check(struct known_hosts *, LIBSSH2_SESSION *s, const char *host,
	    int port, enum drove_hostkey_policy, const char **warning,
	    struct drove_err *);

/*
 * Whether the last kh_check() or kh_verify() let a key through that differs
 * from the one known_hosts holds (policy off): as OpenSSH does, the caller
 * must then send no password (its warning says so), since whoever holds
 * that key may be a man in the middle.
 */
int	kh_changed(const struct known_hosts *);

/* The preference for hosts kh_prefs() has nothing for: ed25519 first. */
const char *kh_default_prefs(struct known_hosts *);

/* The known_hosts line ("[host]:port type base64", hashed when asked) of
 * the session's host key; *line is malloc'd. */
int	kh_scan_line(struct known_hosts *, LIBSSH2_SESSION *, const char *host,
	    int port, int hashed, char **line, struct drove_err *);

/* The type name ("ssh-ed25519") and SHA256 fingerprint (base64, no
 * padding) of the session's host key; 0 or DROVE_E_HOSTKEY. */
int	kh_key_info(LIBSSH2_SESSION *, const char **tname, char fp[48]);

/*
 * The same check for a raw key blob of libssh2 type keytype
 * (LIBSSH2_HOSTKEY_TYPE_*); kh_check() is this with the session's key.
 */
int	kh_verify(struct known_hosts *, const char *host, int port,
	    const char *key, size_t keylen, int keytype,
	    enum drove_hostkey_policy, const char **warning,
	    struct drove_err *);

#endif /* HOSTKEY_H */
