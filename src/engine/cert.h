/*
 * cert.h: OpenSSH user certificates, each attached to the identity whose
 * key it certifies (ident->cert) and offered before that key.
 *
 * Thread rules: load before the run starts; afterwards read-only, as the
 * identities.
 */
#ifndef CERT_H
#define CERT_H

#include <stddef.h>

#include "base/err.h"
#include "engine/ident.h"

/*
 * Read the certificate file path and attach it to the identity among keys
 * (NULL entries skipped) whose key it certifies, replacing any certificate
 * it had.  Returns 0, DROVE_E_IO (unreadable), DROVE_E_INVAL (not a user
 * certificate, or of none of the keys) or DROVE_E_NOMEM, with a message.
 */
int		 cert_load(const char *path, struct ident **keys, size_t nkeys,
		    struct drove_err *err);
/* Attach KEY-cert.pub to the file identity key when that file exists. */
int		 cert_beside(struct ident *key, struct drove_err *err);
/*
 * Why the libssh2 in use cannot authenticate with the certificate id,
 * written into buf; NULL when it can, or id is no certificate.
 */
const char	*cert_cannot(const struct ident *id, char *buf, size_t size);
/* Write into buf what drove can tell of a certificate the server refused
 * (expired, not yet valid); nothing when id is no certificate. */
void		 cert_refused(const struct ident *id, char *buf, size_t size);

#endif /* CERT_H */
