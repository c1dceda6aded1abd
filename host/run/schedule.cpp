// liqstress — the blocks of a run and their ranks (see schedule.h).
#include "host/run/schedule.h"

#include <algorithm>

#include "host/parallel/mpi.h"

namespace liq {

BlockSchedule::BlockSchedule(std::uint64_t block, const RankLayout& layout, std::uint64_t done,
                             std::uint64_t goal)
    : block_(block), layout_(layout), done_(done), goal_(goal) {}

Block BlockSchedule::at(std::uint64_t b) const {
  Block out;
  out.first = done_ + b * block_;
  out.n = std::min(block_, goal_ - out.first);
  out.owner =
      layout_.distributed ? static_cast<int>(b % static_cast<std::uint64_t>(layout_.ranks)) : 0;
  return out;
}

void BlockSchedule::extend_to(std::uint64_t goal) {
  done_ = goal_;
  goal_ = goal;
}

std::uint64_t agreed_block_size(const RunPlan& plan) {
  const std::uint64_t batch = plan.backend->preferred_batch();
  if (!plan.layout.distributed) return batch;
  if (plan.resumed) return plan.resumed->header.block;
  double widest = static_cast<double>(batch);
  mpi::max_over_ranks(widest);
  return static_cast<std::uint64_t>(widest);
}

}  // namespace liq
