/*
 * play.h: the playbook language: values, expressions, templates, playbooks.
 *
 * Four parts, each with its own prefix:
 *   pval_      values: strings, integers, booleans, lists and maps, as held
 *              by vars, loop items and registered results (pexpr.c)
 *   pexpr_     expressions for when, changed_when and failed_when, parsed
 *              once into a tree and evaluated later against a variable
 *              lookup callback (pexpr.c)
 *   ptmpl_     "{{ EXPR }}" substitution inside strings and template files
 *              (ptmpl.c); pstr_ is a templated field of a playbook
 *   playbook_  YAML -> plays and tasks, validated at load time so that no
 *              error is found after something has run (playbook.c)
 *
 * Errors: functions return 0 or a negative DROVE_E_* code (DROVE_E_INVAL for
 * bad text or a failed evaluation, DROVE_E_IO for a file, DROVE_E_NOMEM) and
 * fill a struct drove_err.  Parse errors of pexpr_ and ptmpl_ also give the
 * byte offset of the failure in the source text; playbook and template file
 * errors start with "FILE:LINE:COLUMN: " (1-based).  Nothing here prints,
 * exits or keeps global state: objects can be used from any thread, one
 * object by one thread at a time.
 *
 * Expressions (EXPR), loosest binding first:
 *   a or b, a and b, not a
 *   a == b, a != b, a < b, a <= b, a > b, a >= b, a in b, a not in b,
 *   a is defined, a is not defined
 *   a | filter, a | filter(arg, ...)
 *   a.name, a.0, a[EXPR]
 *   'str', "str" (with \\ \' \" \n \t escapes), 42, -7, true, false,
 *   True, False, none, None, [EXPR, ...], NAME, (EXPR)
 * and/or/not give booleans.  == and != compare any two values; as
 * inventory vars arrive as strings, a string that is a decimal integer
 * equals that integer, and one that reads true, yes, on or 1 (false, no,
 * off or 0), in any case, equals true (false).  < <= > >= compare two
 * integers (or integer strings) or two strings (bytewise); anything else
 * is an error.  "a in b" is a substring test when b is a string,
 * membership (==) when b is a list, a key test when b is a map.  A name
 * that is not defined is an error naming it, except under "is defined",
 * "is not defined" and "| default(...)"; so is a missing key or an index
 * out of range (the message names the path, "undefined variable 'r.x'").
 * Truthiness (a bare value as a condition): false, none, 0, the empty
 * string, list and map are false, and so is a string that reads "false",
 * "no", "off" or "0" in any case (for inventory vars); anything else is
 * true.  There is no arithmetic and there are no floats.  Nesting deeper
 * than 64 levels is a syntax error.
 *
 * Filters: quote (POSIX shell quoting as Python's shlex.quote: the string
 * as is when it is made of [A-Za-z0-9@%+=:,./_-] only, otherwise in single
 * quotes with each ' written '\''), default(V) and default(V, true) (V when
 * the value is undefined, or also falsy), int (integers, integer strings
 * and booleans; anything else is an error), string, bool ("true", "yes",
 * "on", "1" in any case are true, other strings false), join and join(SEP)
 * (a list's items as strings), length (bytes of a string, items of a list
 * or map), upper, lower, trim.  quote refuses a string holding a NUL byte.
 *
 * Templates: "{{ EXPR }}" anywhere in a string is replaced by the value of
 * EXPR as a string: strings as they are, integers in decimal, booleans as
 * "true"/"false", none as "", lists and maps as compact JSON
 * (["a",1,true], {"k":"v"}).  "{%" is an error (no statements); "{#" and a
 * lone "{" or "}" are text.  To write "{{" use {{ '{{' }}.
 */
#ifndef PLAY_H
#define PLAY_H

#include <stddef.h>

#include "base/err.h"
#include "drove.h"

struct buf;

/* Values.  A struct pval is embedded by its owner; zeroed means NONE. */
enum pval_kind {
	PV_NONE = 0,
	PV_STR,
	PV_INT,
	PV_BOOL,
	PV_LIST,
	PV_MAP
};

