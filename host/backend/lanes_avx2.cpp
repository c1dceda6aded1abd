// liqstress — the lane functions compiled for avx2 (host/backend/lanes_kernel.h; CMakeLists.txt
// sets the instruction set of this file).
#define LIQ_LANE_DRAW draw_lanes_avx2
#define LIQ_LANE_SIMULATE simulate_lanes_avx2
#include "host/backend/lanes_kernel.h"
