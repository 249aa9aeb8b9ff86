// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: sip_parse() and sip_frame() on arbitrary bytes. The
 * data buffer is exactly sized, so ASan reports any read past len. Checks
 * the index invariants that the kernel side relies on.
 */
#include "sip_parse.h"
#include "sdp_parse.h"
#include "fuzz_common.h"

static struct sip_msg m;
static struct sdp_msg s;

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const char *b = (const char *)data;
	u32 len = (u32)size, i, ml;
	int r;

	if (size > 65535)
		return 0;
	r = sip_frame(b, len, &ml);
	CHECK(r == SIP_FRAME_NEED_MORE || r == SIP_FRAME_COMPLETE ||
	      r == SIP_FRAME_KEEPALIVE || r < 0);
	if (r == SIP_FRAME_COMPLETE || r == SIP_FRAME_KEEPALIVE)
		CHECK(ml > 0 && ml <= len);

	r = sip_parse(b, len, &m);
	CHECK(r == m.err && r <= 0);
	if (r)
		return 0;
	CHECK(m.body_off == m.hdr_len && m.body_off <= len);
	CHECK(m.msg_len == m.body_off + m.body_len && m.msg_len <= len);
	CHECK(m.n_via >= 1 && m.n_via <= SIP_MAX_VIA);
	CHECK(m.n_contact <= SIP_MAX_CONTACT);
	span_ok(m.ruri.span, len);
	span_ok(m.call_id, len);
	for (i = 0; i < m.n_via; i++) {
		span_ok(m.via[i].sent_by.span, len);
		span_ok(m.via[i].rport, len);
		span_ok(m.via[i].received, len);
		CHECK(m.via[i].sent_by.span.off + m.via[i].sent_by.span.len <=
		      m.hdr_len);
	}
	for (i = 0; i < m.n_contact; i++)
		span_ok(m.contact[i].uri.hp.span, len);
	/* framing agrees with parsing when Content-Length is there */
	if ((m.flags & SIP_F_CL_PRESENT) && b[0] != '\r' && b[0] != '\n' &&
	    sip_frame(b, len, &ml) == SIP_FRAME_COMPLETE)
		CHECK(ml == m.msg_len);
	if (m.flags & SIP_F_SDP) {
		CHECK(m.sdp.off >= m.body_off &&
		      m.sdp.off + m.sdp.len <= m.msg_len);
		if (!sdp_parse(b, len, m.sdp.off, m.sdp.len, &s))
			CHECK(s.n_media <= SDP_MAX_MEDIA);
	}
	return 0;
}
