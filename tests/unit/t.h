/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal table-driven test harness: every case prints exactly one line,
 * "PASS: <name>" or "FAIL: <name>: <why>"; t_exit() returns non-zero if
 * any case failed.
 */
#ifndef _SIPALG_T_H
#define _SIPALG_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <dirent.h>

#include "sip_parse.h"
#include "sdp_parse.h"
#include "sip_plan.h"

#ifndef TEST_DIR
#define TEST_DIR "."
#endif

static char t_why[512];
static int t_npass, t_nfail;

/* Inside a case function returning bool: fail with a reason. */
#define T_FAIL(...) do { \
	snprintf(t_why, sizeof(t_why), __VA_ARGS__); \
	return false; \
} while (0)

#define T_OK(cond) do { \
	if (!(cond)) \
		T_FAIL("line %d: %s", __LINE__, #cond); \
} while (0)

#define T_EQ(a, b) do { \
	long long _a = (long long)(a), _b = (long long)(b); \
	if (_a != _b) \
		T_FAIL("line %d: %s = %lld, want %lld", __LINE__, #a, _a, _b); \
} while (0)

/* A span of buf equals a C string. */
#define T_SPAN(buf, sp, str) do { \
	struct sip_span _s = (sp); \
	const char *_w = (str); \
	if (_s.len != strlen(_w) || memcmp((buf) + _s.off, _w, _s.len)) \
		T_FAIL("line %d: %s = \"%.*s\", want \"%s\"", __LINE__, #sp, \
		       (int)_s.len, (buf) + _s.off, _w); \
} while (0)

static inline void t_report(const char *name, bool ok)
{
	if (ok) {
		t_npass++;
		printf("PASS: %s\n", name);
	} else {
		t_nfail++;
		printf("FAIL: %s: %s\n", name, t_why);
	}
	/* Whole lines: a diagnostic on stderr must not split one. */
	fflush(stdout);
	t_why[0] = 0;
}

/* Every case of a table of structs with a "name": one line each. */
#define T_TABLE(table, fn) do { \
	unsigned int _i; \
	for (_i = 0; _i < sizeof(table) / sizeof(table[0]); _i++) \
		t_report(table[_i].name, fn(&table[_i])); \
} while (0)

static inline int t_exit(void)
{
	fflush(stdout);
	fprintf(stderr, "%d passed, %d failed\n", t_npass, t_nfail);
	return t_nfail ? 1 : 0;
}

/* Read a test file (relative to TEST_DIR) into a static-size buffer. */
static inline size_t t_load(const char *rel, char *buf, size_t cap)
{
	char path[1024];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", TEST_DIR, rel);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 0;
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/*
 * The files of a corpus folder (relative to TEST_DIR) whose names end in
 * suffix, sorted: tests walk the folder instead of a hand-kept list, so a
 * file added there is tested (or fails for want of an expected outcome).
 * Returns false when the folder cannot be read or holds more than fits.
 */
#define T_DIR_MAX	256
#define T_NAME_MAX	64

struct t_dir {
	size_t n;
	char name[T_DIR_MAX][T_NAME_MAX];
};

static int t_name_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static inline bool t_list_dir(const char *rel, const char *suffix,
			      struct t_dir *d)
{
	size_t sl = strlen(suffix), nl;
	char path[1024];
	struct dirent *e;
	bool ok = true;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/%s", TEST_DIR, rel);
	d->n = 0;
	dir = opendir(path);
	if (!dir)
		return false;
	while ((e = readdir(dir))) {
		nl = strlen(e->d_name);
		if (nl < sl || strcmp(e->d_name + nl - sl, suffix))
			continue;
		if (d->n == T_DIR_MAX || nl >= T_NAME_MAX) {
			ok = false;
			break;
		}
		memcpy(d->name[d->n++], e->d_name, nl + 1);
	}
	closedir(dir);
	qsort(d->name, d->n, T_NAME_MAX, t_name_cmp);
	return ok && d->n > 0;
}

/* Textual address to struct sip_addr (test helper). */
static inline struct sip_addr t_addr(const char *s)
{
	struct sip_addr a;

	memset(&a, 0, sizeof(a));
	if (s && !sip_parse_ipaddr(s, (u32)strlen(s), &a)) {
		fprintf(stderr, "bad test address %s\n", s);
		exit(2);
	}
	return a;
}

/*
 * Convert "\n" to "\r\n" in a test literal (messages are written with
 * "\n" in the tables for readability).
 */
static inline u32 t_crlf(const char *in, char *out, u32 cap)
{
	u32 n = 0;

	for (; *in && n + 2 < cap; in++) {
		if (*in == '\n')
			out[n++] = '\r';
		out[n++] = *in;
	}
	return n;
}

#endif /* _SIPALG_T_H */
