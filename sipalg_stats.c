// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: per network namespace and per CPU, summed when read from
 * /proc/net/stat/sipalg; and the gauges of what all namespaces share.
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

static int sipalg_stats_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct sipalg_net *sn = net_generic(net, sipalg_net_id);
	unsigned int i;
	int cpu;

	for (i = 0; i < __SIPALG_STAT_MAX; i++) {
		u64 sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(sn->stats, cpu)->v[i];
		seq_printf(seq, "%-24s %llu\n", sipalg_stat_names[i], sum);
	}
	/* Gauges of the namespace's call records; held bytes: all. */
	seq_printf(seq, "%-24s %u\n", "calls_active", sipalg_calls_active(net));
	seq_printf(seq, "%-24s %u\n", "call_pinholes",
		   sipalg_calls_pinholes(net));
	seq_printf(seq, "%-24s %u\n", "tcp_held_bytes", sipalg_hold_bytes());
	return 0;
}

static int __net_init sipalg_stats_net_init(struct net *net)
{
	struct sipalg_net *sn = net_generic(net, sipalg_net_id);

	sn->stats = alloc_percpu(struct sipalg_stats);
	if (!sn->stats)
		return -ENOMEM;
	sipalg_calls_net_init(net);
	if (!proc_create_net_single("sipalg", 0444, net->proc_net_stat,
				    sipalg_stats_show, NULL))
		goto err_stat;
	if (sipalg_calls_proc_init(net))
		goto err_calls;
	return 0;

err_calls:
	remove_proc_entry("sipalg", net->proc_net_stat);
err_stat:
	free_percpu(sn->stats);
	return -ENOMEM;
}

static void __net_exit sipalg_stats_net_exit(struct net *net)
{
	struct sipalg_net *sn = net_generic(net, sipalg_net_id);

	sipalg_calls_proc_exit(net);
	remove_proc_entry("sipalg", net->proc_net_stat);
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
	return register_pernet_subsys(&sipalg_stats_net_ops);
}

void sipalg_stats_exit(void)
{
	unregister_pernet_subsys(&sipalg_stats_net_ops);
}
