/*
 * cert.c: OpenSSH user certificates (PROTOCOL.certkeys): read from a
 * KEY-cert.pub file, matched to the identity whose key they certify, and
 * offered before that key.
 *
 * A certificate file is one line, "TYPE BASE64 [COMMENT]", whose blob is:
 * string type ("ssh-ed25519-cert-v01@openssh.com"), string nonce, the
 * public key's fields as in the plain key blob (one string for ed25519;
 * curve and point for ECDSA; mpints e and n for RSA), then uint64 serial,
 * uint32 type, string key id, string principals, uint64 valid after,
 * uint64 valid before, and the options, extensions, CA key and signature,
 * which only the server checks.  The plain key blob is rebuilt from the
 * type without its suffix and those fields, and must equal a loaded
 * identity's blob.  The certificate then becomes an identity of its own
 * (ident->cert): it offers the certificate's blob and signs with the key's
 * EVP_PKEY, which it holds a reference to; libssh2 names the plain
 * algorithm in the signature where it knows the type (caps.c).
 */
#include <openssl/evp.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libssh2.h>

#include "base/buf.h"
#include "engine/caps.h"
#include "engine/cert.h"
#include "engine/sshbuf.h"

#define CERT_SUFFIX	"-cert-v01@openssh.com"
#define CERT_FILE_MAX	(64 * 1024)

/* What a certificate blob says that drove uses. */
struct cert_info {
	char		 type[64];
	struct buf	 plain;		/* the certified key's blob */
	uint64_t	 after, before;	/* validity, seconds since 1970 */
};

/* A uint64 from the reader. */
static int
get_u64(struct sshbuf *b, uint64_t *v)
{
	uint32_t hi, lo;

	if (sshbuf_get_u32(b, &hi) != 0 || sshbuf_get_u32(b, &lo) != 0)
		return DROVE_E_INVAL;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

/* Parse a certificate blob into ci (ci->plain set up by the caller). */
static int
cert_parse(const unsigned char *blob, size_t len, struct cert_info *ci)
{
	const unsigned char *t, *f;
	size_t tlen, flen, plainlen, i, nfields;
	struct sshbuf b;
	uint64_t serial;
	uint32_t kind;

	sshbuf_from(&b, blob, len);
	if (sshbuf_get_string(&b, &t, &tlen) != 0 ||
	    tlen >= sizeof ci->type)
		return DROVE_E_INVAL;
	memcpy(ci->type, t, tlen);
	ci->type[tlen] = '\0';
	if (!caps_is_cert(ci->type))
		return DROVE_E_INVAL;
	plainlen = tlen - strlen(CERT_SUFFIX);
	if (strncmp(ci->type, "ssh-ed25519-", 12) == 0)
		nfields = 1;
	else if (strncmp(ci->type, "ecdsa-sha2-", 11) == 0 ||
	    strncmp(ci->type, "ssh-rsa-", 8) == 0)
		nfields = 2;
	else
		return DROVE_E_INVAL;
	if (sshbuf_get_string(&b, &f, &flen) != 0 ||	/* nonce */
	    sshbuf_put_string(&ci->plain, t, plainlen) != 0)
		return DROVE_E_INVAL;
	for (i = 0; i < nfields; i++)
		if (sshbuf_get_string(&b, &f, &flen) != 0 ||
		    sshbuf_put_string(&ci->plain, f, flen) != 0)
			return DROVE_E_INVAL;
	if (get_u64(&b, &serial) != 0 || sshbuf_get_u32(&b, &kind) != 0 ||
	    sshbuf_get_string(&b, &f, &flen) != 0 ||	/* key id */
	    sshbuf_get_string(&b, &f, &flen) != 0 ||	/* principals */
	    get_u64(&b, &ci->after) != 0 || get_u64(&b, &ci->before) != 0)
		return DROVE_E_INVAL;
	return kind == 1 ? 0 : DROVE_E_INVAL;	/* a user certificate */
}

/* Read the certificate file path: its blob into *blob. */
static int
cert_read(const char *path, struct buf *blob, struct drove_err *err)
{
	char line[CERT_FILE_MAX];
	size_t n, sp, len;
	FILE *fp;
	int r;

	if ((fp = fopen(path, "re")) == NULL)
		return err_set(err, DROVE_E_IO, "certificate %s: %s", path,
		    strerror(errno));
	n = fread(line, 1, sizeof line - 1, fp);
	fclose(fp);
	line[n] = '\0';
	sp = strcspn(line, " \t");
	if (line[sp] == '\0')
		return err_set(err, DROVE_E_INVAL, "certificate %s: not an "
		    "OpenSSH public key line", path);
	sp += strspn(line + sp, " \t");
	len = strcspn(line + sp, " \t\r\n");
	if ((r = ident_b64_decode(line + sp, len, blob)) != 0)
		return err_set(err, r, "certificate %s: bad base64", path);
	return 0;
}

/* Make the identity that offers certificate blob for key. */
static int
cert_ident(const char *path, struct ident *key, struct buf *blob,
    const char *type, struct drove_err *err)
{
	struct ident *c;

	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->label = strdup(path)) == NULL ||
	    (c->algo = strdup(type)) == NULL) {
		ident_free(c);
		return err_set(err, DROVE_E_NOMEM, "certificate %s: out of "
		    "memory", path);
	}
	c->blob = (unsigned char *)buf_steal(blob, &c->bloblen);
	if (key->pkey != NULL)
		EVP_PKEY_up_ref(key->pkey);
	c->pkey = key->pkey;
	c->agent = key->agent;
	ident_free(key->cert);
	key->cert = c;
	return 0;
}

