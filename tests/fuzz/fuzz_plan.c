// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: parse + plan + apply with the invariants of
 * tests/unit/rewrite_check.h (edits in bounds and ordered, output
 * re-parses, only matching fields change, Content-Length equals the body).
 * The translation is derived from the message itself (its first Via and
 * its c= address are the "old" ones) and from a hash of the input, so
 * mutations explore masks, address lengths and ports too.
 */
#include <stdlib.h>
#include "sip_parse.h"
#include "sdp_parse.h"
#include "sip_plan.h"
#include "rewrite_check.h"
#include "fuzz_common.h"

static struct sip_msg m, m2;
static struct sdp_msg s, s2;
static struct sip_edits ed;
static char out[65536 + SIP_MAX_EDITS * SIP_EDIT_DATA_MAX];
static char inplace[sizeof(out)];

static const u8 v4[][4] = {
	{ 1, 2, 3, 4 }, { 203, 0, 113, 254 }, { 10, 0, 0, 1 }, { 0, 0, 0, 0 },
};
static const u8 v6[][16] = {
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	{ 0xfe, 0x80, [8] = 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 },
	{ [15] = 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33, 0x44,
	  0x44, 0x55, 0x55, 0x66, 0x66 },
};
static const u16 ports[] = { 0, 5060, 1024, 65535, 5010, 1 };
static const u32 masks[] = {
	SIP_XF_ALL, SIP_XF_VIA | SIP_XF_CONTACT, SIP_XF_ALL_SDP,
	SIP_XF_ALL_SIP, SIP_XF_VIA | SIP_XF_VIA_RECEIVED | SIP_XF_VIA_RPORT,
	SIP_XF_SDP_MPORT | SIP_XF_SDP_RTCP,
};

static void pick(struct sip_addr *a, u8 family, u32 h)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (family == SIP_AF_INET)
		memcpy(a->u.b, v4[h % 4], 4);
	else if (family == SIP_AF_INET6)
		memcpy(a->u.b, v6[h % 4], 16);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const char *b = (const char *)data, *why;
	const struct sdp_msg *sp = NULL;
	struct sip_xlate x;
	u32 len = (u32)size, h = 2166136261u, i, out_len, in_len;
	int r;

	if (size > 65535 || sip_parse(b, len, &m))
		return 0;
	for (i = 0; i < len; i++)
		h = (h ^ data[i]) * 16777619u;
	if ((m.flags & SIP_F_SDP) &&
	    !sdp_parse(b, len, m.sdp.off, m.sdp.len, &s))
		sp = &s;

	memset(&x, 0, sizeof(x));
	x.what = masks[h % 6];
	x.sig_old = m.via[0].sent_by.addr;
	if (x.sig_old.family == SIP_AF_NONE && m.n_contact)
		x.sig_old = m.contact[0].uri.hp.addr;
	x.sig_old_port = (h >> 3) & 1 ? m.via[0].sent_by.port_num : 0;
	pick(&x.sig_new, x.sig_old.family, h >> 5);
	x.sig_new_port = ports[(h >> 7) % 6];
	if (sp) {
		x.sdp_old = (h >> 10) & 1 ? s.conn.ip : s.o_addr.ip;
		pick(&x.sdp_new, x.sdp_old.family, h >> 11);
	}
	for (i = 0; i < SDP_MAX_MEDIA; i++) {
		x.rtp_port[i] = ports[((h >> 13) + i) % 6];
		x.rtcp_port[i] = ports[((h >> 16) + i) % 6];
	}

	r = sip_plan(b, len, &m, sp, &x, &ed);
	if (r == SIP_PLAN_ERR_TOO_MANY || r == SIP_PLAN_ERR_CLEN)
		return 0;	/* documented refusals */
	/* so is an unspecified new address (hold, CVE-2026-31427) */
	if ((x.sig_new.family && x.sig_new.u.ip6[0] == 0 && x.sig_new.u.ip6[3] == 0 &&
	     x.sig_new.u.ip6[1] == 0 && x.sig_new.u.ip6[2] == 0) ||
	    (x.sdp_new.family && x.sdp_new.u.ip6[0] == 0 &&
	     x.sdp_new.u.ip6[1] == 0 && x.sdp_new.u.ip6[2] == 0 &&
	     x.sdp_new.u.ip6[3] == 0)) {
		if (r != SIP_PLAN_ERR_INPUT)
			__builtin_trap();
		return 0;
	}
	if (r)
		__builtin_trap();
	r = sip_apply(b, len, &ed, out, sizeof(out), &out_len);
	if (r)
		__builtin_trap();
	/* The packet path's in-place edit gives the same bytes. */
	memcpy(inplace, b, len);
	r = sip_apply_inplace(inplace, len,
			      len + (ed.delta > 0 ? (u32)ed.delta : 0), &ed,
			      &in_len);
	if (r || in_len != out_len || memcmp(inplace, out, out_len))
		__builtin_trap();
	why = rewrite_check(b, len, &m, sp, &x, &ed, out, out_len, &m2, &s2);
	if (why) {
		fprintf(stderr, "invariant: %s\n", why);
		__builtin_trap();
	}
	return 0;
}
