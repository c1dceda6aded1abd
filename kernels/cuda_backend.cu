// liqstress — the CUDA backend's launchers: one thread per path running the very
// simulate_path the CPU backend runs (kernels/market.h). This file moves memory and
// launches; it computes nothing of its own.
#include <cuda_runtime.h>

#include <string>
#include <vector>

#include "host/backend/cuda_backend.h"
#include "host/util/errors.h"
#include "kernels/path.h"

namespace liq {

namespace {

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) {
    throw RuntimeFailure(std::string("CUDA: ") + what + " failed (" + cudaGetErrorName(err) + ": " +
                         cudaGetErrorString(err) + ")");
  }
}

/// A device allocation that frees itself.
template <typename T>
class DeviceArray {
 public:
  explicit DeviceArray(std::size_t n) : n_(n) {
    if (n_ > 0) check(cudaMalloc(reinterpret_cast<void**>(&ptr_), n_ * sizeof(T)), "cudaMalloc");
  }
  ~DeviceArray() {
    if (ptr_ != nullptr) cudaFree(ptr_);
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  T* get() const { return ptr_; }
  void upload(const T* host) {
    if (n_ > 0) check(cudaMemcpy(ptr_, host, n_ * sizeof(T), cudaMemcpyHostToDevice), "upload");
  }
  void download(T* host) const {
    if (n_ > 0) check(cudaMemcpy(host, ptr_, n_ * sizeof(T), cudaMemcpyDeviceToHost), "download");
  }

 private:
  std::size_t n_;
  T* ptr_ = nullptr;
};

/// Device copies of everything a Model points to, and a Model pointing there.
struct DeviceModel {
  DeviceArray<double> vol_multiplier;
  DeviceArray<std::int32_t> shock_step;
  DeviceArray<double> shock_log_return;
  DeviceArray<LadderGroup> groups;
  DeviceArray<double> trigger, quantity, bankrupt, entry, prefix_q, prefix_qk;
  DeviceArray<PortfolioAccount> accounts;
  DeviceArray<std::int32_t> pf_asset;
  DeviceArray<double> pf_signed_quantity, pf_entry, pf_mm_rate, pf_maint_amount;
  Model model;

  static std::size_t book_size(const BookView& b) {
    return b.n_groups > 0 ? static_cast<std::size_t>(b.groups[b.n_groups - 1].end) : 0;
  }
  static std::size_t account_positions(const PortfolioView& v) {
    return v.n_accounts > 0 ? static_cast<std::size_t>(v.accounts[v.n_accounts - 1].end) : 0;
  }