/* Attach the certificate file path to the key among keys it certifies. */
int
cert_load(const char *path, struct ident **keys, size_t nkeys,
    struct drove_err *err)
{
	struct cert_info ci;
	struct buf blob;
	size_t i;
	int r;

	memset(&ci, 0, sizeof ci);
	buf_init(&ci.plain);
	buf_init(&blob);
	if ((r = cert_read(path, &blob, err)) != 0)
		goto out;
	if (cert_parse((unsigned char *)blob.data, blob.len, &ci) != 0) {
		r = err_set(err, DROVE_E_INVAL, "certificate %s: not an "
		    "OpenSSH user certificate", path);
		goto out;
	}
	for (i = 0; i < nkeys; i++) {
		if (keys[i] == NULL || keys[i]->bloblen != ci.plain.len ||
		    memcmp(keys[i]->blob, ci.plain.data, ci.plain.len) != 0)
			continue;
		r = cert_ident(path, keys[i], &blob, ci.type, err);
		goto out;
	}
	r = err_set(err, DROVE_E_INVAL, "certificate %s: its key matches no "
	    "key file (give its key with --key or IdentityFile)", path);
 out:
	buf_release(&ci.plain);
	buf_release(&blob);
	return r;
}

/* Attach KEY-cert.pub, when it exists, to the file key key. */
int
cert_beside(struct ident *key, struct drove_err *err)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof path, "%s-cert.pub", key->label) >=
	    sizeof path || access(path, F_OK) != 0)
		return 0;
	return cert_load(path, &key, 1, err);
}

/* Format a certificate time as local "YYYY-MM-DD HH:MM:SS". */
static void
cert_time(char *out, size_t size, uint64_t t)
{
	time_t tt = t > (uint64_t)INT64_MAX ? (time_t)INT64_MAX : (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, size, "%llu", (unsigned long long)t);
}

/* Why the libssh2 in use cannot authenticate with id (NULL: it can). */
const char *
cert_cannot(const struct ident *id, char *buf, size_t size)
{
	const char *need;

	if (!caps_is_cert(id->algo) || (need = caps_cert_needs(id->algo)) ==
	    NULL)
		return NULL;
	snprintf(buf, size, "certificate %s not used: libssh2 %s cannot sign "
	    "with %s (libssh2 >= %s can)", id->label, libssh2_version(0),
	    id->algo, need);
	return buf;
}

/* What the client can tell of a certificate the server refused. */
void
cert_refused(const struct ident *id, char *buf, size_t size)
{
	struct cert_info ci;
	char when[32];
	time_t now = time(NULL);

	if (!caps_is_cert(id->algo))
		return;
	memset(&ci, 0, sizeof ci);
	buf_init(&ci.plain);
	if (cert_parse(id->blob, id->bloblen, &ci) != 0)
		snprintf(buf, size, "certificate %s was refused", id->label);
	else if ((uint64_t)now >= ci.before) {
		cert_time(when, sizeof when, ci.before);
		snprintf(buf, size, "certificate %s expired on %s", id->label,
		    when);
	} else if ((uint64_t)now < ci.after) {
		cert_time(when, sizeof when, ci.after);
		snprintf(buf, size, "certificate %s is not valid before %s",
		    id->label, when);
	} else
		snprintf(buf, size, "certificate %s was refused (revoked, "
		    "or not for this user or CA?)", id->label);
	buf_release(&ci.plain);
}
