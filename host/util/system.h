// liqstress — what a process asks of the machine it runs on: the time, the CPU's name, the
// memory available.
#pragma once

#include <cstddef>
#include <string>

namespace liq {

/// Now as ISO 8601 UTC, e.g. "2026-11-22T05:07:33Z".
std::string utc_now_iso8601();

/// The CPU's model name from /proc/cpuinfo ("unknown CPU" when absent).
std::string cpu_model_name();

/// MemAvailable from /proc/meminfo in bytes (0 when unknown).
std::size_t available_memory_bytes();

}  // namespace liq
