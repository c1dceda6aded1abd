// liqstress — the CUDA backend's launchers (kernels/cuda_launch.h): one thread per path
// running the very simulate_path the CPU backend runs (kernels/path.h). This file moves
// memory and launches; it computes nothing of its own. A run's model is copied once
// (CudaRun) and its output buffers are reused by every batch.
#include <cuda_runtime.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "kernels/cuda_launch.h"
#include "kernels/path.h"
#include "kernels/record.h"

namespace liq {

namespace {

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) {
    throw CudaFailure(std::string("CUDA: ") + what + " failed (" + cudaGetErrorName(err) + ": " +
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
  std::size_t size() const { return n_; }
  void upload(const T* host) {
    if (n_ > 0) check(cudaMemcpy(ptr_, host, n_ * sizeof(T), cudaMemcpyHostToDevice), "upload");
  }
  void download(T* host) const { download(host, n_); }
  /// The first `n` elements into `host` (nothing when `host` is null).
  void download(T* host, std::size_t n) const {
    if (host != nullptr && n > 0)
      check(cudaMemcpy(host, ptr_, n * sizeof(T), cudaMemcpyDeviceToHost), "download");
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
  DeviceArray<RegimeParams> regimes;
  DeviceArray<double> regime_cdf, regime_start_cdf;
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
        regimes(static_cast<std::size_t>(host.market.n_regimes)),
        regime_cdf(static_cast<std::size_t>(host.market.n_regimes) *
                   static_cast<std::size_t>(host.market.n_regimes)),
        regime_start_cdf(static_cast<std::size_t>(host.market.n_regimes)),
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
    regimes.upload(m.regimes);
    regime_cdf.upload(m.regime_cdf);
    regime_start_cdf.upload(m.regime_start_cdf);
    model.market.regimes = regimes.get();
    model.market.regime_cdf = regime_cdf.get();
    model.market.regime_start_cdf = regime_start_cdf.get();
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

/// Device buffers for a batch of output rows (sized for `capacity` rows), one per field of
/// the record (kernels/record.h), and PathOut views of them.
struct DeviceRows {
#define LIQ_RECORD_DEVICE(name, type, shape, units, text) DeviceArray<type> name;
  LIQ_PATH_RECORD(LIQ_RECORD_DEVICE)
#undef LIQ_RECORD_DEVICE
  std::size_t capacity;
  int assets, portfolios;
  DeviceRows(std::size_t n, int a, int p)
      :
#define LIQ_RECORD_ALLOCATE(name, type, shape, units, text) \
  name(n * record_cells(RecordShape::shape, a, p)),
        LIQ_PATH_RECORD(LIQ_RECORD_ALLOCATE)
#undef LIQ_RECORD_ALLOCATE
            capacity(n),
        assets(a),
        portfolios(p) {
  }
  /// Device views of the fields `host` asks for (the others stay null).
  PathOut view(const PathOut& host) const {
    PathOut o;
#define LIQ_RECORD_VIEW_OF(name, type, shape, units, text) \
  o.name = host.name != nullptr ? name.get() : nullptr;
    LIQ_PATH_RECORD(LIQ_RECORD_VIEW_OF)
#undef LIQ_RECORD_VIEW_OF
    return o;
  }
  /// Copies the first n rows of every field `host` asks for into it.
  void download(const PathOut& host, std::size_t n) const {
#define LIQ_RECORD_DOWNLOAD(name, type, shape, units, text) \
  name.download(host.name, n * record_cells(RecordShape::shape, assets, portfolios));
    LIQ_PATH_RECORD(LIQ_RECORD_DOWNLOAD)
#undef LIQ_RECORD_DOWNLOAD
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

struct CudaRun::Impl {
  int device;
  Model host_model;  // as given: what `holds` compares
  DeviceModel model;
  std::unique_ptr<DeviceRows> rows;
  std::unique_ptr<DeviceArray<std::uint64_t>> sums;
  Impl(int d, const Model& m) : device(d), host_model(m), model(m) {}
};

CudaRun::CudaRun(int device, const Model& model) {
  check(cudaSetDevice(device), "cudaSetDevice");
  impl_ = std::make_unique<Impl>(device, model);
}

CudaRun::~CudaRun() = default;

bool CudaRun::holds(const Model& model) const {
  return std::memcmp(&impl_->host_model, &model, sizeof(Model)) == 0;
}

void CudaRun::simulate(std::uint64_t first_path, std::size_t n, const PathOut& out,
                       const ExactSums& sums) {
  Impl& m = *impl_;
  check(cudaSetDevice(m.device), "cudaSetDevice");
  if (n == 0) return;
  if (!m.rows || m.rows->capacity < n) {
    m.rows = std::make_unique<DeviceRows>(n, m.host_model.market.n_assets,
                                          m.host_model.portfolios.n_accounts);
  }
  const std::size_t words = static_cast<std::size_t>(sums.n_cells) * 4;
  if (!m.sums || m.sums->size() != words)
    m.sums = std::make_unique<DeviceArray<std::uint64_t>>(words);
  if (words > 0 && sums.words != nullptr)
    check(cudaMemset(m.sums->get(), 0, words * sizeof(std::uint64_t)), "cudaMemset");
  const ExactSums device_sums{sums.words != nullptr ? m.sums->get() : nullptr, sums.n_cells};
  simulate_kernel<<<blocks_for(n), kThreadsPerBlock>>>(m.model.model, first_path, n,
                                                       m.rows->view(out), device_sums);
  check(cudaGetLastError(), "simulate_kernel launch");
  check(cudaDeviceSynchronize(), "simulate_kernel");
  m.rows->download(out, n);
  if (words > 0 && sums.words != nullptr) {
    std::vector<std::uint64_t> batch(words);
    m.sums->download(batch.data());
    for (std::size_t c = 0; c < words; c += 2) add_128(sums.words + c, batch[c], batch[c + 1]);
  }
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
