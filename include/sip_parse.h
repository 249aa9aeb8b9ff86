/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One-pass SIP message indexer (RFC 3261), pure C.
 *
 * sip_parse() walks (buf, len) once and fills a caller-provided struct
 * sip_msg with spans (offset + length, relative to buf) of everything the
 * ALG reads or may rewrite. It never allocates, never recurses and never
 * reads outside [buf, buf + len). Every list has a compile-time bound; a
 * message exceeding one is rejected with SIP_ERR_TOO_MANY, never half
 * indexed.
 */
#ifndef _SIP_PARSE_H
#define _SIP_PARSE_H

#include "sipalg_types.h"

/* Compile-time bounds of the index. */
/* Via values (all lines, all commas); RFC 4475 longreq carries 34 */
#define SIP_MAX_VIA		48
#define SIP_MAX_CONTACT		8	/* Contact values (all lines, all commas) */
#define SIP_MAX_CLEN		(1u << 31)	/* Content-Length must be below */

/* Byte span in the buffer given to sip_parse(); len 0 = absent. */
struct sip_span {
	u32 off;
	u32 len;
};

/*
 * Address families: the values are AF_INET/AF_INET6 (== NFPROTO_IPV4/6) so
 * the kernel can compare them with nf_ct_l3num() directly.
 */
#define SIP_AF_NONE		0
#define SIP_AF_INET		2
#define SIP_AF_INET6		10

/* Same byte layout as union nf_inet_addr / struct in6_addr: network order. */
union sip_inaddr {
	u32 all[4];
	u32 ip;
	u32 ip6[4];
	u8 b[16];
};

struct sip_addr {
	u8 family;		/* SIP_AF_*; SIP_AF_NONE: not an IP literal */
	u8 pad[3];
	union sip_inaddr u;	/* unused bytes are zero */
};

/* struct sip_hostport.host_type */
#define SIP_HOST_NONE		0
#define SIP_HOST_NAME		1
#define SIP_HOST_IP4		2
#define SIP_HOST_IP6		3	/* written as "[...]" */

struct sip_hostport {
	struct sip_span span;	/* host[:port] exactly as written */
	struct sip_span host;	/* host, IPv6 includes the brackets */
	struct sip_span port;	/* port digits; len 0 = no port written */
	struct sip_addr addr;	/* parsed when host_type is IP4/IP6 */
	u16 port_num;		/* host order, 1-65535; 0 = no port written */
	u8 host_type;		/* SIP_HOST_* */
	u8 pad;
};

/* struct sip_uri.scheme */
#define SIP_SCHEME_NONE		0	/* no URI */
#define SIP_SCHEME_SIP		1
#define SIP_SCHEME_SIPS		2
#define SIP_SCHEME_TEL		3
#define SIP_SCHEME_OTHER	4	/* absoluteURI: only .span is set */

/* struct sip_uri.flags */
#define SIP_URIF_LR		0x01	/* ;lr */
#define SIP_URIF_MADDR		0x02	/* ;maddr= present */
#define SIP_URIF_TRANSPORT	0x04	/* ;transport= present */
#define SIP_URIF_HEADERS	0x08	/* ?headers present */
#define SIP_URIF_PASSWORD	0x10	/* user:password@ */

struct sip_uri {
	struct sip_span span;	/* whole URI, without any <> */
	struct sip_span user;	/* userinfo user part, no password, no '@' */
	struct sip_hostport hp;	/* sip/sips only */
	struct sip_span params;	/* ";..." up to '?' or end; len 0 if none */
	struct sip_span maddr;	/* maddr= value */
	struct sip_span transport;	/* transport= value */
	u8 scheme;		/* SIP_SCHEME_* */
	u8 flags;		/* SIP_URIF_* */
	u8 pad[2];
};

/* struct sip_via.transport_id */
#define SIP_TRANSPORT_OTHER	0
#define SIP_TRANSPORT_UDP	1
#define SIP_TRANSPORT_TCP	2
#define SIP_TRANSPORT_TLS	3
#define SIP_TRANSPORT_SCTP	4
#define SIP_TRANSPORT_WS	5
#define SIP_TRANSPORT_WSS	6

/* struct sip_via.flags */
#define SIP_VIAF_BRANCH		0x01
#define SIP_VIAF_RECEIVED	0x02
#define SIP_VIAF_RPORT		0x04	/* ;rport present (with or without value) */
#define SIP_VIAF_RPORT_VALUE	0x08	/* ;rport=N: rport_num valid */
#define SIP_VIAF_MADDR		0x10

