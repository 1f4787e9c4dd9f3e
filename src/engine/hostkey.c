/*
 * hostkey.c: host key verification against OpenSSH known_hosts files.
 *
 * libssh2 does the matching (libssh2_knownhost_checkp) against a collection
 * fed one line at a time, so a line it cannot parse costs that line only.
 * Beside it we keep our own index of the file: per entry its line, key type,
 * decoded key and either its names or its hashed salt and HMAC.  Plain names
 * go into a hash table at load; hashed entries are matched against a name
 * the first time that name is looked up (one HMAC per hashed entry, about
 * 0.3 us) and the result is kept in the same table, so each host name costs
 * O(n) once.  The index gives the host key preference and the file and line
 * of a changed key.
 *
 * libssh2 would compute an HMAC per hashed entry on every check, so hashed
 * lines are only parsed by libssh2 (into a scratch collection, to reject what
 * it cannot read) and each one we match is added to the real collection as a
 * plain entry under the name it matched.  Checks then cost string compares.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "engine/hostkey.h"

#define KH_HASH_LEN	20	/* HMAC-SHA1 */
#define KH_SALT_MAX	64
#define KH_BAD_SHOWN	8	/* bad line numbers named in the warning */
#define KH_NAME_MAX	255	/* longest host name libssh2 takes */

/* A key type we know: its known_hosts name, libssh2 bits, preference. */
struct kh_type {
	const char	*name;
	int		 keybit;	/* LIBSSH2_KNOWNHOST_KEY_* */
	int		 hosttype;	/* LIBSSH2_HOSTKEY_TYPE_* */
	const char	*pref[4];	/* for LIBSSH2_METHOD_HOSTKEY */
	int		 fallback;	/* offered when not recorded */
};

static const struct kh_type kh_types[] = {
	{ "ssh-ed25519", LIBSSH2_KNOWNHOST_KEY_ED25519,
	    LIBSSH2_HOSTKEY_TYPE_ED25519, { "ssh-ed25519" }, 1 },
	{ "ecdsa-sha2-nistp256", LIBSSH2_KNOWNHOST_KEY_ECDSA_256,
	    LIBSSH2_HOSTKEY_TYPE_ECDSA_256, { "ecdsa-sha2-nistp256" }, 1 },
	{ "ecdsa-sha2-nistp384", LIBSSH2_KNOWNHOST_KEY_ECDSA_384,
	    LIBSSH2_HOSTKEY_TYPE_ECDSA_384, { "ecdsa-sha2-nistp384" }, 1 },
	{ "ecdsa-sha2-nistp521", LIBSSH2_KNOWNHOST_KEY_ECDSA_521,
	    LIBSSH2_HOSTKEY_TYPE_ECDSA_521, { "ecdsa-sha2-nistp521" }, 1 },
	{ "ssh-rsa", LIBSSH2_KNOWNHOST_KEY_SSHRSA,
	    LIBSSH2_HOSTKEY_TYPE_RSA,
	    { "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa" }, 1 },
	{ "ssh-dss", LIBSSH2_KNOWNHOST_KEY_SSHDSS,
	    LIBSSH2_HOSTKEY_TYPE_DSS, { "ssh-dss" }, 0 },
};
#define KH_NTYPES	(sizeof kh_types / sizeof kh_types[0])

/*
 * An @cert-authority line: never used, as libssh2 shows drove only a
 * server's plain host key, never its certificate; kept to say so when a
 * host it names has an unknown key.
 */
struct kh_ca {
	int		 line;
	char		*patterns;	/* its host pattern list */
};

/* One known_hosts line we understood. */
struct kh_entry {
	int		 line;
	int		 type;		/* index into kh_types */
	int		 hashed;
	int		 revoked;	/* an @revoked line */
	unsigned char	*blob;		/* decoded key */
	size_t		 bloblen;
	unsigned char	 salt[KH_SALT_MAX];
	size_t		 saltlen;
	unsigned char	 hash[KH_HASH_LEN];
};

/* A host name ("web1" or "[web1]:2222") and the entries recorded for it. */
struct kh_name {
	char		*name;
	size_t		*ents;		/* indexes into ents[] */
	size_t		 nents, cap;
	int		 resolved;	/* hashed entries matched */
	char		*prefs;
	struct kh_name	*next;
};

struct known_hosts {
	LIBSSH2_SESSION		*holder;
	LIBSSH2_KNOWNHOSTS	*kh;
	LIBSSH2_KNOWNHOSTS	*scratch;	/* parses hashed lines */
	EVP_MAC_CTX		*mac;		/* HMAC-SHA1 */
	const char		**algs;		/* host key methods */
	int			 nalgs;
	char			*path;
	struct kh_entry		*ents;
	size_t			 nents, capents;
	size_t			*hashed;	/* hashed entries */
	size_t			 nhashed, caphashed;
	size_t			*revoked;	/* @revoked entries */
	size_t			 nrevoked, caprevoked;
	struct kh_name		**table;
	size_t			 tsize, tcount;
	int			 nlf;		/* newlines in file */
	off_t			 fsize;		/* its size then */
	int			 next_line;	/* the line an added key gets */
	/* the appender thread (kh_queue): lines to append, in order; once
	 * it runs, nlf and fsize are its own */
	pthread_mutex_t		 wlock;
	pthread_cond_t		 wcond;
	pthread_t		 writer;
	int			 writing;	/* the thread runs */
	int			 wstop;
	char			**wq;
	size_t			 nwq, capwq;
	struct drove_err	 werr;		/* its first failure */
	int			 wfailed;	/* lines not written */
	int			 nbad;
	int			 bad[KH_BAD_SHOWN];
	char			 loadwarn[256];
	char			 warn[512];
	int			 changed;	/* kh_changed() */
	char			 defprefs[256];	/* kh_default_prefs() */
	struct kh_ca		*cas;		/* @cert-authority lines */
	size_t			 ncas, capcas;
};

