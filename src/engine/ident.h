/*
 * ident.h: identities for public key authentication, from files and from
 * ssh-agent, behind one signing call.
 *
 * An identity file is read and, when encrypted, decrypted once per run
 * (passphrase from the callback or DROVE_KEY_PASSPHRASE); its key is kept as
 * an EVP_PKEY and every host's signature is made from it in memory.  Agent
 * identities sign through the non-blocking agent client (agent.h).
 *
 * Thread rules: an ident and its agent belong to one loop thread.
 */
#ifndef IDENT_H
#define IDENT_H

#include <stddef.h>

#include "base/err.h"
#include "drove.h"
#include "engine/loop.h"

struct agent;

struct ident {
	char		*label;		/* file path or agent key comment */
	char		*algo;		/* "ssh-ed25519", "ecdsa-sha2-nistp256" */
	unsigned char	*blob;		/* public key blob, SSH wire format */
	size_t		 bloblen;
	struct agent	*agent;		/* NULL for file keys */
	void		*pkey;		/* EVP_PKEY of a file key, else NULL */
	struct ident	*cert;		/* its certificate, offered first (owned;
					   cert.h), or NULL */
};

/*
 * One signature in progress for one session (embedded in the session, set up
 * with sign_req_init() and dropped with sign_req_release()).  The session
 * owns the wake task and cancels it itself before freeing it.
 */
struct sign_req {
	int		 state;		/* SIGN_IDLE, SIGN_PENDING, SIGN_DONE */
	int		 err;		/* DROVE_E_* when the agent failed */
	unsigned char	*sig;		/* inner signature, malloc'd */
	size_t		 siglen;
	struct loop_task *wake;		/* queued when the reply arrives */
	struct agent	*agent;		/* answering agent, if pending */
};
enum { SIGN_IDLE, SIGN_PENDING, SIGN_DONE };

/*
 * Load an identity file (OpenSSH or PEM/PKCS#8; ed25519, ECDSA, RSA),
 * decrypting it when needed; this may block (bcrypt_pbkdf), so call it
 * before sessions start.  The passphrase comes from $DROVE_KEY_PASSPHRASE,
 * else from the callback (asked at most once).  The public key is taken from
 * the private key; PATH.pub is not read.  Returns 0 and *out (free with
 * ident_free()), or DROVE_E_IO (missing/unreadable), DROVE_E_AUTH (wrong
 * passphrase or none given), DROVE_E_INVAL (format not understood) or
 * DROVE_E_NOMEM, with a message in err.
 */
int	ident_load(const char *path, drove_passphrase_cb *, void *cbarg,
	    struct ident **out, struct drove_err *err);
void	ident_free(struct ident *);	/* NULL-safe; file keys only */
/* Free the members of an ident embedded elsewhere (the agent's list). */
void	ident_release(struct ident *);

/* Decode len bytes of base64 at s into out: 0, DROVE_E_INVAL or _NOMEM. */
struct buf;
int	ident_b64_decode(const char *s, size_t len, struct buf *out);

/* Which RSA hash libssh2 asked for in the data to sign. */
enum { SIGN_RSA_SHA1, SIGN_RSA_SHA256, SIGN_RSA_SHA512 };
int	ident_rsa_method(const unsigned char *data, size_t len);

void	sign_req_init(struct sign_req *, struct loop_task *wake);
/*
 * Drop a request (the session is going away): a pending one is unlinked from
 * its agent, whose reply is then discarded, and any result is freed.
 */
void	sign_req_release(struct sign_req *);

/*
 * Sign data for libssh2's sign callback.  Returns 0 with *sig (malloc'd, the
 * inner signature libssh2 expects: 64 bytes for ed25519, mpint r || mpint s
 * for ECDSA, the raw RSA signature for ssh-rsa) that the caller hands to
 * libssh2; LIBSSH2_ERROR_EAGAIN while an agent reply is pending (req->wake is
 * queued when it arrives, then call again with the same data); or a negative
 * libssh2 error when signing failed (for agent keys req->err then holds
 * DROVE_E_AUTH).  A finished request is idle again, ready for the next host.
 */
int	ident_sign(struct ident *, struct sign_req *, const unsigned char *data,
	    size_t len, unsigned char **sig, size_t *siglen);

#endif /* IDENT_H */