struct sip_via {
	struct sip_span span;	/* the whole via-parm */
	struct sip_span transport;	/* "UDP" in "SIP/2.0/UDP" */
	struct sip_hostport sent_by;
	struct sip_span branch;	/* values of the params, without name= */
	struct sip_span received;
	/*
	 * ;rport=N: the digits. ;rport without value: off points just after
	 * "rport" (where "=N" would go), len 0, SIP_VIAF_RPORT set.
	 */
	struct sip_span rport;
	struct sip_span maddr;
	u16 rport_num;		/* host order when SIP_VIAF_RPORT_VALUE */
	u8 transport_id;	/* SIP_TRANSPORT_* */
	u8 flags;		/* SIP_VIAF_* */
};

/* struct sip_contact.flags */
#define SIP_CONTF_EXPIRES	0x01	/* ;expires= present, .expires valid */
#define SIP_CONTF_NAME_ADDR	0x02	/* written as [display] <URI> */
#define SIP_CONTF_CLAMPED	0x04	/* expires > 2^32-1, clamped */

struct sip_contact {
	struct sip_span span;	/* the whole contact-param */
	struct sip_uri uri;
	struct sip_span expires_span;	/* digits */
	u32 expires;
	u32 flags;		/* SIP_CONTF_* */
};

/* Methods (RFC 3261 7.1: method names are case-sensitive). */
enum sip_method {
	SIP_METHOD_OTHER = 0,
	SIP_METHOD_INVITE,
	SIP_METHOD_ACK,
	SIP_METHOD_BYE,
	SIP_METHOD_CANCEL,
	SIP_METHOD_REGISTER,
	SIP_METHOD_OPTIONS,
	SIP_METHOD_UPDATE,
	SIP_METHOD_PRACK,
	SIP_METHOD_INFO,
	SIP_METHOD_MESSAGE,
	SIP_METHOD_SUBSCRIBE,
	SIP_METHOD_NOTIFY,
	SIP_METHOD_REFER,
	SIP_METHOD_PUBLISH,
	SIP_METHOD__COUNT
};

/* struct sip_msg.kind */
#define SIP_KIND_REQUEST	1
#define SIP_KIND_RESPONSE	2

/* struct sip_msg.ctype */
#define SIP_CTYPE_NONE		0	/* no Content-Type header */
#define SIP_CTYPE_SDP		1	/* application/sdp */
#define SIP_CTYPE_MULTIPART	2	/* multipart/(any) with boundary */
#define SIP_CTYPE_OTHER		3

/* struct sip_msg.flags */
#define SIP_F_CL_PRESENT	0x0001	/* Content-Length seen */
#define SIP_F_CL_DUP_SAME	0x0002	/* repeated with the same value */
#define SIP_F_TRAILING		0x0004	/* bytes after headers+Content-Length */
#define SIP_F_EXPIRES		0x0008	/* Expires header: .expires valid */
#define SIP_F_EXPIRES_CLAMPED	0x0010	/* Expires > 2^32-1, clamped */
#define SIP_F_CONTACT_STAR	0x0020	/* Contact: * */
#define SIP_F_FOLDED		0x0040	/* a header was folded (LWS continuation) */
#define SIP_F_BARE_EOL		0x0080	/* some line ended in bare LF or CR */
#define SIP_F_LAX_START		0x0100	/* extra SP in the request line */
#define SIP_F_SDP		0x0200	/* .sdp is an SDP body (whole or part) */
#define SIP_F_MULTI_SDP		0x0400	/* multipart with >1 SDP part: first used */

/*
 * Errors: sip_parse()/sip_frame() return 0 (or a positive frame code) or
 * one of these. After an error only .err and .err_off of the index are
 * meaningful.
 */
