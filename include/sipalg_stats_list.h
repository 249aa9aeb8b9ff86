/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters of /proc/net/stat/sipalg, in the order they are shown: one
 * SIPALG_STAT(name) line each.  Included where a list is made of them, with
 * SIPALG_STAT defined to make the list's entry (include/sipalg.h: the enum;
 * sipalg_stats.c: the names).  No include guard: that is the point.
 */
SIPALG_STAT(messages)		/* SIP messages parsed */
SIPALG_STAT(requests)
SIPALG_STAT(responses)
/* requests by method: the order of enum sip_method */
SIPALG_STAT(req_other)
SIPALG_STAT(req_invite)
SIPALG_STAT(req_ack)
SIPALG_STAT(req_bye)
SIPALG_STAT(req_cancel)
SIPALG_STAT(req_register)
SIPALG_STAT(req_options)
SIPALG_STAT(req_update)
SIPALG_STAT(req_prack)
SIPALG_STAT(req_info)
SIPALG_STAT(req_message)
SIPALG_STAT(req_subscribe)
SIPALG_STAT(req_notify)
SIPALG_STAT(req_refer)
SIPALG_STAT(req_publish)
/* responses by class */
SIPALG_STAT(resp_1xx)
SIPALG_STAT(resp_2xx)
SIPALG_STAT(resp_3xx)
SIPALG_STAT(resp_4xx)
SIPALG_STAT(resp_5xx)
SIPALG_STAT(resp_6xx)
SIPALG_STAT(malformed)		/* passed untouched: cannot parse SIP */
SIPALG_STAT(sdp_malformed)	/* passed untouched: cannot parse SDP */
SIPALG_STAT(dropped)		/* dropped by drop_malformed */
SIPALG_STAT(not_linear)		/* could not linearize */
SIPALG_STAT(tcp_partial)	/* passed untouched: TCP message split */
SIPALG_STAT(tcp_continuation)	/* segment inside a split message */
SIPALG_STAT(tcp_unsynced)	/* TCP position lost: waiting for a start */
SIPALG_STAT(tcp_held)		/* split message: first part held back */
SIPALG_STAT(tcp_joined)		/* ... sent on with the rest, rewritten */
SIPALG_STAT(tcp_rejoined)	/* ... sent again: the rest was resent */
SIPALG_STAT(tcp_joined_gso)	/* ... larger than the MTU: sent as GSO */
SIPALG_STAT(tcp_hold_resent)	/* held bytes sent again: dropped, re-ACKed */
SIPALG_STAT(tcp_hold_gap)	/* segment after a gap behind held bytes */
SIPALG_STAT(tcp_hold_failed)	/* could not hold (memory, budget, size) */
SIPALG_STAT(tcp_signed)		/* MD5/AO-signed segment: never held */
SIPALG_STAT(tcp_peeked)		/* no NAT: split message parsed whole */
SIPALG_STAT(tcp_acks)		/* ACKs sent for held bytes */
SIPALG_STAT(tcp_ack_deferred)	/* ... waiting for the receiver's ACK */
SIPALG_STAT(tcp_ack_failed)	/* ... that could not be sent */
SIPALG_STAT(rewritten)		/* messages changed by NAT */
SIPALG_STAT(rewrite_failed)
SIPALG_STAT(media_pinholes)	/* media expectations registered */
SIPALG_STAT(media_matched)	/* ... that media then arrived on */
SIPALG_STAT(media_refused)	/* policy: media address not allowed */
SIPALG_STAT(media_failed)	/* registration failed */
SIPALG_STAT(media_removed)	/* by BYE, CANCEL, failure or new SDP */
SIPALG_STAT(media_evicted)	/* oldest of a flow at max_media_per_flow */
SIPALG_STAT(media_evicted_host)	/* oldest of a host at max_media_per_host */
SIPALG_STAT(media_reclaimed)	/* oldest of the fullest host: table full */
SIPALG_STAT(media_table_full)	/* table full of others' expectations */
SIPALG_STAT(signalling_pinholes)
SIPALG_STAT(signalling_removed)
SIPALG_STAT(calls_recycled)	/* max_calls reached */
SIPALG_STAT(unreplied_kept_short)	/* refresh skipped: flow never answered */
SIPALG_STAT(auto_assigned)	/* flows given the helper by auto_assign */
SIPALG_STAT(wrong_transport)	/* flow of another transport: not read */