/* Make room for n + 1 elements of size sz in *p of capacity *cap. */
static int
kh_grow(void *pp, size_t *cap, size_t n, size_t sz)
{
	void **p = pp, *np;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if ((np = reallocarray(*p, ncap, sz)) == NULL)
		return DROVE_E_NOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

/* Append index i to the array *a holding *n of capacity *cap. */
static int
kh_push(size_t **a, size_t *n, size_t *cap, size_t i)
{
	if (kh_grow(a, cap, *n, sizeof **a) != 0)
		return DROVE_E_NOMEM;
	(*a)[(*n)++] = i;
	return 0;
}

/* FNV-1a of a string. */
static size_t
kh_strhash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}

/* Double the hash table of names. */
static int
kh_rehash(struct known_hosts *k)
{
	struct kh_name **nt, *n, *next;
	size_t i, nsize = k->tsize ? k->tsize * 2 : 256;

	if ((nt = calloc(nsize, sizeof *nt)) == NULL)
		return DROVE_E_NOMEM;
	for (i = 0; i < k->tsize; i++) {
		for (n = k->table[i]; n != NULL; n = next) {
			next = n->next;
			n->next = nt[kh_strhash(n->name) & (nsize - 1)];
			nt[kh_strhash(n->name) & (nsize - 1)] = n;
		}
	}
	free(k->table);
	k->table = nt;
	k->tsize = nsize;
	return 0;
}

/* The table node for name, created when missing; NULL when out of memory. */
static struct kh_name *
kh_name_get(struct known_hosts *k, const char *name, size_t len)
{
	struct kh_name *n;
	char *s;
	size_t b;

	if ((s = strndup(name, len)) == NULL)
		return NULL;
	if (k->tsize != 0) {
		b = kh_strhash(s) & (k->tsize - 1);
		for (n = k->table[b]; n != NULL; n = n->next) {
			if (strcmp(n->name, s) == 0) {
				free(s);
				return n;
			}
		}
	}
	if ((k->tcount >= k->tsize && kh_rehash(k) != 0) ||
	    (n = calloc(1, sizeof *n)) == NULL) {
		free(s);
		return NULL;
	}
	n->name = s;
	b = kh_strhash(s) & (k->tsize - 1);
	n->next = k->table[b];
	k->table[b] = n;
	k->tcount++;
	return n;
}

/* Decode base64 of length len into a new buffer; 0 or -1. */
static int
kh_b64dec(const char *s, size_t len, unsigned char **out, size_t *outlen)
{
	unsigned char *b;
	int n;

	*out = NULL;
	if (len == 0 || len % 4 != 0 || len > INT32_MAX)
		return -1;
	if ((b = malloc(len / 4 * 3 + 1)) == NULL)
		return -1;
	if ((n = EVP_DecodeBlock(b, (const unsigned char *)s, (int)len)) < 0) {
		free(b);
		return -1;
	}
	if (s[len - 1] == '=')
		n--;
	if (s[len - 2] == '=')
		n--;
	*out = b;
	*outlen = (size_t)n;
	return 0;
}

/* Encode len bytes as base64 into out (4 * ceil(len / 3) + 1 bytes). */
static void
kh_b64enc(char *out, const unsigned char *in, size_t len)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

/* The OpenSSH SHA256 fingerprint of a key blob, without padding. */
static void
kh_fingerprint(char out[48], const unsigned char *blob, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *eq;

	EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL);
	kh_b64enc(out, md, mdlen);
	if ((eq = strchr(out, '=')) != NULL)
		*eq = '\0';
}

/* A reusable HMAC-SHA1 context, or NULL. */
static EVP_MAC_CTX *
kh_mac_new(void)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
		    (char *)"SHA1", 0),
		OSSL_PARAM_construct_end()
	};
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx = NULL;

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return NULL;
	if ((ctx = EVP_MAC_CTX_new(mac)) != NULL &&
	    EVP_MAC_CTX_set_params(ctx, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		ctx = NULL;
	}
	EVP_MAC_free(mac);
	return ctx;
}

/* HMAC-SHA1 of name keyed by salt, as in hashed names; 0 or -1. */
static int
kh_hmac(struct known_hosts *k, unsigned char out[KH_HASH_LEN],
    const unsigned char *salt, size_t saltlen, const char *name)
{
	size_t len;

	if (EVP_MAC_init(k->mac, salt, saltlen, NULL) != 1 ||
	    EVP_MAC_update(k->mac, (const unsigned char *)name,
	    strlen(name)) != 1 ||
	    EVP_MAC_final(k->mac, out, &len, KH_HASH_LEN) != 1 ||
	    len != KH_HASH_LEN)
		return -1;
	return 0;
}

/* The key type table index for a known_hosts type name, or -1. */
static int
kh_type_byname(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < KH_NTYPES; i++)
		if (strlen(kh_types[i].name) == len &&
		    memcmp(kh_types[i].name, s, len) == 0)
			return (int)i;
	return -1;
}

/* The key type table index for a LIBSSH2_HOSTKEY_TYPE_*, or -1. */
static int
kh_type_byhost(int hosttype)
{
	size_t i;

	for (i = 0; i < KH_NTYPES; i++)
		if (kh_types[i].hosttype == hosttype)
			return (int)i;
	return -1;
}

/* Split the next blank-separated field off *p; its length, 0 at the end. */
static size_t
kh_field(const char **p, const char **start)
{
	const char *s = *p;

	s += strspn(s, " \t");
	*start = s;
	s += strcspn(s, " \t");
	*p = s;
	return (size_t)(s - *start);
}

/* Parse "|1|salt|hash" into e; 0 or -1. */
static int
kh_parse_hashed(struct kh_entry *e, const char *s, size_t len)
{
	const char *bar;
	unsigned char *salt = NULL, *hash = NULL;
	size_t saltlen, hashlen;
	int r = -1;

	s += 3;
	len -= 3;
	if ((bar = memchr(s, '|', len)) == NULL)
		goto out;
	if (kh_b64dec(s, (size_t)(bar - s), &salt, &saltlen) != 0 ||
	    kh_b64dec(bar + 1, len - (size_t)(bar - s) - 1, &hash,
	    &hashlen) != 0)
		goto out;
	if (saltlen > KH_SALT_MAX || hashlen != KH_HASH_LEN)
		goto out;
	memcpy(e->salt, salt, saltlen);
	e->saltlen = saltlen;
	memcpy(e->hash, hash, KH_HASH_LEN);
	e->hashed = 1;
	r = 0;
 out:
	free(salt);
	free(hash);
	return r;
}