enum sip_err {
	SIP_OK = 0,
	SIP_ERR_EMPTY = -1,		/* nothing but line ends */
	SIP_ERR_TRUNCATED = -2,		/* no blank line ending the headers */
	SIP_ERR_START_LINE = -3,	/* malformed request/status line */
	SIP_ERR_VERSION = -4,		/* not SIP/2.0 */
	SIP_ERR_STATUS = -5,		/* status code not 3 digits 100-699 */
	SIP_ERR_RURI = -6,		/* malformed Request-URI */
	SIP_ERR_HEADER = -7,		/* header line without name ':' */
	SIP_ERR_VIA = -8,
	SIP_ERR_CONTACT = -9,
	SIP_ERR_FROM = -10,
	SIP_ERR_TO = -11,
	SIP_ERR_CALLID = -12,
	SIP_ERR_CSEQ = -13,		/* malformed or >= 2^32 */
	SIP_ERR_CSEQ_METHOD = -14,	/* request method != CSeq method */
	SIP_ERR_CL_SYNTAX = -15,	/* Content-Length not digits */
	SIP_ERR_CL_NEGATIVE = -16,
	SIP_ERR_CL_RANGE = -17,		/* Content-Length >= 2^31 */
	SIP_ERR_CL_DUP = -18,		/* repeated with differing values */
	SIP_ERR_CL_BEYOND = -19,	/* Content-Length > bytes available */
	SIP_ERR_CL_ABSENT = -20,	/* sip_frame() only: stream needs it */
	SIP_ERR_MISSING = -21,		/* no Via/From/To/Call-ID/CSeq */
	SIP_ERR_DUP_HEADER = -22,	/* second From/To/Call-ID/CSeq */
	/* reserved: a malformed Expires is ignored, RFC 3261 20.19 */
	SIP_ERR_EXPIRES = -23,
	SIP_ERR_CTYPE = -24,		/* malformed Content-Type */
	SIP_ERR_TOO_MANY = -25,		/* more than SIP_MAX_VIA/CONTACT */
	SIP_ERR_BAD_LEN = -26,		/* len 0 or >= 2^31 */
};

struct sip_msg {
	u8 kind;		/* SIP_KIND_* */
	u8 method;		/* enum sip_method (requests) */
	u8 cseq_method;		/* enum sip_method of CSeq */
	u8 ctype;		/* SIP_CTYPE_* */
	u16 status;		/* responses: 100-699 */
	u8 n_via;
	u8 n_contact;
	u32 flags;		/* SIP_F_* */
	s32 err;		/* enum sip_err of the last parse */
	u32 err_off;		/* where the error was noticed */

	struct sip_span start_line;	/* first line without line end */
	struct sip_span method_span;	/* request method token */
	struct sip_span reason;	/* response reason phrase (may be empty) */
	struct sip_uri ruri;	/* Request-URI */

	struct sip_via via[SIP_MAX_VIA];	/* in message order */
	struct sip_contact contact[SIP_MAX_CONTACT];	/* in message order */

	struct sip_uri from;
	struct sip_span from_tag;
	struct sip_uri to;
	struct sip_span to_tag;

	struct sip_span call_id;
	struct sip_span cseq_num_span;
	struct sip_span cseq_method_span;
	u32 cseq;

	struct sip_span clen_span;	/* digits of the first Content-Length */
	u32 clen;			/* value; valid with SIP_F_CL_PRESENT */
	u32 expires;			/* Expires header (SIP_F_EXPIRES) */
	struct sip_span expires_span;

	struct sip_span ctype_span;	/* Content-Type value */
	struct sip_span boundary;	/* multipart boundary (unquoted) */

	u32 hdr_len;		/* start line + headers + blank line */
	u32 body_off;		/* == hdr_len */
	/*
	 * Body length: Content-Length when present, else (datagram without
	 * Content-Length, RFC 3261 18.3) the rest of the buffer.
	 */
	u32 body_len;
	u32 msg_len;		/* body_off + body_len (<= len) */
	struct sip_span sdp;	/* the SDP: the whole body or one MIME part */
};

/*
 * Parse one SIP message starting at buf[0] (leading CRLFs are skipped,
 * RFC 3261 7.5). Returns SIP_OK or an enum sip_err; msg->err is the same.
 */
int sip_parse(const char *buf, u32 len, struct sip_msg *msg);

/* sip_frame() results, besides the negative enum sip_err values. */
#define SIP_FRAME_NEED_MORE	0	/* headers or body incomplete */
#define SIP_FRAME_COMPLETE	1	/* *msg_len = whole first message */
#define SIP_FRAME_KEEPALIVE	2	/* *msg_len = CR/LF bytes to skip */

/*
 * Stream framing (RFC 3261 18.3: Content-Length is mandatory on streams):
 * - leading CR/LF bytes are RFC 5626 3.5.1 keep-alives (CRLFCRLF ping,
 *   CRLF pong): SIP_FRAME_KEEPALIVE with their count in *msg_len;
 * - otherwise SIP_FRAME_COMPLETE with the length of the first message
 *   (headers + blank line + Content-Length), or SIP_FRAME_NEED_MORE when
 *   the headers or the body continue beyond len; with NEED_MORE, *msg_len
 *   is the whole message's length once the headers are complete (only the
 *   body is missing) and 0 while they are not;
 * - SIP_ERR_CL_ABSENT and the other Content-Length errors when the headers
 *   are complete but the length cannot be known.
 * Only Content-Length/l is looked at; the message is not otherwise checked.
 */
