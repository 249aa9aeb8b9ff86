// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: per network namespace and per CPU, one line a CPU in
 * /proc/net/stat/sipalg, sipalg_tcp and sipalg_media (lnstat's format),
 * each led by a gauge.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "sipalg.h"

static const char *const sipalg_stat_names[] = {
#define SIPALG_STAT(name) \
	[SIPALG_STAT_##name] = #name,
#include "sipalg_stats_list.h"
#undef SIPALG_STAT
};

unsigned int sipalg_net_id __read_mostly;

/*
 * The statistics files' format (lnstat, as /proc/net/stat/nf_conntrack):
 * a line of field names, then one line of hex values per possible CPU.
 * lnstat reads at most 32 fields a file and takes the first as a level,
 * the others as counters summed over the lines: so the counters come in
 * three files, each led by a gauge that every line repeats (as
 * nf_conntrack does its "entries"): a reader sums the counters over the
 * lines and takes the gauge from one.
 */
enum { GAUGE_CALLS, GAUGE_TCP_HELD, GAUGE_PINHOLES };

struct stats_file {
	const char *name;
	const char *gauge;
	unsigned int gauge_id;
	enum sipalg_stat first, last;	/* its counters, in the list's order */
};

static const struct stats_file stats_files[] = {
	{ "sipalg", "calls_active", GAUGE_CALLS,
	  SIPALG_STAT_messages, SIPALG_STAT_not_linear },
	{ "sipalg_tcp", "tcp_held_bytes", GAUGE_TCP_HELD,
	  SIPALG_STAT_tcp_partial, SIPALG_STAT_tcp_ack_failed },
	{ "sipalg_media", "call_pinholes", GAUGE_PINHOLES,
	  SIPALG_STAT_rewritten, __SIPALG_STAT_MAX - 1 },
};

static void *stats_seq_cpu(struct seq_file *seq, loff_t *pos)
{
	struct sipalg_net *sn = net_generic(seq_file_net(seq), sipalg_net_id);
	int cpu;

	for (cpu = *pos - 1; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_possible(cpu))
			continue;
		*pos = cpu + 1;
		return per_cpu_ptr(sn->stats, cpu);
	}
	return NULL;
}

static void *stats_seq_start(struct seq_file *seq, loff_t *pos)
{
	return *pos ? stats_seq_cpu(seq, pos) : SEQ_START_TOKEN;
}

static void *stats_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	++*pos;
	return stats_seq_cpu(seq, pos);
}

static void stats_seq_stop(struct seq_file *seq, void *v)
{
}

static unsigned int stats_gauge(struct net *net, unsigned int id)
{
	switch (id) {
	case GAUGE_CALLS:
		return sipalg_calls_active(net);
	case GAUGE_TCP_HELD:
		return sipalg_hold_bytes(net);
	default:
		return sipalg_calls_pinholes(net);
	}
}

static int stats_seq_show(struct seq_file *seq, void *v)
{
	const struct stats_file *f = pde_data(file_inode(seq->file));
	const struct sipalg_stats *st = v;
	unsigned int i;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, f->gauge);
		for (i = f->first; i <= f->last; i++)
			seq_printf(seq, " %s", sipalg_stat_names[i]);
		seq_putc(seq, '\n');
		return 0;
	}
	seq_printf(seq, "%08x", stats_gauge(seq_file_net(seq), f->gauge_id));
	for (i = f->first; i <= f->last; i++)
		seq_printf(seq, " %08llx", st->v[i]);
	seq_putc(seq, '\n');
	return 0;
}

static const struct seq_operations stats_seq_ops = {
	.start	= stats_seq_start,
	.next	= stats_seq_next,
	.stop	= stats_seq_stop,
	.show	= stats_seq_show,
};

static void stats_files_remove(struct net *net, unsigned int n)
{
	while (n--)
		remove_proc_entry(stats_files[n].name, net->proc_net_stat);
}

static int __net_init sipalg_stats_net_init(struct net *net)
{
	struct sipalg_net *sn = net_generic(net, sipalg_net_id);
	unsigned int i;

	sn->stats = alloc_percpu(struct sipalg_stats);
	if (!sn->stats)
		return -ENOMEM;
	sipalg_calls_net_init(net);
	for (i = 0; i < ARRAY_SIZE(stats_files); i++)
		if (!proc_create_net_data(stats_files[i].name, 0444,
					  net->proc_net_stat, &stats_seq_ops,
					  sizeof(struct seq_net_private),
					  (void *)&stats_files[i]))
			goto err_stat;
	if (sipalg_calls_proc_init(net))
		goto err_stat;
	return 0;

err_stat:
	stats_files_remove(net, i);
	free_percpu(sn->stats);
	return -ENOMEM;
}

static void __net_exit sipalg_stats_net_exit(struct net *net)
{
	struct sipalg_net *sn = net_generic(net, sipalg_net_id);

	sipalg_calls_proc_exit(net);
	stats_files_remove(net, ARRAY_SIZE(stats_files));
	sipalg_calls_net_exit(net);
	free_percpu(sn->stats);
}

static struct pernet_operations sipalg_stats_net_ops = {
	.init	= sipalg_stats_net_init,
	.exit	= sipalg_stats_net_exit,
	.id	= &sipalg_net_id,
	.size	= sizeof(struct sipalg_net),
};

int sipalg_stats_init(void)
{
	BUILD_BUG_ON(ARRAY_SIZE(sipalg_stat_names) != __SIPALG_STAT_MAX);
	BUILD_BUG_ON(SIPALG_STAT_req_publish - SIPALG_STAT_req_other !=
		     SIP_METHOD_PUBLISH);
	BUILD_BUG_ON(SIP_METHOD__COUNT - SIP_METHOD_PUBLISH != 1);
	/* lnstat: 32 fields a file, with the gauge */
	BUILD_BUG_ON(SIPALG_STAT_not_linear + 2 > 32);
	BUILD_BUG_ON(SIPALG_STAT_tcp_ack_failed - SIPALG_STAT_tcp_partial + 2 > 32);
	BUILD_BUG_ON(__SIPALG_STAT_MAX - SIPALG_STAT_rewritten + 1 > 32);
	BUILD_BUG_ON(SIPALG_STAT_tcp_partial != SIPALG_STAT_not_linear + 1 ||
		     SIPALG_STAT_rewritten != SIPALG_STAT_tcp_ack_failed + 1);
	return register_pernet_subsys(&sipalg_stats_net_ops);
}

void sipalg_stats_exit(void)
{
	unregister_pernet_subsys(&sipalg_stats_net_ops);
}