/* Add a plain name with a base64 key of type t to libssh2's collection. */
static int
kh_add_plain(struct known_hosts *k, const char *name, size_t len,
    const char *key, size_t keylen, int t)
{
	char *buf;
	int r;

	if ((buf = strndup(name, len)) == NULL)
		return -1;
	r = libssh2_knownhost_addc(k->kh, buf, NULL, key, keylen, NULL, 0,
	    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_BASE64 |
	    kh_types[t].keybit, NULL);
	free(buf);
	return r;
}

/*
 * Index a line libssh2 accepted (markers already removed); 0, 1 for a line
 * we do not index (an unknown key type) or -1 when it is malformed.
 */
static int
kh_index(struct known_hosts *k, const char *line, int lineno, int revoked)
{
	struct kh_entry e;
	struct kh_name *n;
	const char *p = line, *hosts, *type, *key, *name, *comma;
	size_t hostslen, typelen, keylen, i;

	memset(&e, 0, sizeof e);
	e.line = lineno;
	e.revoked = revoked;
	hostslen = kh_field(&p, &hosts);
	typelen = kh_field(&p, &type);
	keylen = kh_field(&p, &key);
	if ((e.type = kh_type_byname(type, typelen)) == -1)
		return 1;
	if (hostslen == 0 || kh_b64dec(key, keylen, &e.blob, &e.bloblen) != 0)
		return -1;
	if (hostslen >= 3 && memcmp(hosts, "|1|", 3) == 0 &&
	    kh_parse_hashed(&e, hosts, hostslen) != 0)
		goto fail;
	/* libssh2 1.10 drops a host field shorter than "|1|": add it here */
	if (!e.hashed && !revoked && hostslen < 3 &&
	    kh_add_plain(k, hosts, hostslen, key, keylen, e.type) != 0)
		goto fail;
	if (kh_grow(&k->ents, &k->capents, k->nents, sizeof *k->ents) != 0) {
		free(e.blob);
		return DROVE_E_NOMEM;
	}
	i = k->nents;
	k->ents[k->nents++] = e;
	if (revoked)
		return kh_push(&k->revoked, &k->nrevoked, &k->caprevoked, i);
	if (e.hashed)
		return kh_push(&k->hashed, &k->nhashed, &k->caphashed, i);
	for (name = hosts; name < hosts + hostslen; name = comma + 1) {
		if ((comma = memchr(name, ',', hostslen - (name - hosts))) ==
		    NULL)
			comma = hosts + hostslen;
		if ((n = kh_name_get(k, name, (size_t)(comma - name))) ==
		    NULL || kh_push(&n->ents, &n->nents, &n->cap, i) != 0)
			return DROVE_E_NOMEM;
	}
	return 0;
 fail:
	free(e.blob);
	return -1;
}

/* Remember a line we could not use, for the load warning. */
static void
kh_bad_line(struct known_hosts *k, int lineno)
{
	if (k->nbad < KH_BAD_SHOWN)
		k->bad[k->nbad] = lineno;
	k->nbad++;
}

/* Empty the scratch collection. */
static void
kh_scratch_clear(struct known_hosts *k)
{
	struct libssh2_knownhost *e;

	while (libssh2_knownhost_get(k->scratch, &e, NULL) == 0)
		libssh2_knownhost_del(k->scratch, e);
}

/* Keep the host patterns of an @cert-authority line (text after the
 * marker); 0, -1 for a line without them, or DROVE_E_NOMEM. */
static int
kh_ca_add(struct known_hosts *k, const char *text, int lineno)
{
	struct kh_ca *ca;
	size_t n;

	text += strspn(text, " \t");
	if ((n = strcspn(text, " \t")) == 0)
		return -1;
	if (kh_grow(&k->cas, &k->capcas, k->ncas, sizeof *k->cas) != 0)
		return DROVE_E_NOMEM;
	ca = &k->cas[k->ncas];
	if ((ca->patterns = strndup(text, n)) == NULL)
		return DROVE_E_NOMEM;
	ca->line = lineno;
	k->ncas++;
	return 0;
}

/* Whether name matches pattern p, whose only specials are "*" and "?"
 * (brackets are plain, as in "[host]:*"). */
static int
kh_glob(const char *p, size_t plen, const char *name)
{
	if (plen == 0)
		return *name == '\0';
	if (*p == '*')
		return kh_glob(p + 1, plen - 1, name) ||
		    (*name != '\0' && kh_glob(p, plen, name + 1));
	return *name != '\0' && (*p == '?' || *p == *name) &&
	    kh_glob(p + 1, plen - 1, name + 1);
}

/* Whether the pattern list pats ("a,*.b,!c", as in known_hosts) takes
 * name. */
static int
kh_ca_matches(const char *pats, const char *name)
{
	int yes = 0;
	size_t n;

	while (*pats != '\0') {
		n = strcspn(pats, ",");
		if (pats[0] == '!' && kh_glob(pats + 1, n - 1, name))
			return 0;
		if (pats[0] != '!' && kh_glob(pats, n, name))
			yes = 1;
		pats += n + (pats[n] == ',');
	}
	return yes;
}

/*
 * Take one line (without its newline) into libssh2's collection and our
 * index; 0, -1 for a line skipped as bad, or DROVE_E_NOMEM.
 */
