/* Compiles hark_nn.c once more under a renamed prefix (HARK_TEST_VARIANT) and exposes it as a kernel table.
   Built with -DHARK_TEST_VARIANT=native (no renaming), =portable (-DHARK_NN_NO_DSP) or =emulated. */
#define HARK_T_CAT2(a, b) a##b
#define HARK_T_CAT(a, b) HARK_T_CAT2(a, b)
#define HARK_T_STR2(x) #x
#define HARK_T_STR(x) HARK_T_STR2(x)
#define HARK_T_NAME(x) HARK_T_CAT(HARK_T_CAT(hark_, HARK_TEST_VARIANT), HARK_T_CAT(_, x))

#ifndef HARK_TEST_NATIVE
#define hark_conv_s8 HARK_T_NAME(conv_s8)
#define hark_conv_s8_get_buffer_size HARK_T_NAME(conv_s8_get_buffer_size)
#define hark_dw_conv_s8 HARK_T_NAME(dw_conv_s8)
#define hark_dw_conv_s8_get_buffer_size HARK_T_NAME(dw_conv_s8_get_buffer_size)
#define hark_fc_s8 HARK_T_NAME(fc_s8)
#define hark_avgpool_s8 HARK_T_NAME(avgpool_s8)
#define hark_maxpool_s8 HARK_T_NAME(maxpool_s8)
#define hark_softmax_s8 HARK_T_NAME(softmax_s8)
#define hark_add_s8 HARK_T_NAME(add_s8)
#define hark_multiply_by_quantized_multiplier HARK_T_NAME(multiply_by_quantized_multiplier)
#include "../hark_nn.c"
#endif

#include "kernel_table.h"

const hark_kernel_table HARK_T_CAT(hark_table_, HARK_TEST_VARIANT) = {
    HARK_T_STR(HARK_TEST_VARIANT), hark_conv_s8, hark_dw_conv_s8, hark_fc_s8, hark_avgpool_s8, hark_maxpool_s8,
    hark_softmax_s8, hark_add_s8};