  explicit DeviceModel(const Model& host)
      : vol_multiplier(host.market.vol_multiplier != nullptr
                           ? static_cast<std::size_t>(host.market.n_steps)
                           : 0),
        shock_step(static_cast<std::size_t>(host.market.n_shock_steps)),
        shock_log_return(static_cast<std::size_t>(host.market.n_shock_steps) *
                         static_cast<std::size_t>(host.market.n_assets)),
        groups(static_cast<std::size_t>(host.book.n_groups)),
        trigger(book_size(host.book)),
        quantity(book_size(host.book)),
        bankrupt(book_size(host.book)),
        entry(book_size(host.book)),
        prefix_q(host.book.prefix_q != nullptr ? book_size(host.book) : 0),
        prefix_qk(host.book.prefix_qk != nullptr ? book_size(host.book) : 0),
        accounts(static_cast<std::size_t>(host.portfolios.n_accounts)),
        pf_asset(account_positions(host.portfolios)),
        pf_signed_quantity(account_positions(host.portfolios)),
        pf_entry(account_positions(host.portfolios)),
        pf_mm_rate(account_positions(host.portfolios)),
        pf_maint_amount(account_positions(host.portfolios)),
        model(host) {
    const MarketParams& m = host.market;
    vol_multiplier.upload(m.vol_multiplier);
    shock_step.upload(m.shock_step);
    shock_log_return.upload(m.shock_log_return);
    model.market.vol_multiplier = m.vol_multiplier != nullptr ? vol_multiplier.get() : nullptr;
    model.market.shock_step = shock_step.get();
    model.market.shock_log_return = shock_log_return.get();
    const BookView& b = host.book;
    groups.upload(b.groups);
    trigger.upload(b.trigger);
    quantity.upload(b.quantity);
    bankrupt.upload(b.bankrupt);
    entry.upload(b.entry);
    prefix_q.upload(b.prefix_q);
    prefix_qk.upload(b.prefix_qk);
    model.book.groups = groups.get();
    model.book.trigger = trigger.get();
    model.book.quantity = quantity.get();
    model.book.bankrupt = bankrupt.get();
    model.book.entry = entry.get();
    model.book.prefix_q = b.prefix_q != nullptr ? prefix_q.get() : nullptr;
    model.book.prefix_qk = b.prefix_qk != nullptr ? prefix_qk.get() : nullptr;
    const PortfolioView& v = host.portfolios;
    accounts.upload(v.accounts);
    pf_asset.upload(v.asset);
    pf_signed_quantity.upload(v.signed_quantity);
    pf_entry.upload(v.entry);
    pf_mm_rate.upload(v.mm_rate);
    pf_maint_amount.upload(v.maint_amount);
    model.portfolios.accounts = accounts.get();
    model.portfolios.asset = pf_asset.get();
    model.portfolios.signed_quantity = pf_signed_quantity.get();
    model.portfolios.entry = pf_entry.get();
    model.portfolios.mm_rate = pf_mm_rate.get();
    model.portfolios.maint_amount = pf_maint_amount.get();
  }
};

/// Device buffers for one batch of output rows, and PathOut views of them.
struct DeviceRows {
  DeviceArray<double> final_lr, min_lr, max_lr, weight, liq_usd;
  DeviceArray<std::uint32_t> liq_count;
  DeviceArray<double> bad_debt, adl, adl_closed, fund, pf_pnl;
  DeviceArray<std::uint8_t> pf_liquidated;
  DeviceArray<std::uint16_t> rounds;
  DeviceRows(std::size_t n, std::size_t assets, std::size_t portfolios)
      : final_lr(n * assets),
        min_lr(n * assets),
        max_lr(n * assets),
        weight(n),
        liq_usd(n * assets * 2),
        liq_count(n * assets * 2),
        bad_debt(n),
        adl(n),
        adl_closed(n),
        fund(n),
        pf_pnl(n * portfolios),
        pf_liquidated(n * portfolios),
        rounds(n) {}
  PathOut view() const {
    PathOut o;
    o.final_log_return = final_lr.get();
    o.min_log_return = min_lr.get();
    o.max_log_return = max_lr.get();
    o.weight = weight.get();
    o.liquidated_usd = liq_usd.get();
    o.liquidated_positions = liq_count.get();
    o.bad_debt_usd = bad_debt.get();
    o.adl_usd = adl.get();
    o.adl_closed_usd = adl_closed.get();
    o.insurance_fund_usd = fund.get();
    o.portfolio_pnl_usd = pf_pnl.get();
    o.portfolio_liquidated = pf_liquidated.get();
    o.cascade_rounds = rounds.get();
    return o;
  }
  void download(PathRows& rows) const {
    final_lr.download(rows.final_log_return.data());
    min_lr.download(rows.min_log_return.data());
    max_lr.download(rows.max_log_return.data());
    weight.download(rows.weight.data());
    liq_usd.download(rows.liquidated_usd.data());
    liq_count.download(rows.liquidated_positions.data());
    bad_debt.download(rows.bad_debt_usd.data());
    adl.download(rows.adl_usd.data());
    adl_closed.download(rows.adl_closed_usd.data());
    fund.download(rows.insurance_fund_usd.data());
    pf_pnl.download(rows.portfolio_pnl_usd.data());
    pf_liquidated.download(rows.portfolio_liquidated.data());
    rounds.download(rows.cascade_rounds.data());
  }
};

constexpr int kThreadsPerBlock = 128;

__global__ void simulate_kernel(Model m, std::uint64_t first_path, std::size_t n, PathOut out,
                                ExactSums sums) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) simulate_path(m, first_path + i, i, out, sums);
}