static int
kh_ingest(struct known_hosts *k, char *line, int lineno)
{
	char *p = line + strspn(line, " \t");
	size_t mlen;
	int r;

	if (*p == '\0' || *p == '#')
		return 0;
	if (*p == '@') {
		mlen = strcspn(p, " \t");
		if (mlen == 8 && strncmp(p, "@revoked", 8) == 0)
			r = kh_index(k, p + mlen, lineno, 1);
		else if (mlen == 15 && strncmp(p, "@cert-authority", 15) == 0)
			r = kh_ca_add(k, p + mlen, lineno);
		else
			r = -1;
	} else if (libssh2_knownhost_readline(strncmp(p, "|1|", 3) == 0 ?
	    k->scratch : k->kh, p, strlen(p),
	    LIBSSH2_KNOWNHOST_FILE_OPENSSH) != 0)
		r = -1;
	else
		r = kh_index(k, p, lineno, 0);
	kh_scratch_clear(k);
	if (r == DROVE_E_NOMEM)
		return r;
	return r < 0 ? -1 : 0;
}

/* Set the load warning naming the lines skipped. */
static void
kh_set_loadwarn(struct known_hosts *k)
{
	size_t off;
	int i;

	if (k->nbad == 0)
		return;
	off = (size_t)snprintf(k->loadwarn, sizeof k->loadwarn,
	    "skipped %d unreadable line%s in %s (line", k->nbad,
	    k->nbad == 1 ? "" : "s", k->path);
	for (i = 0; i < k->nbad && i < KH_BAD_SHOWN &&
	    off < sizeof k->loadwarn; i++)
		off += (size_t)snprintf(k->loadwarn + off,
		    sizeof k->loadwarn - off, "%s%d", i ? ", " : " ",
		    k->bad[i]);
	if (off < sizeof k->loadwarn)
		snprintf(k->loadwarn + off, sizeof k->loadwarn - off, "%s)",
		    k->nbad > KH_BAD_SHOWN ? ", ..." : "");
}

/* An empty struct known_hosts with its appender's lock; NULL. */
static struct known_hosts *
kh_new(void)
{
	struct known_hosts *k;

	if ((k = calloc(1, sizeof *k)) == NULL)
		return NULL;
	pthread_mutex_init(&k->wlock, NULL);
	pthread_cond_init(&k->wcond, NULL);
	return k;
}

/* Load path into a new struct known_hosts. */
int
kh_load(const char *path, struct known_hosts **out, struct drove_err *err)
{
	struct known_hosts *k = NULL;
	FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int r = DROVE_E_NOMEM, rc, lineno = 0;

	*out = NULL;
	if ((k = kh_new()) == NULL ||
	    (k->path = strdup(path)) == NULL ||
	    (k->holder = libssh2_session_init()) == NULL ||
	    (k->kh = libssh2_knownhost_init(k->holder)) == NULL ||
	    (k->scratch = libssh2_knownhost_init(k->holder)) == NULL ||
	    (k->mac = kh_mac_new()) == NULL) {
		err_set(err, r, "load %s: out of memory", path);
		goto out;
	}
	if ((k->nalgs = libssh2_session_supported_algs(k->holder,
	    LIBSSH2_METHOD_HOSTKEY, &k->algs)) < 0) {
		k->nalgs = 0;
		k->algs = NULL;
		err_set(err, r, "load %s: out of memory", path);
		goto out;
	}
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			goto done;
		r = err_set(err, DROVE_E_IO, "open %s: %s", path,
		    strerror(errno));
		goto out;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		k->fsize += len;
		if (line[len - 1] == '\n')
			k->nlf++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if ((rc = kh_ingest(k, line, lineno)) == DROVE_E_NOMEM) {
			err_set(err, r, "load %s: out of memory", path);
			goto out;
		}
		if (rc != 0)
			kh_bad_line(k, lineno);
	}
	if (ferror(f)) {
		r = err_set(err, DROVE_E_IO, "read %s: %s", path,
		    strerror(errno));
		goto out;
	}
	kh_set_loadwarn(k);
 done:
	k->next_line = lineno;
	*out = k;
	k = NULL;
	r = 0;
 out:
	if (f != NULL)
		fclose(f);
	free(line);
	kh_free(k);
	return r;
}

/* Free a struct known_hosts. */
void
kh_free(struct known_hosts *k)
{
	struct kh_name *n, *next;
	struct drove_err e;
	size_t i;

	if (k == NULL)
		return;
	kh_flush(k, &e);
	for (i = 0; i < k->nwq; i++)
		free(k->wq[i]);
	free(k->wq);
	pthread_cond_destroy(&k->wcond);
	pthread_mutex_destroy(&k->wlock);
	for (i = 0; i < k->tsize; i++) {
		for (n = k->table[i]; n != NULL; n = next) {
			next = n->next;
			free(n->name);
			free(n->ents);
			free(n->prefs);
			free(n);
		}
	}
	for (i = 0; i < k->nents; i++)
		free(k->ents[i].blob);
	if (k->kh != NULL)
		libssh2_knownhost_free(k->kh);
	if (k->scratch != NULL)
		libssh2_knownhost_free(k->scratch);
	EVP_MAC_CTX_free(k->mac);
	if (k->algs != NULL)
		libssh2_free(k->holder, k->algs);
	if (k->holder != NULL)
		libssh2_session_free(k->holder);
	free(k->table);
	free(k->ents);
	free(k->hashed);
	free(k->revoked);
	for (i = 0; i < k->ncas; i++)
		free(k->cas[i].patterns);
	free(k->cas);
	free(k->path);
	free(k);
}

/* Lines of the file skipped at load, as a warning; NULL when none. */
const char *
kh_load_warning(struct known_hosts *k)
{
	return k->nbad ? k->loadwarn : NULL;
}

/* Write the lookup name for host:port ("host" or "[host]:port"). */
static void
kh_hostname(char *buf, size_t size, const char *host, int port)
{
	if (port == 22)
		snprintf(buf, size, "%s", host);
	else
		snprintf(buf, size, "[%s]:%d", host, port);
}

/*
 * Record that hashed entry i matches the name of n, in n and as a plain
 * entry of libssh2's collection; 0 or -1.
 */
static int
kh_matched(struct known_hosts *k, struct kh_name *n, size_t i)
{
	struct kh_entry *e = &k->ents[i];
	char *b64;
	int r = -1;

	if ((b64 = malloc(e->bloblen / 3 * 4 + 5)) == NULL)
		return -1;
	kh_b64enc(b64, e->blob, e->bloblen);
	if (kh_push(&n->ents, &n->nents, &n->cap, i) == 0 &&
	    kh_add_plain(k, n->name, strlen(n->name), b64, strlen(b64),
	    e->type) == 0)
		r = 0;
	free(b64);
	return r;
}

