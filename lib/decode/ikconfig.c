// SPDX-License-Identifier: GPL-2.0-only
/* The kernel config an image carries (see ikconfig.h). */
#include "decode/ikconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "source/archive.h"

#define START	"IKCFG_ST"
#define END	"IKCFG_ED"
#define MARKER	8
#define PREFIX	"CONFIG_"
#define NOT_SET " is not set"

/* The length of the option name s starts with: CONFIG_ and letters, digits, underscores. */
static size_t name_len(const char *s)
{
	size_t n = strlen(PREFIX);

	if (strncmp(s, PREFIX, n))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n > strlen(PREFIX) ? n : 0;
}

static void add(struct kt_ikconfig *c, const char *name, const char *value)
{
	KT_GROW(c->opts, c->cap, c->n + 1);
	c->opts[c->n].name = name;
	c->opts[c->n++].value = value;
}

/* One line, cut in place: an option, "# CONFIG_X is not set", another comment or blank. */
static int parse_line(struct kt_ikconfig *c, char *l)
{
	size_t n;

	if (!*l)
		return 0;
	if (*l == '#') {
		if (l[1] != ' ' || !(n = name_len(l + 2)) || strcmp(l + 2 + n, NOT_SET))
			return 0;
		l[2 + n] = '\0';
		add(c, l + 2, NULL);
		return 0;
	}
	n = name_len(l);
	if (!n || l[n] != '=')
		return -EBADMSG;
	l[n] = '\0';
	add(c, l, l + n + 1);
	return 0;
}

int kt_ikconfig_parse(struct kt_ikconfig *c, char *text, size_t len)
{
	size_t line = 1;
	char *l, *nl;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	c->text = kt_realloc(text, len + 1);
	c->text[len] = '\0';
	if (memchr(c->text, '\0', len))
		ret = kt_fail(c->why, sizeof(c->why), -EBADMSG,
			      "the embedded config is not text (it holds NUL)");
	for (l = c->text; !ret && l < c->text + len; l = nl + 1, line++) {
		nl = strchr(l, '\n');
		if (!nl)
			nl = c->text + len;
		*nl = '\0';
		if (parse_line(c, l))
			ret = kt_fail(c->why, sizeof(c->why), -EBADMSG,
				      "the embedded config's line %zu is no option, comment or blank line",
				      line);
	}
	if (!ret && !c->n)
		ret = kt_fail(c->why, sizeof(c->why), -EBADMSG, "the embedded config holds no option");
	c->state = ret ? KT_IKCONFIG_BROKEN : KT_IKCONFIG_READ;
	return ret;
}

int kt_ikconfig_find(struct kt_ikconfig *c, const uint8_t *p, size_t len)
{
	const uint8_t *st = memmem(p, len, START, MARKER), *gz, *ed;
	char filter[KT_FILTER_NAME_LEN], why[200];
	uint8_t *text;
	size_t n;
	int ret;

	memset(c, 0, sizeof(*c));
	if (!st)
		return -ENOENT;
	gz = st + MARKER;
	ed = memmem(gz, p + len - gz, END, MARKER);
	if (!ed) {
		ret = kt_fail(c->why, sizeof(c->why), -EBADMSG,
			      "the embedded config is cut short: no " END " after " START);
	} else {
		ret = kt_decompress(gz, ed - gz, KT_IKCONFIG_MAX, &text, &n, filter, why, sizeof(why));
		if (!ret)
			return kt_ikconfig_parse(c, (char *)text, n);
		kt_fail(c->why, sizeof(c->why), ret, "the embedded config: %s", why);
	}
	c->state = KT_IKCONFIG_BROKEN;
	return ret;
}

const char *kt_ikconfig_get(const struct kt_ikconfig *c, const char *name)
{
	size_t i;

	/* The last line of an option wins, as when Kconfig reads the file. */
	for (i = c->n; i-- > 0;)
		if (!strcmp(c->opts[i].name, name))
			return c->opts[i].value;
	return NULL;
}

void kt_ikconfig_free(struct kt_ikconfig *c)
{
	free(c->text);
	free(c->opts);
	memset(c, 0, sizeof(*c));
}
