// liqstress — the one place that spells the CUDA function keywords.
// Kernel code in kernels/*.h is written once and compiled twice: by g++ for the CPU
// backend (the oracle) and by nvcc for the CUDA backend. Nothing else writes __host__.
#pragma once

#if defined(__CUDACC__)
#define LIQ_HD __host__ __device__
#define LIQ_FORCEINLINE __forceinline__
#else
#define LIQ_HD
#define LIQ_FORCEINLINE inline
#endif

// True while compiling device code (nvcc's device pass), false on the host.
#if defined(__CUDA_ARCH__)
#define LIQ_DEVICE_CODE 1
#else
#define LIQ_DEVICE_CODE 0
#endif
