// liqstress — the lane drawer compiled for sse2 (host/backend/lanes_draw.h; CMakeLists.txt sets
// the instruction set of this file).
#define LIQ_LANE_DRAW draw_lanes_sse2
#include "host/backend/lanes_draw.h"
