/*
 * caps.c: what the libssh2 drove runs with lets it do, decided from that
 * library's version at run time (libssh2_version()).  drove is built and
 * tested against libssh2 1.10.0 (Debian 12) and 1.11.1 (Debian 13).
 *
 * - rsa-sha2 (RFC 8332), from 1.11.0: libssh2 reads the server's
 *   server-sig-algs and has an RSA user key sign with rsa-sha2-512 or -256
 *   (naming the algorithm in the data drove signs, which ident.c and
 *   agent.c follow), and takes rsa-sha2-512/256 host keys.  1.10 signs RSA
 *   only with ssh-rsa (SHA-1), which OpenSSH 8.8 and later refuse, and
 *   cannot complete a key exchange with a server that has only RSA host
 *   keys.
 * - OpenSSH user certificates: libssh2 names the plain algorithm in the
 *   signature of a certificate ("ssh-ed25519" for an ssh-ed25519-cert-v01)
 *   only for the types it knows, as its src/userauth.c shows: ECDSA from
 *   1.10.0, RSA from 1.11.0 (with rsa-sha2), ed25519 in 1.11.1 (1.11.0 is
 *   not relied on for it).  With another type the signature is named after
 *   the certificate and the server refuses it, so drove does not offer it.
 * - Host certificates: no version lets drove see a server's certificate
 *   (libssh2_session_hostkey() gives the plain key), so known_hosts
 *   @cert-authority lines are never used (hostkey.c says so).
 */
#include <string.h>

#include <libssh2.h>

#include "drove.h"
#include "engine/caps.h"

#define V_1_11_0	0x010b00
#define V_1_11_1	0x010b01

/* Certificate types and the libssh2 version that signs with each. */
static const struct {
	const char	*prefix;	/* of the certificate's type name */
	int		 need;		/* LIBSSH2_VERSION_NUM, 0: any */
	const char	*needname;
	unsigned int	 feature;
} certs[] = {
	{ "ecdsa-sha2-", 0, NULL, DROVE_LIBSSH2_CERT_ECDSA },
	{ "ssh-rsa-", V_1_11_0, "1.11.0", DROVE_LIBSSH2_CERT_RSA },
	{ "ssh-ed25519-", V_1_11_1, "1.11.1", DROVE_LIBSSH2_CERT_ED25519 },
};
#define NCERTS	(sizeof certs / sizeof certs[0])

/* Whether the libssh2 in use is version v or later. */
static int
caps_at_least(int v)
{
	return v == 0 || libssh2_version(v) != NULL;
}

/* The run-time libssh2 version, "1.11.1". */
const char *
drove_libssh2_version(void)
{
	return libssh2_version(0);
}

/* What that libssh2 lets drove do: DROVE_LIBSSH2_* bits. */
unsigned int
drove_libssh2_features(void)
{
	unsigned int f = 0;
	size_t i;

	if (caps_at_least(V_1_11_0))
		f |= DROVE_LIBSSH2_RSA_SHA2;
	for (i = 0; i < NCERTS; i++)
		if (caps_at_least(certs[i].need))
			f |= certs[i].feature;
	return f;
}

/* Whether algo names an OpenSSH certificate type. */
int
caps_is_cert(const char *algo)
{
	const char *sfx = "-cert-v01@openssh.com";
	size_t n = strlen(algo), m = strlen(sfx);

	return n > m && strcmp(algo + n - m, sfx) == 0;
}

/*
 * The libssh2 version a certificate of type algo needs ("1.11.1"), or NULL
 * when the one in use can authenticate with it.
 */
const char *
caps_cert_needs(const char *algo)
{
	size_t i;

	for (i = 0; i < NCERTS; i++) {
		if (strncmp(algo, certs[i].prefix,
		    strlen(certs[i].prefix)) != 0)
			continue;
		return caps_at_least(certs[i].need) ? NULL : certs[i].needname;
	}
	return "a later version";
}
