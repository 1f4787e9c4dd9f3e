/*
 * caps.h: what the libssh2 drove runs with can do (rsa-sha2, certificates
 * by key type), from its run-time version.  The public side is
 * drove_libssh2_version() and drove_libssh2_features() in drove.h.
 *
 * Thread rules: none (the answers never change during a run).
 */
#ifndef CAPS_H
#define CAPS_H

/* Whether algo names an OpenSSH certificate type (...-cert-v01@openssh.com). */
int		 caps_is_cert(const char *algo);
/*
 * The libssh2 version ("1.11.1") a user certificate of type algo needs, or
 * NULL when the library in use can authenticate with it.
 */
const char	*caps_cert_needs(const char *algo);

#endif /* CAPS_H */