/*
 * The index nodes of names[0..n) with their hashed entries matched.  A
 * hashed entry can only be tested by an HMAC of the name with its salt, so
 * each unresolved name costs one HMAC per hashed entry, once per run; the
 * names share one key setup per entry.  NULL when out of memory.
 */
static int
kh_lookup(struct known_hosts *k, const char *const *names, int n,
    struct kh_name **out)
{
	unsigned char h[KH_HASH_LEN];
	struct kh_entry *e;
	size_t i, len;
	int j, todo = 0, first;

	for (j = 0; j < n; j++) {
		if ((out[j] = kh_name_get(k, names[j], strlen(names[j]))) ==
		    NULL)
			return -1;
		todo += !out[j]->resolved;
	}
	for (i = 0; i < k->nhashed && todo > 0; i++) {
		e = &k->ents[k->hashed[i]];
		for (j = 0, first = 1; j < n; j++) {
			if (out[j]->resolved)
				continue;
			/* a NULL key reuses the salt set for the first name */
			if (EVP_MAC_init(k->mac, first ? e->salt : NULL,
			    first ? e->saltlen : 0, NULL) != 1 ||
			    EVP_MAC_update(k->mac, (const unsigned char *)
			    names[j], strlen(names[j])) != 1 ||
			    EVP_MAC_final(k->mac, h, &len, KH_HASH_LEN) != 1)
				return -1;
			first = 0;
			if (len == KH_HASH_LEN &&
			    memcmp(h, e->hash, KH_HASH_LEN) == 0 &&
			    kh_matched(k, out[j], k->hashed[i]) != 0)
				return -1;
		}
	}
	for (j = 0; j < n; j++)
		out[j]->resolved = 1;
	return 0;
}

/*
 * The nodes known_hosts keeps host:port under: "[host]:port" then "host",
 * or "host" alone on port 22; returns how many, 0 when out of memory or
 * when host is too long for libssh2.
 */
static int
kh_nodes(struct known_hosts *k, const char *host, int port,
    struct kh_name *nodes[2])
{
	char name[KH_NAME_MAX + 16];
	const char *names[2];
	int nn = 0;

	if (strlen(host) > KH_NAME_MAX)
		return 0;
	if (port != 22) {
		kh_hostname(name, sizeof name, host, port);
		names[nn++] = name;
	}
	names[nn++] = host;
	return kh_lookup(k, names, nn, nodes) == 0 ? nn : 0;
}

/*
 * Append the method names of type i that this libssh2 supports to buf:
 * libssh2 1.10 drops unknown names from a preference with an overlapping
 * memcpy(), so they are never passed to it.
 */
static void
kh_pref_append(struct known_hosts *k, char *buf, size_t size, size_t *off,
    size_t i)
{
	const char *const *m;
	int a;

	for (m = kh_types[i].pref; *m != NULL; m++) {
		for (a = 0; a < k->nalgs; a++) {
			if (strcmp(k->algs[a], *m) != 0 || *off >= size)
				continue;
			*off += (size_t)snprintf(buf + *off, size - *off,
			    "%s%s", *off ? "," : "", *m);
		}
	}
}

/* The host key preference: types for "[host]:port", "host", then the rest. */
const char *
kh_prefs(struct known_hosts *k, const char *host, int port)
{
	struct kh_name *nodes[2];
	char buf[256];
	size_t i, off = 0;
	int nn, j, pass, rec[KH_NTYPES] = { 0 }, any = 0;

	if ((nn = kh_nodes(k, host, port, nodes)) == 0)
		return NULL;
	if (nodes[0]->prefs != NULL)
		return nodes[0]->prefs;
	for (j = nn - 1; j >= 0; j--) {
		for (i = 0; i < nodes[j]->nents; i++) {
			rec[k->ents[nodes[j]->ents[i]].type] = nn - j;
			any = 1;
		}
	}
	if (!any)
		return NULL;
	buf[0] = '\0';
	for (pass = nn; pass >= 0; pass--) {
		for (i = 0; i < KH_NTYPES; i++) {
			if (rec[i] == pass && (pass || kh_types[i].fallback))
				kh_pref_append(k, buf, sizeof buf, &off, i);
		}
	}
	if (off == 0)
		return NULL;
	nodes[0]->prefs = strdup(buf);
	return nodes[0]->prefs;
}

/* What the index knows of host:port for a key of type t. */
struct kh_found {
	struct kh_entry	*same;		/* same type, same key */
	struct kh_entry	*old;		/* same type, another key */
	struct kh_entry	*other;		/* another type */
	const char	*oldname;	/* the name old is recorded under */
};

/* Whether entry e holds key. */
static int
kh_same(const struct kh_entry *e, const unsigned char *key, size_t keylen)
{
	return e->bloblen == keylen && memcmp(e->blob, key, keylen) == 0;
}

/*
 * Look for the entries of host:port against a key of type t.  On a port
 * other than 22 the "[host]:port" entries decide alone; only when there are
 * none does an entry of the plain host with the same key vouch for it, as
 * OpenSSH does: another key there is the port-22 server's, not a change.
 */
static int
kh_find(struct known_hosts *k, const char *host, int port, int t,
    const unsigned char *key, size_t keylen, struct kh_found *f)
{
	struct kh_name *nodes[2];
	struct kh_entry *e;
	size_t i;
	int nn;

	memset(f, 0, sizeof *f);
	if ((nn = kh_nodes(k, host, port, nodes)) == 0)
		return DROVE_E_NOMEM;
	for (i = 0; i < nodes[0]->nents; i++) {
		e = &k->ents[nodes[0]->ents[i]];
		if (e->type != t) {
			if (f->other == NULL || e->line < f->other->line)
				f->other = e;
		} else if (kh_same(e, key, keylen))
			f->same = e;
		else if (f->old == NULL || e->line < f->old->line) {
			f->old = e;
			f->oldname = nodes[0]->name;
		}
	}
	for (i = 0; nn > 1 && nodes[0]->nents == 0 && i < nodes[1]->nents;
	    i++) {
		e = &k->ents[nodes[1]->ents[i]];
		if (e->type == t && kh_same(e, key, keylen))
			f->same = e;
	}
	return 0;
}

