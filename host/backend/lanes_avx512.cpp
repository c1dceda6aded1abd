// liqstress — the lane drawer compiled for avx512 (host/backend/lanes_draw.h; CMakeLists.txt sets
// the instruction set of this file).
#define LIQ_LANE_DRAW draw_lanes_avx512
#include "host/backend/lanes_draw.h"