struct pval {
	enum pval_kind	 kind;
	long long	 i;		/* INT: the value; BOOL: 0 or 1 */
	char		*s;		/* STR: NUL-terminated, owned */
	size_t		 len;		/* STR: bytes before the NUL */
	struct pval	*v;		/* LIST: items; MAP: values (owned) */
	char		**k;		/* MAP: keys, in insertion order */
	size_t		 n;		/* LIST, MAP: how many */
	size_t		 cap;
};

/*
 * Setters release what the value held first.  pval_str()/pval_strn() copy
 * the text; pval_list()/pval_map() make an empty list or map.  They return
 * 0 or DROVE_E_NOMEM (the value is then NONE).
 */
int	pval_str(struct pval *, const char *s);
int	pval_strn(struct pval *, const char *s, size_t len);
void	pval_int(struct pval *, long long i);
void	pval_bool(struct pval *, int b);
void	pval_list(struct pval *);
void	pval_map(struct pval *);
/* Free what the value holds and make it NONE.  NULL-safe. */
void	pval_release(struct pval *);

/*
 * Move item to the end of list (item becomes NONE).  0, DROVE_E_NOMEM
 * (item untouched) or DROVE_E_INVAL when list is not a list.
 */
int	pval_push(struct pval *list, struct pval *item);
/*
 * Move v into map under key (copied), replacing a value already there (v
 * becomes NONE).  0, DROVE_E_NOMEM (v untouched) or DROVE_E_INVAL.
 */
int	pval_set(struct pval *map, const char *key, struct pval *v);
/* Convenience: pval_set() of a string, an integer or a boolean. */
int	pval_set_str(struct pval *map, const char *key, const char *s);
int	pval_set_int(struct pval *map, const char *key, long long i);
int	pval_set_bool(struct pval *map, const char *key, int b);
/* The value under key in map (lent), or NULL when none or not a map. */
const struct pval *pval_get(const struct pval *map, const char *key);
/* Deep copy of src into dst (released first); 0 or DROVE_E_NOMEM. */
int	pval_copy(struct pval *dst, const struct pval *src);
/* Truthiness as described at the top. */
int	pval_truthy(const struct pval *);
/* Whether a and b are equal as "==" says. */
int	pval_equal(const struct pval *a, const struct pval *b);
/* Append the string form of v (see Templates) to b; 0 or DROVE_E_NOMEM. */
int	pval_format(const struct pval *, struct buf *b);

/*
 * A registered result: a map with rc (int), stdout and stderr (strings with
 * trailing "\r" and "\n" removed, as Ansible does), stdout_lines (a list of
 * the lines of stdout), changed, failed and skipped (booleans).  out and
 * err may be NULL (empty).  0 or DROVE_E_NOMEM.
 */
int	pval_result(struct pval *dst, int rc, const char *out, size_t outlen,
	    const char *err, size_t errlen, int changed, int failed,
	    int skipped);

/*
 * Variable lookup: the value of the top-level variable name (lent; it must
 * stay valid until the evaluation or render that asked returns), or NULL
 * when it is not defined.
 */
typedef const struct pval *pval_lookup_fn(void *arg, const char *name);

/*
 * A ready-made lookup over maps searched in order: arg is a NULL-terminated
 * array of const struct pval * maps (e.g. registered results, extra vars,
 * play vars, host vars with magic vars).  Entries that are not maps are
 * skipped.
 */
const struct pval *pval_lookup_chain(void *arg, const char *name);

/* Expressions. */
struct pexpr;

/*
 * Parse the whole of text as one expression into *out (the caller frees it
 * with pexpr_free()).  On a syntax error returns DROVE_E_INVAL with a
 * message in err (no position in it) and the byte offset of the offending
 * token in *off (off may be NULL); DROVE_E_NOMEM when out of memory.
 */
int	pexpr_parse(const char *text, struct pexpr **out, size_t *off,
	    struct drove_err *err);
/*
 * Evaluate e into *out (released first; the caller releases it).  0, or
 * DROVE_E_INVAL with err naming the failure ("undefined variable 'x'",
 * "cannot compare a list with an integer") and *off the offset in the
 * parsed text of the part that failed (off may be NULL); DROVE_E_NOMEM.
 */
int	pexpr_eval(const struct pexpr *e, pval_lookup_fn *lookup, void *arg,
	    struct pval *out, size_t *off, struct drove_err *err);