__global__ void randoms_kernel(MarketParams p, std::uint64_t first_path, std::size_t n,
                               double* sums) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) sums[i] = draw_path_randoms(p, first_path + i);
}

unsigned int blocks_for(std::size_t n) {
  return static_cast<unsigned int>((n + kThreadsPerBlock - 1) / kThreadsPerBlock);
}

}  // namespace

bool cuda_built() {
  return true;
}

std::vector<CudaDeviceInfo> cuda_devices(std::string& why) {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    why = err == cudaErrorInsufficientDriver
              ? "no NVIDIA driver found (libcuda), or it is older than this build's CUDA runtime"
          : err == cudaErrorNoDevice ? "the driver reports no CUDA device"
                                     : std::string(cudaGetErrorString(err));
    cudaGetLastError();  // clear the sticky error so later calls start clean
    return {};
  }
  if (count == 0) {
    why = "the driver reports no CUDA device";
    return {};
  }
  std::vector<CudaDeviceInfo> out;
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, d) != cudaSuccess) continue;
    out.push_back(CudaDeviceInfo{d, prop.name, prop.major, prop.minor, prop.totalGlobalMem});
  }
  if (out.empty()) why = "no device answered cudaGetDeviceProperties";
  return out;
}

void cuda_simulate(int device, const Model& model, std::uint64_t first_path, PathRows& rows,
                   StepSums& step_sums) {
  check(cudaSetDevice(device), "cudaSetDevice");
  const std::size_t n = rows.n_rows;
  if (n == 0) return;
  DeviceModel dm(model);
  DeviceRows out(n, static_cast<std::size_t>(model.market.n_assets),
                 static_cast<std::size_t>(rows.n_portfolios));
  DeviceArray<std::uint64_t> sums(step_sums.words.size());
  if (!step_sums.words.empty()) {
    check(cudaMemset(sums.get(), 0, step_sums.words.size() * sizeof(std::uint64_t)), "cudaMemset");
  }
  PathOut view = out.view();
  if (rows.n_portfolios == 0) {
    view.portfolio_pnl_usd = nullptr;
    view.portfolio_liquidated = nullptr;
  }
  simulate_kernel<<<blocks_for(n), kThreadsPerBlock>>>(dm.model, first_path, n, view,
                                                       ExactSums{sums.get(), step_sums.n_cells});
  check(cudaGetLastError(), "simulate_kernel launch");
  check(cudaDeviceSynchronize(), "simulate_kernel");
  out.download(rows);
  StepSums batch;
  batch.n_cells = step_sums.n_cells;
  batch.words.resize(step_sums.words.size());
  sums.download(batch.words.data());
  step_sums.add(batch);
}

double cuda_draw_randoms(int device, const MarketParams& params, std::uint64_t first_path,
                         std::size_t n_paths) {
  check(cudaSetDevice(device), "cudaSetDevice");
  if (n_paths == 0) return 0.0;
  Model price_only;
  price_only.market = params;
  DeviceModel dm(price_only);
  DeviceArray<double> sums(n_paths);
  randoms_kernel<<<blocks_for(n_paths), kThreadsPerBlock>>>(dm.model.market, first_path, n_paths,
                                                            sums.get());
  check(cudaGetLastError(), "randoms_kernel launch");
  check(cudaDeviceSynchronize(), "randoms_kernel");
  std::vector<double> host(n_paths);
  sums.download(host.data());
  double total = 0.0;
  for (double s : host) total += s;
  return total;
}

}  // namespace liq