/* The @revoked entry for key, or NULL. */
static struct kh_entry *
kh_find_revoked(struct known_hosts *k, const unsigned char *key,
    size_t keylen)
{
	struct kh_entry *e;
	size_t i;

	for (i = 0; i < k->nrevoked; i++) {
		e = &k->ents[k->revoked[i]];
		if (kh_same(e, key, keylen))
			return e;
	}
	return NULL;
}

/* Create the directory holding path (0700) when it is missing. */
static int
kh_mkparent(const char *path, struct drove_err *err)
{
	char *dup, *dir;
	int r = 0;

	if ((dup = strdup(path)) == NULL)
		return err_set(err, DROVE_E_NOMEM, "add host key: out of "
		    "memory");
	dir = dirname(dup);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		r = err_set(err, DROVE_E_IO, "create %s: %s", dir,
		    strerror(errno));
	free(dup);
	return r;
}

/* Count the newlines of fd between offsets from and to. */
static int
kh_count_lines(int fd, off_t from, off_t to)
{
	char buf[65536];
	ssize_t n;
	int lines = 0;
	char *p, *end;

	while (from < to && (n = pread(fd, buf, sizeof buf, from)) > 0) {
		if (n > to - from)
			n = to - from;
		from += n;
		for (p = buf, end = buf + n;
		    (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			lines++;
	}
	return lines;
}

/*
 * Append line to the file under an exclusive lock in one write, and return
 * its line number in *lineno.
 */
static int
kh_append(struct known_hosts *k, const char *line, int *lineno,
    struct drove_err *err)
{
	struct stat st;
	char last = '\n', *buf = NULL;
	size_t len;
	int fd, r;

	if ((r = kh_mkparent(k->path, err)) != 0)
		return r;
	if ((fd = open(k->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1)
		return err_set(err, DROVE_E_IO, "open %s: %s", k->path,
		    strerror(errno));
	r = DROVE_E_IO;
	if (flock(fd, LOCK_EX) != 0 || fstat(fd, &st) != 0) {
		err_set(err, r, "lock %s: %s", k->path, strerror(errno));
		goto out;
	}
	if (st.st_size < k->fsize) {
		k->fsize = 0;
		k->nlf = 0;
	}
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1) {
		err_set(err, r, "read %s: %s", k->path, strerror(errno));
		goto out;
	}
	k->nlf += kh_count_lines(fd, k->fsize, st.st_size);
	len = strlen(line) + (last == '\n' ? 1 : 2);
	if ((buf = malloc(len + 1)) == NULL) {
		r = err_set(err, DROVE_E_NOMEM, "add host key: out of memory");
		goto out;
	}
	snprintf(buf, len + 1, "%s%s\n", last == '\n' ? "" : "\n", line);
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd) != 0) {
		err_set(err, r, "write %s: %s", k->path, strerror(errno));
		goto out;
	}
	k->nlf += last == '\n' ? 1 : 2;
	k->fsize = st.st_size + (off_t)len;
	*lineno = k->nlf;
	r = 0;
 out:
	free(buf);
	close(fd);
	return r;
}

/*
 * The appender thread: append the queued lines in order, each under the
 * file's lock and fsync'ed (kh_append), off the loop thread that accepted
 * the key; the key is trusted for the rest of the run from the moment it
 * is queued.  The first failure is kept for kh_flush().
 */
static void *
kh_writer(void *arg)
{
	struct known_hosts *k = arg;
	struct drove_err e;
	char *line;
	int lineno, r;

	pthread_mutex_lock(&k->wlock);
	for (;;) {
		while (k->nwq == 0 && !k->wstop)
			pthread_cond_wait(&k->wcond, &k->wlock);
		if (k->nwq == 0)
			break;
		line = k->wq[0];
		memmove(k->wq, k->wq + 1, --k->nwq * sizeof *k->wq);
		pthread_mutex_unlock(&k->wlock);
		err_clear(&e);
		r = kh_append(k, line, &lineno, &e);
		free(line);
		pthread_mutex_lock(&k->wlock);
		if (r != 0 && k->wfailed++ == 0)
			k->werr = e;
	}
	pthread_mutex_unlock(&k->wlock);
	return NULL;
}

/* Queue line (taken) for the appender thread, started at the first. */
static int
kh_queue(struct known_hosts *k, char *line, struct drove_err *err)
{
	char **v;
	size_t n;
	int r = 0;

	pthread_mutex_lock(&k->wlock);
	if (!k->writing) {
		if (pthread_create(&k->writer, NULL, kh_writer, k) != 0) {
			pthread_mutex_unlock(&k->wlock);
			free(line);
			return err_set(err, DROVE_E_INTERNAL, "add host key: "
			    "no thread to write %s", k->path);
		}
		k->writing = 1;
	}
	if (k->nwq == k->capwq) {
		n = k->capwq ? k->capwq * 2 : 16;
		if ((v = reallocarray(k->wq, n, sizeof *v)) == NULL) {
			free(line);
			r = err_set(err, DROVE_E_NOMEM, "add host key: out of "
			    "memory");
			goto out;
		}
		k->wq = v;
		k->capwq = n;
	}
	k->wq[k->nwq++] = line;
	pthread_cond_signal(&k->wcond);
 out:
	pthread_mutex_unlock(&k->wlock);
	return r;
}

/* Write every queued key to the file and stop the appender. */
int
kh_flush(struct known_hosts *k, struct drove_err *err)
{
	if (k == NULL || !k->writing)
		return 0;
	pthread_mutex_lock(&k->wlock);
	k->wstop = 1;
	pthread_cond_signal(&k->wcond);
	pthread_mutex_unlock(&k->wlock);
	pthread_join(k->writer, NULL);
	k->writing = 0;
	k->wstop = 0;
	if (k->wfailed == 0)
		return 0;
	return err_set(err, k->werr.code, "%d host key%s not added to %s: %s",
	    k->wfailed, k->wfailed == 1 ? "" : "s", k->path, k->werr.msg);
}

/* Most entries of the file are hashed: new ones are hashed too. */
static int
kh_file_hashed(struct known_hosts *k)
{
	return k->nhashed * 2 > k->nents - k->nrevoked;
}

/* The known_hosts line for host:port and key of type t, hashed or not;
 * *out is malloc'd. */
static int
kh_format(struct known_hosts *k, const char *host, int port, int t,
    const unsigned char *key, size_t keylen, int hashed, char **out,
    struct drove_err *err)
{
	unsigned char salt[KH_HASH_LEN], hash[KH_HASH_LEN];
	char name[300], hname[80], *b64 = NULL, *line = NULL;
	size_t len;
	int r = DROVE_E_NOMEM;

	*out = NULL;
	kh_hostname(name, sizeof name, host, port);
	if ((b64 = malloc(keylen / 3 * 4 + 5)) == NULL)
		goto nomem;
	kh_b64enc(b64, key, keylen);
	if (hashed) {
		if (RAND_bytes(salt, sizeof salt) != 1) {
			r = err_set(err, DROVE_E_INTERNAL, "add host key: no "
			    "random bytes for the salt");
			goto out;
		}
		if (kh_hmac(k, hash, salt, sizeof salt, name) != 0) {
			r = err_set(err, DROVE_E_INTERNAL, "add host key: "
			    "HMAC-SHA1 failed");
			goto out;
		}
		memcpy(hname, "|1|", 3);
		kh_b64enc(hname + 3, salt, sizeof salt);
		strcat(hname, "|");
		kh_b64enc(hname + strlen(hname), hash, sizeof hash);
	}
	len = strlen(hashed ? hname : name) + strlen(kh_types[t].name) +
	    strlen(b64) + 3;
	if ((line = malloc(len)) == NULL)
		goto nomem;
	snprintf(line, len, "%s %s %s", hashed ? hname : name,
	    kh_types[t].name, b64);
	*out = line;
	line = NULL;
	r = 0;
	goto out;
 nomem:
	r = err_set(err, DROVE_E_NOMEM, "add host key: out of memory");
 out:
	free(b64);
	free(line);
	return r;
}

/*
 * Add host:port with key of type t to the file and the collection; on
 * success *lineno is the line written.
 */
static int
kh_add(struct known_hosts *k, const char *host, int port, int t,
    const unsigned char *key, size_t keylen, int *lineno,
    struct drove_err *err)
{
	struct kh_name *n;
	char name[300], *line = NULL;
	int r, hashed = kh_file_hashed(k);

	kh_hostname(name, sizeof name, host, port);
	if ((r = kh_format(k, host, port, t, key, keylen, hashed, &line,
	    err)) != 0)
		return r;
	*lineno = ++k->next_line;
	if ((r = kh_ingest(k, line, *lineno)) == DROVE_E_NOMEM)
		goto nomem;
	if (r != 0) {
		r = err_set(err, DROVE_E_INTERNAL, "add host key: libssh2 "
		    "rejected %s:%d", k->path, *lineno);
		goto out;
	}
	if (hashed && ((n = kh_name_get(k, name, strlen(name))) == NULL ||
	    (n->resolved && kh_matched(k, n, k->nents - 1) != 0)))
		goto nomem;
	if ((r = kh_queue(k, line, err)) != 0)
		goto out;
	line = NULL;
	r = 0;
	goto out;
 nomem:
	r = err_set(err, DROVE_E_NOMEM, "add host key: out of memory");
 out:
	free(line);
	return r;
}

/* Append to buf, for a host whose key is unknown, the @cert-authority line
 * that names it, which drove does not use. */
static void
kh_ca_note(struct known_hosts *k, const char *host, int port, char *buf,
    size_t size)
{
	char name[KH_NAME_MAX + 16];
	size_t i, off = strlen(buf);

	kh_hostname(name, sizeof name, host, port);
	for (i = 0; i < k->ncas && off < size; i++) {
		if (!kh_ca_matches(k->cas[i].patterns, name) &&
		    !kh_ca_matches(k->cas[i].patterns, host))
			continue;
		snprintf(buf + off, size - off, "; %s:%d is an "
		    "@cert-authority line for it, which drove does not use "
		    "(libssh2 shows drove only the host's plain key, never its "
		    "certificate)", k->path, k->cas[i].line);
		return;
	}
}

/* Verify a raw host key of libssh2 type keytype for host:port. */
int
kh_verify(struct known_hosts *k, const char *host, int port,
    const char *key, size_t keylen, int keytype,
    enum drove_hostkey_policy policy, const char **warning,
    struct drove_err *err)
{
	struct libssh2_knownhost *entry = NULL;
	const unsigned char *ukey = (const unsigned char *)key;
	struct kh_found f;
	struct kh_entry *rev;
	char disp[300], fp[48], oldfp[48], other[600];
	const char *tname;
	char *msg;
	int t, rc, line = 0, r;

	*warning = NULL;
	k->changed = 0;
	if (strlen(host) > KH_NAME_MAX)
		return err_set(err, DROVE_E_HOSTKEY, "host key for %.32s...: "
		    "host name too long", host);
	kh_hostname(disp, sizeof disp, host, port);
	if ((t = kh_type_byhost(keytype)) == -1)
		return err_set(err, DROVE_E_HOSTKEY, "host key for %s has an "
		    "unsupported type (%d)", disp, keytype);
	tname = kh_types[t].name;
	kh_fingerprint(fp, ukey, keylen);
	if ((rev = kh_find_revoked(k, ukey, keylen)) != NULL)
		return err_set(err, DROVE_E_HOSTKEY, "host key for %s is "
		    "revoked: %s SHA256:%s, marked @revoked at %s:%d", disp,
		    tname, fp, k->path, rev->line);
	/* this also gives libssh2 the hashed entries of host as plain ones */
	if ((r = kh_find(k, host, port, t, ukey, keylen, &f)) != 0)
		return err_set(err, r, "host key for %s: out of memory", disp);
	if (f.same != NULL)
		return 0;
	/* the lookup name with no port: libssh2 given a port other than 22
	 * would take another key of the plain host for a change */
	rc = libssh2_knownhost_checkp(k->kh, disp, -1, key, keylen,
	    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
	    kh_types[t].keybit, &entry);
	if (rc == LIBSSH2_KNOWNHOST_CHECK_MATCH)
		return 0;
	if (rc != LIBSSH2_KNOWNHOST_CHECK_MISMATCH &&
	    rc != LIBSSH2_KNOWNHOST_CHECK_NOTFOUND) {
		libssh2_session_last_error(k->holder, &msg, NULL, 0);
		return err_set(err, DROVE_E_HOSTKEY, "host key for %s: check "
		    "against %s failed: %s", disp, k->path, msg);
	}
	if (rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH || f.old != NULL) {
		if (f.old != NULL) {
			kh_fingerprint(oldfp, f.old->blob, f.old->bloblen);
			snprintf(other, sizeof other, "SHA256:%s at %s:%d",
			    oldfp, k->path, f.old->line);
		} else
			snprintf(other, sizeof other, "another key in %s",
			    k->path);
		if (policy == DROVE_HOSTKEY_OFF) {
			snprintf(k->warn, sizeof k->warn, "host key for %s "
			    "has changed: %s SHA256:%s, known_hosts has %s; "
			    "continuing because host key checking is off, "
			    "with password and keyboard-interactive "
			    "authentication disabled", disp, tname, fp, other);
			*warning = k->warn;
			k->changed = 1;
			return 0;
		}
		return err_set(err, DROVE_E_HOSTKEY, "host key for %s has "
		    "changed: %s SHA256:%s, known_hosts has %s; if the change "
		    "is expected, remove the old key with: ssh-keygen -R '%s' "
		    "-f %s", disp, tname, fp, other,
		    f.oldname != NULL ? f.oldname : disp, k->path);
	}
	other[0] = '\0';
	if (f.other != NULL)
		snprintf(other, sizeof other, "; known_hosts has a %s key for "
		    "it at %s:%d but the server offered %s",
		    kh_types[f.other->type].name, k->path, f.other->line,
		    tname);
	kh_ca_note(k, host, port, other, sizeof other);
	if (policy == DROVE_HOSTKEY_OFF) {
		snprintf(k->warn, sizeof k->warn, "host key for %s is "
		    "unknown: %s SHA256:%s%s; continuing because host key "
		    "checking is off", disp, tname, fp, other);
		*warning = k->warn;
		return 0;
	}
	if (policy == DROVE_HOSTKEY_STRICT || policy == DROVE_HOSTKEY_ASK ||
	    f.other != NULL) {
		/* how to trust it is the caller's to say, once a run */
		r = err_set(err, DROVE_E_HOSTKEY, "host key for %s is "
		    "unknown: %s SHA256:%s%s", disp, tname, fp, other);
		return policy == DROVE_HOSTKEY_ASK && f.other == NULL ?
		    DROVE_AGAIN : r;
	}
	if ((r = kh_add(k, host, port, t, ukey, keylen, &line, err)) != 0)
		return r;
	snprintf(k->warn, sizeof k->warn, "added %s (%s SHA256:%s) to %s",
	    disp, tname, fp, k->path);
	*warning = k->warn;
	return 0;
}

/* Whether the last check let a changed key through (policy off). */
int
kh_changed(const struct known_hosts *k)
{
	return k->changed;
}

/* The known_hosts line of a session's host key, for keyscan. */
int
kh_scan_line(struct known_hosts *k, LIBSSH2_SESSION *s, const char *host,
    int port, int hashed, char **line, struct drove_err *err)
{
	const char *key;
	size_t len = 0;
	int type = LIBSSH2_HOSTKEY_TYPE_UNKNOWN, t;

	*line = NULL;
	if ((key = libssh2_session_hostkey(s, &len, &type)) == NULL ||
	    (t = kh_type_byhost(type)) == -1)
		return err_set(err, DROVE_E_HOSTKEY, "host key for %s port "
		    "%d: none or of an unknown type", host, port);
	return kh_format(k, host, port, t, (const unsigned char *)key, len,
	    hashed, line, err);
}

/* The host key preference for a host known_hosts says nothing of: every
 * supported type, ed25519 first (libssh2 1.10 alone would put ECDSA
 * first). */
const char *
kh_default_prefs(struct known_hosts *k)
{
	size_t i, off = 0;

	if (k->defprefs[0] == '\0')
		for (i = 0; i < KH_NTYPES; i++)
			if (kh_types[i].fallback)
				kh_pref_append(k, k->defprefs,
				    sizeof k->defprefs, &off, i);
	return k->defprefs;
}

/* The type name and SHA256 fingerprint of a session's host key. */
int
kh_key_info(LIBSSH2_SESSION *s, const char **tname, char fp[48])
{
	const char *key;
	size_t len = 0;
	int type = LIBSSH2_HOSTKEY_TYPE_UNKNOWN, t;

	if ((key = libssh2_session_hostkey(s, &len, &type)) == NULL ||
	    (t = kh_type_byhost(type)) == -1)
		return DROVE_E_HOSTKEY;
	*tname = kh_types[t].name;
	kh_fingerprint(fp, (const unsigned char *)key, len);
	return 0;
}

/* Verify the host key of the handshaken session s for host:port. */
int
kh_check(struct known_hosts *k, LIBSSH2_SESSION *s, const char *host,
    int port, enum drove_hostkey_policy policy, const char **warning,
    struct drove_err *err)
{
	const char *key;
	size_t len = 0;
	int type = LIBSSH2_HOSTKEY_TYPE_UNKNOWN;

	*warning = NULL;
	if ((key = libssh2_session_hostkey(s, &len, &type)) == NULL)
		return err_set(err, DROVE_E_HOSTKEY, "host key for %s port "
		    "%d: the session has none", host, port);
	return kh_verify(k, host, port, key, len, type, policy, warning,
	    err);
}