/* pexpr_eval() then pval_truthy() into *truth (0 or 1). */
int	pexpr_test(const struct pexpr *e, pval_lookup_fn *lookup, void *arg,
	    int *truth, size_t *off, struct drove_err *err);
/* The text e was parsed from (lent). */
const char *pexpr_text(const struct pexpr *e);
void	pexpr_free(struct pexpr *);	/* NULL-safe */

/*
 * For ptmpl.c: parse the "{{ EXPR }}" that starts at text[start] (its
 * first '{') up to its "}}"; *end is the offset past the "}}".  Offsets,
 * also those of pexpr_eval(), count from the start of text.  Errors as
 * pexpr_parse().
 */
int	pexpr_parse_tmpl(const char *text, size_t len, size_t start,
	    struct pexpr **out, size_t *end, size_t *off,
	    struct drove_err *err);
/* Append s (len bytes) quoted for a POSIX shell (the quote filter). */
int	pval_quote(const char *s, size_t len, struct buf *b);

/* Templates. */
struct ptmpl;

/*
 * Parse text (len bytes; it may hold NUL bytes) as a template into *out
 * (freed with ptmpl_free()).  Errors as pexpr_parse(): DROVE_E_INVAL with
 * the offset in text in *off, or DROVE_E_NOMEM.
 */
int	ptmpl_parse(const char *text, size_t len, struct ptmpl **out,
	    size_t *off, struct drove_err *err);
/* Whether t has no "{{ }}": rendering gives back its text. */
int	ptmpl_is_plain(const struct ptmpl *t);
/*
 * Render t into a malloc'd NUL-terminated string in *out (the caller frees
 * it) of *len bytes (len may be NULL).  0, or DROVE_E_INVAL with err and
 * *off the offset in the template text of the failure; DROVE_E_NOMEM.
 */
int	ptmpl_render(const struct ptmpl *t, pval_lookup_fn *lookup, void *arg,
	    char **out, size_t *len, size_t *off, struct drove_err *err);
/*
 * The value of t: when t is exactly one "{{ EXPR }}" (blanks around it
 * allowed), the value of EXPR, whatever its kind (so "{{ users }}" can be
 * a list); otherwise the rendered string.  Errors as ptmpl_render().
 */
int	ptmpl_value(const struct ptmpl *t, pval_lookup_fn *lookup, void *arg,
	    struct pval *out, size_t *off, struct drove_err *err);
void	ptmpl_free(struct ptmpl *);	/* NULL-safe */

/*
 * Parse and render a string in one step: ptmpl_parse() then
 * ptmpl_render().  Errors as theirs.
 */
int	ptmpl_render_str(const char *text, pval_lookup_fn *lookup, void *arg,
	    char **out, size_t *off, struct drove_err *err);
/*
 * Read the local file path, parse it as a template and render it into a
 * malloc'd string in *out of *len bytes.  Errors: DROVE_E_IO (cannot read),
 * DROVE_E_INVAL with a message "PATH:LINE:COLUMN: ..." for a syntax or
 * evaluation error, DROVE_E_NOMEM.
 */
int	ptmpl_render_file(const char *path, pval_lookup_fn *lookup, void *arg,
	    char **out, size_t *len, struct drove_err *err);
/* Only check that the file path reads and parses as a template. */
int	ptmpl_check_file(const char *path, struct drove_err *err);

/* Where something is in a playbook file: 1-based line and column. */
struct play_pos {
	const char	*file;		/* the playbook's path (lent from it) */
	size_t		 line;
	size_t		 col;
};

/*
 * A string field of a task that may hold "{{ }}": its text and the parsed
 * template.  text is NULL when the field is absent.  The rest is for
 * pstr_render()'s error positions.
 */
struct pstr {
	char		*text;
	struct ptmpl	*tmpl;
	struct play_pos	 pos;		/* where the value starts */
	int		 exact;		/* offsets map to columns on one line */
};

/*
 * For playbook.c and ptmpl.c: read the local file path whole into b (NUL-
 * terminated); 0, DROVE_E_IO or DROVE_E_NOMEM with err set.
 */
int	play_read_file(const char *path, struct buf *b, struct drove_err *err);
/*
 * Prefix err's message with "FILE:LINE:COLUMN: " for byte offset off of the
 * value text starting at pos (off is ignored unless exact; columns count
 * UTF-8 characters, as libyaml's do); sets code, returns it.
 */
