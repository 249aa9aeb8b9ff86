// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/sipalg_calls: the namespace's call records, one line each.  It
 * owns the file and its format; the records are copied out of the table by
 * sipalg_calls_copy() (sipalg_call.c) a few at a time, so that a read holds
 * sipalg_calls_lock for one bucket at most and nothing between two reads.
 */
#include <linux/kernel.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/jiffies.h>
#include <net/net_namespace.h>

#include "sipalg.h"

#define VIEWS	16	/* records copied per walk of the table */

struct calls_iter {
	struct seq_net_private p;	/* first: seq_file_net() */
	unsigned int bucket, skip;	/* where the table's walk goes on */
	unsigned int n, i;		/* views copied, the one shown */
	loff_t pos;			/* of views[i] */
	struct sipalg_call_view views[VIEWS];
};

static void calls_iter_reset(struct calls_iter *it)
{
	it->bucket = 0;
	it->skip = 0;
	it->n = 0;
	it->i = 0;
	it->pos = 1;
}

/* The next record's view, copying more when needed; NULL at the end. */
static struct sipalg_call_view *calls_iter_cur(struct seq_file *seq)
{
	struct calls_iter *it = seq->private;

	if (it->i >= it->n) {
		it->n = sipalg_calls_copy(seq_file_net(seq), &it->bucket,
					  &it->skip, it->views, VIEWS);
		it->i = 0;
	}
	return it->i < it->n ? &it->views[it->i] : NULL;
}

static void *calls_seq_start(struct seq_file *seq, loff_t *pos)
{
	struct calls_iter *it = seq->private;

	if (!*pos) {
		calls_iter_reset(it);
		return SEQ_START_TOKEN;
	}
	/* A reader that seeks elsewhere starts again: lines are skipped. */
	if (*pos != it->pos) {
		calls_iter_reset(it);
		while (it->pos < *pos && calls_iter_cur(seq)) {
			it->i++;
			it->pos++;
		}
	}
	return calls_iter_cur(seq);
}

static void *calls_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct calls_iter *it = seq->private;

	++*pos;
	if (v != SEQ_START_TOKEN) {
		it->i++;
		it->pos++;
	}
	return calls_iter_cur(seq);
}

/* Nothing is held between two reads. */
static void calls_seq_stop(struct seq_file *seq, void *v)
{
}

/* The Call-ID kept, with non-printing bytes, spaces and '\' as \xNN. */
static void show_cid(struct seq_file *seq, const struct sipalg_call_view *c)
{
	unsigned int i;
	u8 ch;

	if (!c->cid_len) {
		seq_putc(seq, '-');
		return;
	}
	for (i = 0; i < c->cid_len; i++) {
		ch = c->cid[i];
		if (ch > ' ' && ch < 0x7f && ch != '\\')
			seq_putc(seq, ch);
		else
			seq_printf(seq, "\\x%02x", ch);
	}
}

static void show_addr(struct seq_file *seq, u16 l3num,
		      const union nf_inet_addr *a, __be16 port)
{
	if (l3num == NFPROTO_IPV4)
		seq_printf(seq, "%pI4:%u", &a->ip, ntohs(port));
	else
		seq_printf(seq, "[%pI6c]:%u", a->ip6, ntohs(port));
}

static void show_tuple(struct seq_file *seq, const struct nf_conntrack_tuple *t)
{
	show_addr(seq, t->src.l3num, &t->src.u3, t->src.u.all);
	seq_puts(seq, "->");
	show_addr(seq, t->src.l3num, &t->dst.u3, t->dst.u.all);
}

static int calls_seq_show(struct seq_file *seq, void *v)
{
	const struct sipalg_call_view *c = v;
	const struct nf_conntrack_tuple *t;
	unsigned long now = jiffies;
	unsigned int i;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "call_id proto original reply state age idle pinholes(public=private:state,...)\n");
		return 0;
	}
	t = &c->tuple[IP_CT_DIR_ORIGINAL];
	show_cid(seq, c);
	seq_printf(seq, " %s ",
		   t->dst.protonum == IPPROTO_TCP ? "tcp" : "udp");
	show_tuple(seq, t);
	seq_putc(seq, ' ');
	show_tuple(seq, &c->tuple[IP_CT_DIR_REPLY]);
	seq_printf(seq, " %s %lu %lu ",
		   c->established ? "answered" : "offered",
		   (now - c->created) / HZ, (now - c->active) / HZ);
	if (!c->nph)
		seq_putc(seq, '-');
	for (i = 0; i < c->nph; i++) {
		const struct sipalg_pinhole_view *ph = &c->ph[i];

		if (i)
			seq_putc(seq, ',');
		show_addr(seq, t->src.l3num, &ph->addr, ph->port);
		seq_putc(seq, '=');
		show_addr(seq, t->src.l3num, &ph->priv_addr, ph->priv_port);
		seq_printf(seq, ":%s%s", ph->pending ? "pending" :
			   "used/expired", ph->pair ? "+rtcp" : "");
	}
	seq_putc(seq, '\n');
	return 0;
}

static const struct seq_operations calls_seq_ops = {
	.start	= calls_seq_start,
	.next	= calls_seq_next,
	.stop	= calls_seq_stop,
	.show	= calls_seq_show,
};

int sipalg_calls_proc_init(struct net *net)
{
	if (!proc_create_net("sipalg_calls", 0400, net->proc_net,
			     &calls_seq_ops, sizeof(struct calls_iter)))
		return -ENOMEM;
	return 0;
}

void sipalg_calls_proc_exit(struct net *net)
{
	remove_proc_entry("sipalg_calls", net->proc_net);
}
