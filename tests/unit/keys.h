/*
 * keys.h: test helpers for key files, defined in test-ident.c and shared
 * with test-agent.c: a private temp dir, ssh-keygen, the public blob of a
 * .pub file, and an independent OpenSSL check of a signature.
 */
#ifndef KEYS_H
#define KEYS_H

#include <stddef.h>

#include "base/buf.h"

int	tk_mkdir(char *dir, size_t size);
void	tk_rmdir(const char *dir);
int	tk_keygen(const char *dir, const char *name, const char *args,
	    const char *pass, char *path, size_t size);
int	tk_pub_blob(const char *path, struct buf *blob);
int	tk_verify(const unsigned char *blob, size_t bloblen,
	    const unsigned char *data, size_t len, const unsigned char *sig,
	    size_t siglen);

#endif /* KEYS_H */
