/*
 * value.c: the types of inventory values, as Ansible has them.
 *
 * A var keeps the text it was written with (what drove's own readers of
 * ansible_port, ansible_become, ... parse) and the type Ansible gives it:
 * a YAML plain scalar is typed as PyYAML's YAML 1.1 resolver types it
 * (val_plain()), an INI value through Python's literal_eval (ini.c); lists
 * and mappings are kept as JSON text.  val_json() writes a value as
 * `ansible-inventory --list` does: integers in decimal whatever their base
 * (0x1f, 0o17, YAML's 017, 1_000, 190:20:30), floats as Python prints them
 * (Infinity and NaN included), a vaulted value as {"__ansible_vault":
 * CIPHERTEXT} and a !unsafe one as {"__ansible_unsafe": TEXT}.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "drove.h"
#include "inventory/inventory.h"

/* Python's literals: "_" only between digits. */
#define D	"[0-9](_?[0-9])*"

/* PyYAML's implicit int and float patterns (YAML 1.1), and the start of a
 * Python number, True, False or None. */
static const char *const val_re[VAL_NRX] = {
	"^[-+]?(0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|"
	    "[1-9][0-9_]*(:[0-5]?[0-9])+)$",
	"^([-+]?[0-9][0-9_]*\\.[0-9_]*([eE][-+][0-9]+)?|"
	    "\\.[0-9][0-9_]*([eE][-+][0-9]+)?|"
	    "[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|"
	    "[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$",
	"^[-+]?(0[xX](_?[0-9a-fA-F])+|0[oO](_?[0-7])+|0[bB](_?[01])+|"
	    "(" D ")?\\." D "([eE][-+]?" D ")?|" D "\\.([eE][-+]?" D ")?|"
	    D "[eE][-+]?" D "|[1-9](_?[0-9])*|0(_?0)*)|^(True|False|None)",
};

#undef D

static regex_t	val_rx[VAL_NRX];
static int	val_rx_ok;
static pthread_once_t val_once = PTHREAD_ONCE_INIT;

/* Compile val_re once. */
static void
val_compile(void)
{
	int i;

	for (i = 0; i < VAL_NRX; i++)
		if (regcomp(&val_rx[i], val_re[i], REG_EXTENDED) != 0)
			return;
	val_rx_ok = 1;
}

/* Whether s matches pattern i (VAL_RX_*); the match in *m unless NULL. */
int
val_match(int i, const char *s, regmatch_t *m)
{
	pthread_once(&val_once, val_compile);
	return val_rx_ok && regexec(&val_rx[i], s, m != NULL ? 1 : 0, m,
	    0) == 0;
}

/* The type YAML 1.1 gives plain scalar s: INV_STR unless it reads as more. */
int
val_plain(const char *s)
{
	static const char *const bools[] = { "yes", "Yes", "YES", "no", "No",
	    "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on",
	    "On", "ON", "off", "Off", "OFF" };
	size_t i;

	if (*s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0)
		return INV_NULL;
	for (i = 0; i < sizeof bools / sizeof bools[0]; i++)
		if (strcmp(s, bools[i]) == 0)
			return INV_BOOL;
	if (strchr("0123456789+-.", *s) == NULL)
		return INV_STR;
	if (val_match(VAL_RX_INT, s, NULL))
		return INV_INT;
	if (val_match(VAL_RX_FLOAT, s, NULL))
		return INV_FLOAT;
	return INV_STR;
}

/* Whether the text of a boolean says true (yes, True, on, ...). */
int
val_true(const char *s)
{
	return *s == 'y' || *s == 'Y' || *s == 't' || *s == 'T' ||
	    ((*s == 'o' || *s == 'O') && (s[1] == 'n' || s[1] == 'N'));
}

/* d (n limbs of 10^9, little-endian) = d * mul + add. */
static void
val_muladd(uint32_t *d, size_t *n, unsigned mul, unsigned add)
{
	uint64_t c = add;
	size_t i;

	for (i = 0; i < *n; i++) {
		c += (uint64_t)d[i] * mul;
		d[i] = (uint32_t)(c % 1000000000);
		c /= 1000000000;
	}
	if (c > 0)
		d[(*n)++] = (uint32_t)c;
}

/*
 * Append integer text s (sign, base prefix, underscores, YAML's leading-0
 * octal and base-60 "190:20:30") in decimal.
 */