int sip_frame(const char *buf, u32 len, u32 *msg_len);

/*
 * Bounded text parsers shared with sdp_parse.c and the planner. They accept
 * exactly the whole [s, s + n) and return true on success.
 * IPv4: dotted quad, 1-3 digits per part, each <= 255.
 * IPv6: RFC 4291 2.2 text forms, with "::" and a trailing dotted quad
 * (no brackets, no zone).
 */
bool sip_parse_ipv4(const char *s, u32 n, u8 out[4]);
bool sip_parse_ipv6(const char *s, u32 n, u8 out[16]);
/* Fills *a from an IPv4 literal or an IPv6 literal with or without []. */
bool sip_parse_ipaddr(const char *s, u32 n, struct sip_addr *a);
/* Decimal port 1-65535, 1-5 digits; returns 0 on error. */
u16 sip_parse_port(const char *s, u32 n);

/* Returns the method enum for an exact (case-sensitive) token. */
u8 sip_method_id(const char *s, u32 n);

/* Human-readable name of any SIP_ERR_, SDP_ERR_ or SIP_PLAN_ERR_ code. */
const char *sip_strerror(int err);

/*
 * Word-at-a-time scanning, shared by both parsers for their hottest loops
 * (line ends, URI and field ends). A machine word (8 bytes, 4 on 32-bit
 * machines) is loaded at once and tested with the "has a byte less than
 * n" trick:
 *   (v - 0x0101..01 * n) & ~v & 0x8080..80
 * flags the high bit of bytes below n (n <= 128). A borrow can only start
 * at a byte below n, which is flagged itself, so the lowest flagged byte is
 * always a real hit (flags above it may be false, and are never used). A
 * byte equal to c is a byte of v ^ (0x01..01 * c) below 1. Only on
 * little-endian machines, where the lowest byte in memory is the lowest in
 * the word and is found with ctz; big-endian ones scan byte by byte. Every
 * load is of a whole word inside [p, e).
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SIP_WORD_SCAN	1
#endif

/* The unit tests build with SIP_WORD_TYPE u32 too (a 32-bit machine's). */
#ifndef SIP_WORD_TYPE
#define SIP_WORD_TYPE	unsigned long
#endif
typedef SIP_WORD_TYPE sip_word;

#define SIP_W_BYTES	((u32)sizeof(sip_word))
#define SIP_W_ONES	((sip_word)~(sip_word)0 / 0xff)
#define SIP_W_HIGHS	(SIP_W_ONES * 0x80)

static inline sip_word sip_w_below(sip_word v, u8 n)
{
	return (v - SIP_W_ONES * n) & ~v & SIP_W_HIGHS;
}

static inline sip_word sip_w_eq(sip_word v, u8 c)
{
	return sip_w_below(v ^ (SIP_W_ONES * c), 1);
}

/* Offset of the lowest flagged byte of a non-zero mask. */
static inline u32 sip_w_first(sip_word t)
{
	if (sizeof(sip_word) > sizeof(unsigned int))
		return (u32)__builtin_ctzll((unsigned long long)t) >> 3;
	return (u32)__builtin_ctz((unsigned int)t) >> 3;
}

/*
 * The scanning core: offset of the first byte in [p, e) that is below
 * "below" (0: no such test) or equal to one of the first nc (0-3) of c1,
 * c2, c3; e when there is none. Every argument but the offsets is a
 * constant at each call, so the unused tests fold away. Words are only
 * loaded while 8 bytes remain; the last 0-7 bytes are tested one by one.
 * (Loading a last word that ends at e and shifting out the bytes already
 * seen, or loading words across e up to the end of the buffer, were both
 * tried: on the short runs of SIP they cost more than they save.)
 */
static inline bool sip_b_hit(u8 c, u8 below, u32 nc, u8 c1, u8 c2, u8 c3)
{
	return c < below || (nc > 0 && c == c1) || (nc > 1 && c == c2) ||
	       (nc > 2 && c == c3);
}