int	play_pos_err(struct drove_err *err, int code, const struct play_pos *pos,
	    int exact, const char *text, size_t off);

/*
 * Render a field into a malloc'd string in *out (the caller frees it).
 * Errors are DROVE_E_INVAL with "FILE:LINE:COLUMN: message" in err (the
 * column of the failing part when the YAML scalar is on one line without
 * escapes, else of the value's start), or DROVE_E_NOMEM.  A field whose
 * text is NULL renders as DROVE_E_INVAL "no value".
 */
int	pstr_render(const struct pstr *, pval_lookup_fn *lookup, void *arg,
	    char **out, struct drove_err *err);

/*
 * A condition of a task (when, changed_when, failed_when): its parsed
 * expression, NULL when the key is absent.  A YAML list of conditions
 * (when: [a, b]) is a chain through next, and-ed.
 */
struct pcond {
	struct pexpr	*expr;
	struct play_pos	 pos;		/* where the expression starts */
	int		 exact;		/* as in struct pstr */
	struct pcond	*next;		/* owned */
};

/*
 * Evaluate a condition (and the rest of its chain) into *truth; an absent
 * condition (expr NULL) is true.  Errors are DROVE_E_INVAL with
 * "FILE:LINE:COLUMN: message" pointing into the expression, or
 * DROVE_E_NOMEM.  For changed_when and failed_when the runner sets the
 * register variable (when the task has one) to the task's result first.
 */
int	pcond_test(const struct pcond *, pval_lookup_fn *lookup, void *arg,
	    int *truth, struct drove_err *err);

/* Playbooks. */
enum play_action {
	PLAY_RUN = 1,			/* run: COMMAND */
	PLAY_SCRIPT,			/* script: LOCAL_FILE */
	PLAY_PUSH,			/* push: {src, dest, mode, mkdir, ...} */
	PLAY_PULL,			/* pull: {src, dest} */
	PLAY_TEMPLATE,			/* template: {src, dest, mode} */
	PLAY_WAIT_FOR			/* wait_for: {port | path, ...} */
};

/* One element of serial: a host count or a percentage of the play's hosts. */
struct play_batch {
	long		 n;		/* >= 1; percent: 1 to 100 */
	int		 percent;
};

/*
 * A task.  Booleans are 1, 0 or -1 when the key is absent (the runner
 * picks the default or inherits from the play).  Fields of other actions
 * are absent (text NULL, -1, 0).  The name is kept as written, its "{{ }}"
 * syntax checked: a runner may show it through ptmpl_render_str(), and
 * show it as written when that fails (an undefined variable).
 */
struct play_task {
	char		*name;		/* NULL when none; see above */
	struct play_pos	 pos;		/* the task's first key */
	enum play_action action;
	const char	*action_name;	/* "run", "push", ... (static) */

	struct pstr	 cmd;		/* run: the command; script: the file */
	struct pstr	 src;		/* push, pull, template */
	struct pstr	 dest;		/* push, pull, template */
	int		 mode;		/* push, template: 0-07777, or -1;
					   0644, 644 and "0644" are octal */
	int		 mkdir;		/* push */
	int		 checksum;	/* push */
	struct pstr	 host;		/* wait_for port: "127.0.0.1" if absent */
	int		 port;		/* wait_for: 1-65535, or 0; see
					   play_task_port() */
	struct pstr	 port_tmpl;	/* wait_for: port as "{{ }}" text */
	struct pstr	 path;		/* wait_for: a remote path */
	int		 present;	/* wait_for path: 1 present, 0 absent */
	long		 wait_timeout;	/* wait_for: seconds, default 300 */

	int		 become;
	char		*become_user;	/* NULL when absent */
	long		 timeout;	/* seconds, or 0 when absent */
	int		 ignore_errors;
	struct pstr	 creates;	/* skip when this remote path exists */
	struct pstr	 removes;	/* skip when it does not */
	struct pcond	 when;
	struct pcond	 changed_when;
	struct pcond	 failed_when;
	char		*reg;		/* register: a variable name, or NULL */
	char		**tags;
	size_t		 ntags;
	struct pval	 loop;		/* loop: a list (strings templated) */
	struct pstr	 loop_tmpl;	/* loop: "{{ var }}" */
};

