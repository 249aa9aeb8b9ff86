/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rewrite planner: a pure function from a parsed message and a
 * translation to an ordered, non-overlapping list of byte edits. The kernel
 * applies the list with nf_nat_mangle_*() (in order, tracking the running
 * offset delta); userspace applies it with sip_apply().
 *
 * Matching rules (the only addresses touched are those equal to the old
 * one, everything else stays byte-identical):
 * - SIP headers compare host (IP literal, same family) and port with
 *   sig_old/sig_old_port. A sip: URI or a UDP/TCP/SCTP/WS Via without a port
 *   is taken as port 5060, a sips: URI or a TLS/WSS Via as 5061 (RFC 3261
 *   19.1.2, 18.2.2). sig_old_port 0 matches any port.
 * - The replacement writes sig_new and, when a port was written or the new
 *   port differs from the scheme default, ":sig_new_port" (a port is
 *   inserted only when needed; sig_new_port 0 keeps the port as written).
 * - Via received= and maddr= are rewritten when equal to sig_old, rport=N
 *   when equal to sig_old_port (and sig_new_port != 0); all three only in
 *   a Via whose sent-by matched. A value-less ;rport is left alone.
 * - SDP o=, c= and a=rtcp addresses are rewritten when equal to sdp_old;
 *   0.0.0.0 and :: (hold) never are. m= and a=rtcp ports are rewritten to
 *   rtp_port[i]/rtcp_port[i] of media index i when non-zero (no matching:
 *   the NAT side chose them for this stream). No line is ever inserted.
 * - Content-Length (when present) is always set to the new body length
 *   when the body size changes: the old body length plus the size change
 *   of every edit inside the body (multipart bodies: the whole body).
 */
#ifndef _SIP_PLAN_H
#define _SIP_PLAN_H

#include "sipalg_types.h"
#include "sip_parse.h"
#include "sdp_parse.h"

/*
 * Bound of the edit list. A legitimate message needs a handful (Fanvil
 * INVITE: 5); the theoretical worst case (Request-URI, 4 per Via, every
 * Contact, From, To, Content-Length, o=, session c=, 4 per media) is
 * larger, and a message needing more than this is left alone
 * (SIP_PLAN_ERR_TOO_MANY) rather than half rewritten.
 */
#define SIP_MAX_EDITS	128

/* Longest replacement: "[" IPv6 "]:" 65535 = 1 + 39 + 2 + 5 = 47. */
#define SIP_EDIT_DATA_MAX	48
/* Longest formatted address without brackets, plus a NUL. */
#define SIP_ADDR_STR_MAX	46

/* struct sip_edit.what: which field an edit changes (logs, counters). */
enum sip_edit_kind {
	SIP_EK_RURI = 1,
	SIP_EK_VIA,
	SIP_EK_VIA_RECEIVED,
	SIP_EK_VIA_RPORT,
	SIP_EK_VIA_MADDR,
	SIP_EK_CONTACT,
	SIP_EK_FROM,
	SIP_EK_TO,
	SIP_EK_CLEN,
	SIP_EK_SDP_ORIGIN,
	SIP_EK_SDP_CONN,	/* session or media c= */
	SIP_EK_SDP_MPORT,
	SIP_EK_SDP_RTCP_PORT,
	SIP_EK_SDP_RTCP_ADDR,
};

struct sip_edit {
	u32 off;		/* in the original buffer */
	u16 old_len;		/* bytes replaced (0 = pure insertion) */
	u8 new_len;		/* bytes of data[] written instead */
	u8 what;		/* enum sip_edit_kind */
	char data[SIP_EDIT_DATA_MAX];
};

struct sip_edits {
	u32 n;			/* edits in e[], sorted by off, disjoint */
	s32 delta;		/* total size change of the message */
	u32 new_body_len;	/* body length after the edits */
	u32 what_mask;		/* 1 << enum sip_edit_kind of every edit */
	struct sip_edit e[SIP_MAX_EDITS];
};