static int
val_int(struct buf *b, const char *s)
{
	uint32_t *d;
	size_t n = 1, i;
	unsigned base = 10, dig, g = 0;
	int neg = 0, r = DROVE_E_NOMEM, sexa = strchr(s, ':') != NULL;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s[0] == '0' && s[1] != '\0' && strchr("xXoObB", s[1]) != NULL) {
		base = strchr("xX", s[1]) != NULL ? 16 :
		    strchr("oO", s[1]) != NULL ? 8 : 2;
		s += 2;
	} else if (s[0] == '0' && s[1] != '\0' && !sexa)
		base = 8;
	if ((d = calloc(strlen(s) + 2, sizeof *d)) == NULL)
		return r;
	for (; *s != '\0' && (sexa ? *s != ':' : 1); s++)
		if (*s != '_') {
			dig = isdigit((unsigned char)*s) ?
			    (unsigned)(*s - '0') :
			    (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
			val_muladd(d, &n, base, dig);
		}
	/* Each ":NN" after the first part is one base-60 digit. */
	while (*s == ':') {
		for (g = 0, s++; isdigit((unsigned char)*s); s++)
			g = g * 10 + (unsigned)(*s - '0');
		val_muladd(d, &n, 60, g);
	}
	while (n > 1 && d[n - 1] == 0)
		n--;
	if (neg && (n > 1 || d[0] != 0) && buf_puts(b, "-") != 0)
		goto out;
	if (buf_printf(b, "%u", d[n - 1]) != 0)
		goto out;
	for (i = n - 1; i-- > 0;)
		if (buf_printf(b, "%09u", d[i]) != 0)
			goto out;
	r = 0;
 out:
	free(d);
	return r;
}

/*
 * Append float text s (underscores, base-60 "1:30.5", YAML's .inf and .nan)
 * as Python prints it: the shortest text that reads back the same, with
 * ".0" when it would read as an integer; Infinity, -Infinity and NaN as
 * Python's json module writes them.
 */
static int
val_float(struct buf *b, const char *s)
{
	char clean[512], out[64];
	const char *p;
	double v = 0, part;
	size_t k = 0;
	int neg = 0, prec, exp;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (*s == '.' && strchr("iI", s[1]) != NULL)
		return buf_puts(b, neg ? "-Infinity" : "Infinity");
	if (*s == '.' && strchr("nN", s[1]) != NULL)
		return buf_puts(b, "NaN");
	for (p = s; *p != '\0' && k + 1 < sizeof clean; p++) {
		if (*p == '_')
			continue;
		if (*p == ':') {
			clean[k] = '\0';
			v = v * 60 + strtod(clean, NULL);
			k = 0;
			continue;
		}
		clean[k++] = *p;
	}
	clean[k] = '\0';
	part = strtod(clean, NULL);
	v = strchr(s, ':') != NULL ? v * 60 + part : part;
	if (neg)
		v = -v;
	if (isinf(v))
		return buf_puts(b, v < 0 ? "-Infinity" : "Infinity");
	/* The fewest digits that read back the same, as Python's repr. */
	for (prec = 0; prec < 17; prec++) {
		snprintf(out, sizeof out, "%.*e", prec, v);
		if (strtod(out, NULL) == v)
			break;
	}
	exp = atoi(strchr(out, 'e') + 1);
	if (exp < -4 || exp >= 16)
		return buf_puts(b, out);
	snprintf(out, sizeof out, "%.*f", prec > exp ? prec - exp : 0, v);
	if (strchr(out, '.') == NULL)
		return buf_printf(b, "%s.0", out);
	return buf_puts(b, out);
}

/* Append s as a JSON string. */
int
val_json_str(struct buf *b, const char *s, size_t len)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f;
	int r;

	if ((f = open_memstream(&text, &n)) == NULL)
		return DROVE_E_NOMEM;
	json_write_str(f, s, len);
	r = fclose(f) != 0 ? DROVE_E_NOMEM : buf_append(b, text, n);
	free(text);
	return r;
}

/* Append the value text of type as JSON (see the top of the file). */
int
val_json(struct buf *b, int type, const char *text)
{
	int r;

	switch (type) {
	case INV_NULL:
		return buf_puts(b, "null");
	case INV_BOOL:
		return buf_puts(b, val_true(text) ? "true" : "false");
	case INV_INT:
		return val_int(b, text);
	case INV_FLOAT:
		return val_float(b, text);
	case INV_JSON:
		return buf_puts(b, text);
	case INV_VAULT:
	case INV_UNSAFE:
		if ((r = buf_printf(b, "{\"__ansible_%s\": ", type == INV_VAULT ?
		    "vault" : "unsafe")) != 0 ||
		    (r = val_json_str(b, text, strlen(text))) != 0)
			return r;
		return buf_puts(b, "}");
	default:
		return val_json_str(b, text, strlen(text));
	}
}
