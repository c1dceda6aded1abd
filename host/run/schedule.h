// liqstress — which rank simulates which paths, and the order rank 0 takes them in. A run
// grows in increments (one, or the stopping rule's); each increment [done, goal) is cut into
// blocks of `block` paths dealt to the ranks in turn — block i of the increment to rank
// i mod R; one process owns them all. Rank 0 takes every block in path order — its own as it
// simulates them, the others' as it receives them, one at a time (a rank waits in its send
// until rank 0 takes the block: memory stays bounded) — so the results file is written in the
// order of the single-process run, whatever R. A resumed run goes through the same schedule.
#pragma once

#include <cstdint>

#include "host/run/plan.h"

namespace liq {

/// Paths [first_path + first, first_path + first + n) of the run, simulated by `owner`.
struct Block {
  std::uint64_t first = 0;  // the first row
  std::uint64_t n = 0;      // rows
  int owner = 0;
  std::uint64_t end() const { return first + n; }
};

class BlockSchedule {
 public:
  BlockSchedule() = default;
  /// The increment [done, goal) in blocks of `block` paths, for `layout`'s ranks.
  BlockSchedule(std::uint64_t block, const RankLayout& layout, std::uint64_t done,
                std::uint64_t goal);

  std::uint64_t block() const { return block_; }
  std::uint64_t done() const { return done_; }  // paths complete before this increment
  std::uint64_t goal() const { return goal_; }  // where this increment ends

  /// The blocks of this increment, and block `b` of them, in path order.
  std::uint64_t blocks() const { return (goal_ - done_ + block_ - 1) / block_; }
  Block at(std::uint64_t b) const;

  /// Whether this rank simulates the block.
  bool mine(const Block& b) const { return b.owner == layout_.me; }
  /// Whether this rank handles the block: it simulates it, or (rank 0) writes it.
  bool involves(const Block& b) const { return mine(b) || layout_.root(); }

  /// The increment is complete: the next one runs on to `goal`.
  void extend_to(std::uint64_t goal);

 private:
  std::uint64_t block_ = 1;
  RankLayout layout_;
  std::uint64_t done_ = 0, goal_ = 0;
};

/// The paths per block: the backend's batch for one process; across ranks the widest batch
/// of any rank (every rank must cut the same blocks; a collective call), or for a resume the
/// blocks of the run being resumed.
std::uint64_t agreed_block_size(const RunPlan& plan);

}  // namespace liq
