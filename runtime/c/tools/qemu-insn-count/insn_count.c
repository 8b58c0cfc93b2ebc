/* insn_count.c - QEMU TCG plugin counting guest instructions executed (plugin API version 1, QEMU 7.2).
   Debian's QEMU ships no qemu-plugin.h, so the few declarations needed are typed here by hand.

   build: gcc -O2 -shared -fPIC insn_count.c -o libinsn_count.so
   run:   qemu-system-arm ... -plugin ./libinsn_count.so[,range=0xLO-0xHI,...] -d plugin [-D log.txt]
   Prints "insns: N" at exit, and "range 0xLO-0xHI: N" for every address range asked for (take function ranges
   from `nm -S`; at most 16). Counts instructions, not cycles. */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

extern void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                                  void (*cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb));
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
extern void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr,
                                                     uint64_t imm);
extern struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
extern uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
extern void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op,
                                                       void *ptr, uint64_t imm);
extern void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t id, void *userdata),
                                           void *userdata);
extern void qemu_plugin_outs(const char *string);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t g_insns;

#define MAX_RANGES 16
static struct { uint64_t lo, hi, count; } g_ranges[MAX_RANGES];
static int g_range_count;

static void on_tb_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    /* Inline add: no callback per executed block, the count is bumped by generated code. Single vCPU. */
    size_t i, n = qemu_plugin_tb_n_insns(tb);
    int r;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &g_insns, n);
    for (i = 0; i < n && g_range_count > 0; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        const uint64_t pc = qemu_plugin_insn_vaddr(insn);
        for (r = 0; r < g_range_count; r++)
            if (pc >= g_ranges[r].lo && pc < g_ranges[r].hi)
                qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &g_ranges[r].count, 1);
    }
}

static void on_exit(qemu_plugin_id_t id, void *userdata)
{
    char line[96];
    int r;
    (void)id;
    (void)userdata;
    snprintf(line, sizeof line, "insns: %" PRIu64 "\n", g_insns);
    qemu_plugin_outs(line);
    for (r = 0; r < g_range_count; r++) {
        snprintf(line, sizeof line, "range 0x%" PRIx64 "-0x%" PRIx64 ": %" PRIu64 "\n", g_ranges[r].lo, g_ranges[r].hi,
                 g_ranges[r].count);
        qemu_plugin_outs(line);
    }
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                                               char **argv)
{
    int a;
    (void)info;
    for (a = 0; a < argc; a++) {
        unsigned long long lo, hi;
        if (g_range_count < MAX_RANGES && sscanf(argv[a], "range=%llx-%llx", &lo, &hi) == 2) {
            g_ranges[g_range_count].lo = lo;
            g_ranges[g_range_count].hi = hi;
            g_range_count++;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_translate);
    qemu_plugin_register_atexit_cb(id, on_exit, NULL);
    return 0;
}
