/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One-pass SDP indexer (RFC 4566, RFC 3605 a=rtcp, RFC 5761 a=rtcp-mux),
 * pure C. The body lies inside the SIP message buffer; every span is an
 * offset into that same buffer so the planner can edit the whole message.
 */
#ifndef _SDP_PARSE_H
#define _SDP_PARSE_H

#include "sipalg_types.h"
#include "sip_parse.h"

/* More m= lines than this: SDP_ERR_TOO_MANY, the body is left alone. */
#define SDP_MAX_MEDIA		16

/* struct sdp_conn.addrtype */
#define SDP_ADDRTYPE_NONE	0	/* line absent */
#define SDP_ADDRTYPE_IP4	1
#define SDP_ADDRTYPE_IP6	2
#define SDP_ADDRTYPE_OTHER	3	/* unknown nettype/addrtype: kept */

/* struct sdp_conn.flags */
#define SDP_CF_HOLD		0x01	/* 0.0.0.0 or :: (RFC 3264 8.4 hold) */
#define SDP_CF_MULTICAST	0x02	/* 224.0.0.0/4 or ff00::/8 */
#define SDP_CF_TTL		0x04	/* IP4 multicast "/ttl" present */
#define SDP_CF_NUM		0x08	/* "/num" present */
#define SDP_CF_FQDN		0x10	/* address is not an IP literal */

/* An address field of c=, o= or a=rtcp: "IN IP4 <addr>[/ttl[/num]]". */
struct sdp_conn {
	struct sip_span addr;	/* address text only, before any '/' */
	struct sip_addr ip;	/* parsed; family SIP_AF_NONE for an FQDN */
	u16 ttl;		/* SDP_CF_TTL */
	u16 num;		/* 1 unless SDP_CF_NUM */
	u8 addrtype;		/* SDP_ADDRTYPE_* */
	u8 flags;		/* SDP_CF_* */
	u8 pad[2];
};

/* Direction attributes (RFC 4566 6 / RFC 3264). */
#define SDP_DIR_NONE		0	/* no attribute at this level */
#define SDP_DIR_SENDRECV	1
#define SDP_DIR_SENDONLY	2
#define SDP_DIR_RECVONLY	3
#define SDP_DIR_INACTIVE	4

/* struct sdp_media.media_type */
#define SDP_MEDIA_OTHER		0
#define SDP_MEDIA_AUDIO		1
#define SDP_MEDIA_VIDEO		2
#define SDP_MEDIA_IMAGE		3
#define SDP_MEDIA_TEXT		4
#define SDP_MEDIA_APPLICATION	5
#define SDP_MEDIA_MESSAGE	6

/* struct sdp_media.flags */
#define SDP_MF_CONN		0x01	/* media-level c= present (.conn) */
#define SDP_MF_RTCP		0x02	/* a=rtcp: present (.rtcp_*) */
#define SDP_MF_RTCP_ADDR	0x04	/* a=rtcp: carries an address */
#define SDP_MF_RTCP_MUX		0x08	/* a=rtcp-mux */
#define SDP_MF_PORT_ZERO	0x10	/* port 0: stream disabled/rejected */
#define SDP_MF_HOLD		0x20	/* effective address is 0.0.0.0 or :: */
#define SDP_MF_NO_ADDR		0x40	/* neither media nor session c= */
#define SDP_MF_COUNT		0x80	/* m=<media> <port>/<count> */

struct sdp_media {
	struct sip_span line;	/* m= line value, after "m=" */
	struct sip_span type;	/* "audio" */
	struct sip_span port;	/* port digits */
	struct sip_span proto;	/* "RTP/AVP" */
	struct sip_span fmts;	/* format list, may be empty */
	u16 port_num;		/* 0-65535 (0 = disabled) */
	u16 port_count;		/* "/count", 1 if absent */
	u8 media_type;		/* SDP_MEDIA_* */
	u8 dir;			/* direction attribute at media level */
	u8 eff_dir;		/* media, else session, else SENDRECV */
	u8 flags;		/* SDP_MF_* */
	struct sdp_conn conn;	/* media-level c= (addrtype NONE if absent) */
	struct sip_span rtcp_port;	/* a=rtcp: port digits */
	u16 rtcp_port_num;
	u8 pad[2];
	struct sdp_conn rtcp_conn;	/* a=rtcp: address part, if any */
	/* Effective connection address: media c= else session c=. */
	struct sip_addr addr;
};

/* struct sdp_msg.flags */
#define SDP_F_ORIGIN		0x01	/* o= present (.origin) */
#define SDP_F_CONN		0x02	/* session-level c= present (.conn) */

enum sdp_err {
	SDP_OK = 0,
	SDP_ERR_EMPTY = -40,		/* empty body */
	SDP_ERR_VERSION = -41,		/* first line not v=0 */
	SDP_ERR_LINE = -42,		/* not "<letter>=" */
	SDP_ERR_ORIGIN = -43,		/* malformed or repeated o= */
	SDP_ERR_CONN = -44,		/* malformed or repeated c= */
	SDP_ERR_MEDIA = -45,		/* malformed m= */
	SDP_ERR_PORT = -46,		/* m= port/count out of range */
	SDP_ERR_RTCP = -47,		/* malformed or repeated a=rtcp */
	SDP_ERR_TOO_MANY = -48,		/* more than SDP_MAX_MEDIA m= lines */
	SDP_ERR_BAD_SPAN = -49,		/* off/len outside the buffer */
};

struct sdp_msg {
	struct sip_span body;	/* what was parsed */
	struct sip_span origin;	/* o= value */
	struct sdp_conn o_addr;	/* o= unicast-address */
	struct sdp_conn conn;	/* session c= (addrtype NONE if absent) */
	u8 dir;			/* session-level direction attribute */
	u8 n_media;
	u8 flags;		/* SDP_F_* */
	u8 pad;
	s32 err;		/* enum sdp_err */
	u32 err_off;
	struct sdp_media media[SDP_MAX_MEDIA];
};

/*
 * Parse the SDP at buf[off, off + len) (typically msg->sdp). buf_len is the
 * size of buf, checked against off + len. Line ends CRLF or bare LF
 * (RFC 4566 5: "parsers SHOULD be tolerant and also accept records
 * terminated with a single newline character"). Unknown lines (s=, t=, b=,
 * k=, other a=) are skipped and stay byte-identical.
 */
int sdp_parse(const char *buf, u32 buf_len, u32 off, u32 len,
	      struct sdp_msg *sdp);

#endif /* _SDP_PARSE_H */