/* struct sip_xlate.what: which fields may be touched. */
#define SIP_XF_RURI		0x0001
#define SIP_XF_VIA		0x0002	/* sent-by */
#define SIP_XF_VIA_RECEIVED	0x0004
#define SIP_XF_VIA_RPORT	0x0008
#define SIP_XF_VIA_MADDR	0x0010
#define SIP_XF_CONTACT		0x0020
#define SIP_XF_FROM		0x0040
#define SIP_XF_TO		0x0080
#define SIP_XF_SDP_ORIGIN	0x0100
#define SIP_XF_SDP_CONN		0x0200	/* session and media c= */
#define SIP_XF_SDP_MPORT	0x0400
#define SIP_XF_SDP_RTCP		0x0800	/* a=rtcp port and address */
#define SIP_XF_ALL_SIP		0x00ff
#define SIP_XF_ALL_SDP		0x0f00
#define SIP_XF_ALL		0x0fff

struct sip_xlate {
	u32 what;		/* SIP_XF_* */
	u16 sig_old_port;	/* host order; 0 = any port */
	u16 sig_new_port;	/* host order; 0 = keep the port */
	struct sip_addr sig_old;	/* SIP headers: replace this ... */
	struct sip_addr sig_new;	/* ... with this */
	struct sip_addr sdp_old;	/* SDP addresses: replace this ... */
	struct sip_addr sdp_new;	/* ... with this */
	u16 rtp_port[SDP_MAX_MEDIA];	/* new m= port per media; 0 = keep */
	u16 rtcp_port[SDP_MAX_MEDIA];	/* new a=rtcp port; 0 = keep */
};

enum sip_plan_err {
	SIP_PLAN_OK = 0,
	/* index not from a successful parse, or a new address 0.0.0.0 / :: */
	SIP_PLAN_ERR_INPUT = -60,
	SIP_PLAN_ERR_TOO_MANY = -61,	/* more than SIP_MAX_EDITS */
	SIP_PLAN_ERR_OVERLAP = -62,	/* two edits overlap (bad index) */
	SIP_PLAN_ERR_FAMILY = -63,	/* old/new address families differ */
	SIP_PLAN_ERR_SPACE = -64,	/* sip_apply(): output too small */
	/* the body changes but Content-Length is repeated: no fixing all */
	SIP_PLAN_ERR_CLEN = -65,
};

/*
 * Plan the edits. sdp may be NULL (no SDP edits); when given it must have
 * been parsed from the same buffer. Returns SIP_PLAN_OK (possibly with
 * out->n == 0) or an enum sip_plan_err; on error out->n is 0.
 */
int sip_plan(const char *buf, u32 len, const struct sip_msg *msg,
	     const struct sdp_msg *sdp, const struct sip_xlate *x,
	     struct sip_edits *out);

/*
 * Apply the edits to buf[0, len) into out (capacity cap); the rest of the
 * buffer after the message is copied too. *out_len receives the new size.
 */
int sip_apply(const char *buf, u32 len, const struct sip_edits *ed,
	      char *out, u32 cap, u32 *out_len);

/*
 * The same within buf itself, which holds len bytes and has room for cap:
 * each byte is moved at most once (a packet's payload is edited where it
 * lies).  On error buf is untouched.
 */
int sip_apply_inplace(char *buf, u32 len, u32 cap, const struct sip_edits *ed,
		      u32 *out_len);

/*
 * Format an address: dotted quad, or RFC 5952 compressed IPv6 (lower case,
 * longest run of two or more zero groups as "::", first one on a tie),
 * in brackets when asked. Returns the length (no NUL written), 0 for
 * SIP_AF_NONE. out must hold SIP_ADDR_STR_MAX + 2 bytes.
 */
u32 sip_format_addr(const struct sip_addr *a, bool brackets, char *out);
/* Decimal number; out holds 10 bytes. Returns the length. */
u32 sip_format_u32(u32 v, char *out);

#endif /* _SIP_PLAN_H */
