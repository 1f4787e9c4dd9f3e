/*
 * bcrypt.h: bcrypt_pbkdf, the key derivation of encrypted OpenSSH private
 * keys (openssh-key-v1, kdf "bcrypt"), built on Eksblowfish.
 *
 * OpenSSL has no bcrypt_pbkdf and its Blowfish hides the expand-state steps,
 * so both live here.  Pure computation: no allocation, thread-safe.
 */
#ifndef BCRYPT_H
#define BCRYPT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Derive keylen bytes (at most 1024) from pass and salt with the given number
 * of rounds, as OpenBSD's bcrypt_pbkdf(3).  Returns 0, or DROVE_E_INVAL when
 * an argument is out of range (empty pass, salt or key, rounds 0) or
 * DROVE_E_NOMEM.
 */
int	bcrypt_pbkdf(const char *pass, size_t passlen, const uint8_t *salt,
	    size_t saltlen, uint8_t *key, size_t keylen, unsigned int rounds);

#endif /* BCRYPT_H */
