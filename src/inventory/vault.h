/*
 * vault.h: decryption of Ansible vault texts (formats 1.1 and 1.2).
 *
 * No state and no locks: safe from any thread.
 */
#ifndef INVENTORY_VAULT_H
#define INVENTORY_VAULT_H

#include <stddef.h>

/* Whether s (after leading blanks) starts with "$ANSIBLE_VAULT;". */
int	vault_is(const char *s);

/*
 * Decrypt vault text s with the password (pwlen bytes).  On success *out is
 * the NUL-terminated plaintext (*outlen bytes, which may hold NULs), for
 * the caller to wipe and free.  Returns 0, DROVE_E_AUTH when the password
 * does not match, DROVE_E_INVENTORY for a malformed text or DROVE_E_NOMEM;
 * *why says why, lent from static storage.
 */
int	vault_decrypt(const char *s, const char *pw, size_t pwlen, char **out,
	    size_t *outlen, const char **why);

#endif /* INVENTORY_VAULT_H */
