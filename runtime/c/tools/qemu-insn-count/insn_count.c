/* insn_count.c - QEMU TCG plugin counting guest instructions executed (plugin API version 1, QEMU 7.2).
   Debian's QEMU ships no qemu-plugin.h, so the few declarations needed are typed here by hand.

   build: gcc -O2 -shared -fPIC insn_count.c -o libinsn_count.so
   run:   qemu-system-arm ... -plugin ./libinsn_count.so[,range=0xLO-0xHI,...][,mark=0xBEGIN:0xEND,...] -d plugin
          [-D log.txt]
   Prints "insns: N" at exit, "range 0xLO-0xHI: N" for every address range asked for (take function ranges from
   `nm -S`; at most 16), and "mark 0xBEGIN:0xEND: C calls, N insns" for every marker pair: the instructions executed
   from each execution of the instruction at BEGIN to the next execution of the one at END (give the entry
   addresses of two small marker functions, without the Thumb bit; at most 16). A marker count is exact to the few
   instructions of the marker calls themselves, because the global count advances a translation block at a time.
   Counts instructions, not cycles. */
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
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
extern void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                                   enum qemu_plugin_cb_flags flags, void *userdata);
extern void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t id, void *userdata),
                                           void *userdata);
extern void qemu_plugin_outs(const char *string);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t g_insns;

#define MAX_RANGES 16
static struct { uint64_t lo, hi, count; } g_ranges[MAX_RANGES];
static int g_range_count;

#define MAX_MARKS 16
static struct { uint64_t begin, end, started, calls, count; int open; } g_marks[MAX_MARKS];
static int g_mark_count;

static void on_mark_begin(unsigned int vcpu, void *userdata)
{
    (void)vcpu;
    g_marks[(intptr_t)userdata].started = g_insns;
    g_marks[(intptr_t)userdata].open = 1;
}

static void on_mark_end(unsigned int vcpu, void *userdata)
{
    const intptr_t m = (intptr_t)userdata;
    (void)vcpu;
    if (!g_marks[m].open) return;
    g_marks[m].count += g_insns - g_marks[m].started;
    g_marks[m].calls++;
    g_marks[m].open = 0;
}

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
    for (i = 0; i < n && g_mark_count > 0; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        const uint64_t pc = qemu_plugin_insn_vaddr(insn);
        for (r = 0; r < g_mark_count; r++) {
            if (pc == g_marks[r].begin)
                qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark_begin, QEMU_PLUGIN_CB_NO_REGS, (void *)(intptr_t)r);
            if (pc == g_marks[r].end)
                qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark_end, QEMU_PLUGIN_CB_NO_REGS, (void *)(intptr_t)r);
        }
    }
}

static void on_exit(qemu_plugin_id_t id, void *userdata)
{
    char line[160];
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
    for (r = 0; r < g_mark_count; r++) {
        snprintf(line, sizeof line, "mark 0x%" PRIx64 ":0x%" PRIx64 ": %" PRIu64 " calls, %" PRIu64 " insns\n",
                 g_marks[r].begin, g_marks[r].end, g_marks[r].calls, g_marks[r].count);
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
        } else if (g_mark_count < MAX_MARKS && sscanf(argv[a], "mark=%llx:%llx", &lo, &hi) == 2) {
            g_marks[g_mark_count].begin = lo;
            g_marks[g_mark_count].end = hi;
            g_mark_count++;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_translate);
    qemu_plugin_register_atexit_cb(id, on_exit, NULL);
    return 0;
}
