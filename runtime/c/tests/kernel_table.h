/* One build variant of the kernels (DSP, portable, emulated DSP) as a table, so one test binary can run the
   same cases through every variant compiled into it. */
#ifndef HARK_KERNEL_TABLE_H
#define HARK_KERNEL_TABLE_H
#include "../hark_nn.h"

typedef struct {
    const char *name;
    hark_nn_status (*conv)(const hark_nn_context *, const hark_conv_params *, const hark_per_channel_quant *,
                           const hark_dims *, const int8_t *, const hark_dims *, const int8_t *, const hark_dims *,
                           const int32_t *, const hark_dims *, int8_t *);
    hark_nn_status (*dw_conv)(const hark_nn_context *, const hark_dw_conv_params *, const hark_per_channel_quant *,
                              const hark_dims *, const int8_t *, const hark_dims *, const int8_t *, const hark_dims *,
                              const int32_t *, const hark_dims *, int8_t *);
    hark_nn_status (*fc)(const hark_nn_context *, const hark_fc_params *, const hark_per_tensor_quant *,
                         const hark_dims *, const int8_t *, const hark_dims *, const int8_t *, const hark_dims *,
                         const int32_t *, const hark_dims *, int8_t *);
    hark_nn_status (*avgpool)(const hark_nn_context *, const hark_pool_params *, const hark_dims *, const int8_t *,
                              const hark_dims *, const hark_dims *, int8_t *);
    hark_nn_status (*maxpool)(const hark_nn_context *, const hark_pool_params *, const hark_dims *, const int8_t *,
                              const hark_dims *, const hark_dims *, int8_t *);
    hark_nn_status (*softmax)(const hark_softmax_params *, const hark_dims *, const int8_t *, int8_t *);
    hark_nn_status (*add)(const hark_add_params *, const int8_t *, const int8_t *, int8_t *, int32_t);
} hark_kernel_table;

extern const hark_kernel_table hark_table_native;   /* hark_nn.c as configured (DSP on Cortex-M4) */
extern const hark_kernel_table hark_table_portable; /* hark_nn.c with HARK_NN_NO_DSP, renamed */
#ifdef HARK_TEST_EMULATED
extern const hark_kernel_table hark_table_emulated; /* hark_nn.c with HARK_NN_EMULATE_DSP, renamed */
#endif

#endif