struct play {
	char		*name;		/* NULL when none */
	struct play_pos	 pos;		/* the play's first key */
	char		*hosts;		/* a host pattern, literal text */
	struct pval	 vars;		/* a map (empty when absent) */
	struct play_batch *serial;	/* NULL/0: all hosts in one batch */
	size_t		 nserial;
	double		 max_fail_percentage;	/* 0-100, or -1 when absent */
	int		 any_errors_fatal;	/* 0 or 1 */
	int		 become;		/* 0 or 1 */
	char		*become_user;		/* NULL when absent */
	long		 timeout;		/* seconds, or 0 */
	struct play_task *tasks;
	size_t		 ntasks;
};

struct playbook {
	char		*path;		/* as given to playbook_load() */
	char		*dir;		/* its directory, for relative files */
	struct play	*plays;
	size_t		 nplays;
};

/*
 * Load and validate a playbook file into *out (freed with playbook_free()).
 * Everything is checked before it returns: YAML syntax (one document),
 * keys, types, var names, expressions, "{{ }}" syntax in every templated
 * field, in task names and in the strings of vars and loop lists, and the
 * local files of script, push and template tasks whose src has no "{{"
 * (found as playbook_file() says; template files are parsed).  Plain YAML
 * scalars in vars and loop lists are typed as YAML 1.1 does (null, ~;
 * true/false/yes/no/on/off; decimal integers without a leading zero), the
 * rest are strings.  The first error found is returned (DROVE_E_INVAL,
 * "FILE:LINE:COLUMN: message" in err; template file errors name the
 * template file and its line and column); DROVE_E_IO when path cannot be
 * read; DROVE_E_NOMEM.
 */
int	playbook_load(const char *path, struct playbook **out,
	    struct drove_err *err);
/*
 * The same from text in memory (len bytes), reported under the name path
 * (also used to find template files).
 */
int	playbook_parse(const char *path, const char *text, size_t len,
	    struct playbook **out, struct drove_err *err);
/* playbook_load() and free: for "drove play --syntax-check". */
int	playbook_check(const char *path, struct drove_err *err);
void	playbook_free(struct playbook *);	/* NULL-safe */

/*
 * The local file for the rendered src of a script, push or template task:
 * an absolute path as is; a relative one is looked up in DIR/templates
 * (template) or DIR/files (script, push), then in DIR, DIR being the
 * playbook's directory.  A malloc'd path in *out, or DROVE_E_IO naming the
 * places tried.
 */
int	playbook_file(const struct playbook *, enum play_action,
	    const char *src, char **out, struct drove_err *err);

/*
 * The items a task loops over, into *items (released first): NONE when the
 * task has no loop; otherwise a list, with "{{ }}" rendered in the strings
 * of a literal list, or the value of loop_tmpl, which must be a list.
 * Errors as pstr_render().
 */
int	play_task_loop(const struct play_task *, pval_lookup_fn *lookup,
	    void *arg, struct pval *items, struct drove_err *err);

/*
 * The port of a wait_for task into *port: port, or port_tmpl rendered,
 * which must give an integer from 1 to 65535.  Errors as pstr_render().
 */
int	play_task_port(const struct play_task *, pval_lookup_fn *lookup,
	    void *arg, int *port, struct drove_err *err);

/*
 * The play's vars with "{{ }}" rendered in their strings, into *out (a
 * map, released first).  Each var may use the ones before it and anything
 * lookup gives (host vars, magic vars, extra vars).  Errors as
 * pstr_render().
 */
int	play_vars_render(const struct play *, pval_lookup_fn *lookup,
	    void *arg, struct pval *out, struct drove_err *err);

/*
 * Load a YAML file of variables (one document, a mapping of variable
 * names) into the map into, each replacing a value of the same name there
 * (-e @FILE).  0, or DROVE_E_INVAL with "FILE:LINE:COLUMN: message",
 * DROVE_E_IO or DROVE_E_NOMEM; into may then hold some of the file's.
 */
int	play_vars_load(const char *path, struct pval *into,
	    struct drove_err *err);

#endif /* PLAY_H */