static inline sip_word sip_w_test(sip_word v, u8 below, u32 nc, u8 c1, u8 c2,
				  u8 c3)
{
	sip_word t = sip_w_below(v, below);

	if (nc > 0)
		t |= sip_w_eq(v, c1);
	if (nc > 1)
		t |= sip_w_eq(v, c2);
	if (nc > 2)
		t |= sip_w_eq(v, c3);
	return t;
}

static inline u32 sip_scan(const char *b, u32 p, u32 e, u8 below, u32 nc,
			   u8 c1, u8 c2, u8 c3)
{
#ifdef SIP_WORD_SCAN
	sip_word v, t;

	/* an empty span may come as p > e: "e - p" needs p <= e */
	if (p >= e)
		return p;
	while (e - p >= SIP_W_BYTES) {
		memcpy(&v, b + p, SIP_W_BYTES);
		t = sip_w_test(v, below, nc, c1, c2, c3);
		if (t)
			return p + sip_w_first(t);
		p += SIP_W_BYTES;
	}
#endif
	while (p < e && !sip_b_hit((u8)b[p], below, nc, c1, c2, c3))
		p++;
	return p;
}

/*
 * Offset of the first CR or LF in [p, e), or e. Words are tested for bytes
 * below '\r' + 1 (CR, LF, and also HT, NUL and the other controls, which
 * are rare in SIP and SDP): such a byte is checked, and the scan goes on
 * right after it when it is not a line end. The result is exact.
 *
 * The test leaves out the "& ~v" of sip_w_below(): every byte below
 * '\r' + 1 is still flagged (its high bit is set after the subtraction,
 * borrow or not), but so are bytes >= 0x8e (UTF-8 in display names and
 * SDP), and the borrow out of a real hit may flag the byte above it. Only
 * the lowest flag is used, and it is checked like an HT would be: a false
 * one is skipped. Two instructions less per word for the hottest loop of
 * both parsers, and two words per bound check while two words remain.
 */
static inline u32 sip_find_eol(const char *b, u32 p, u32 e)
{
#ifdef SIP_WORD_SCAN
	sip_word v, w, t;

	/* As in sip_scan(): "e - p" below needs p <= e. */
	if (p >= e)
		return p;
	while (e - p >= 2 * SIP_W_BYTES) {
		memcpy(&v, b + p, SIP_W_BYTES);
		memcpy(&w, b + p + SIP_W_BYTES, SIP_W_BYTES);
		t = (v - SIP_W_ONES * ('\r' + 1)) & SIP_W_HIGHS;
		if (!t) {
			t = (w - SIP_W_ONES * ('\r' + 1)) & SIP_W_HIGHS;
			if (!t) {
				p += 2 * SIP_W_BYTES;
				continue;
			}
			p += SIP_W_BYTES;
		}
		p += sip_w_first(t);
		if (b[p] == '\r' || b[p] == '\n')
			return p;
		p++;
	}
	while (e - p >= SIP_W_BYTES) {
		memcpy(&v, b + p, SIP_W_BYTES);
		t = (v - SIP_W_ONES * ('\r' + 1)) & SIP_W_HIGHS;
		if (!t) {
			p += SIP_W_BYTES;
			continue;
		}
		p += sip_w_first(t);
		if (b[p] == '\r' || b[p] == '\n')
			return p;
		p++;
	}
#endif
	while (p < e && b[p] != '\r' && b[p] != '\n')
		p++;
	return p;
}

/*
 * Offset of the first byte in [p, e) that is below 0x21 (SP, HT, CR, LF
 * and the other controls) or equal to c1, c2 or c3, or e: a candidate for
 * the end of a token-like run. The caller decides whether a control byte
 * really ends its run and, if not, scans on from the next byte.
 */
static inline u32 sip_scan_ctl_or(const char *b, u32 p, u32 e, u32 nc, u8 c1,
				  u8 c2, u8 c3)
{
	return sip_scan(b, p, e, 0x21, nc, c1, c2, c3);
}

/* Offset of the first byte equal to c in [p, e), or e. */
static inline u32 sip_scan_byte(const char *b, u32 p, u32 e, u8 c)
{
	return sip_scan(b, p, e, 0, 1, c, 0, 0);
}

static inline bool sip_addr_eq(const struct sip_addr *a,
			       const struct sip_addr *b)
{
	if (a->family != b->family || a->family == SIP_AF_NONE)
		return false;
	if (a->family == SIP_AF_INET)
		return a->u.ip == b->u.ip;
	return memcmp(a->u.b, b->u.b, 16) == 0;
}

#endif /* _SIP_PARSE_H */
