// The CUDA oracle (suite gpu): every op the registry lists for `cuda` runs on the GPU and is
// compared with the CPU reference on the same seeded inputs (ggml's test-backend-ops, across
// memory kinds): inputs are copied to the device, the CUDA version runs, outputs come back.
// Tolerances are per kernel; the Tensor Core GEMM paths (tf32, bf16) get looser ones.
//
// Without a usable GPU the whole program exits 77 before any case runs, which Meson reports
// as SKIP (and tools/test.sh counts as skipped), never as passed.
#define BOOST_TEST_MODULE kernel_cuda_ops
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include "kernel_test_support.hpp"

#include "cuda/attention.cuh"
#include "cuda/bias_activation.cuh"
#include "cuda/conv2d.cuh"
#include "cuda/cross_entropy.cuh"
#include "cuda/device.hpp"
#include "cuda/embedding.cuh"
#include "cuda/gemm.cuh"
#include "cuda/layer_norm.cuh"
#include "cuda/max_pool.cuh"
#include "cuda/optimizer_update.cuh"
#include "cuda/softmax.cuh"
#include "registry.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

using namespace ds::kernels;
using namespace ds::kernels::testing;
using cuda::gemm_precision;

namespace {

using floats = std::vector<float>;
using ints = std::vector<std::int32_t>;

void require_ok(const ds::status& s, const std::string& what) {
  BOOST_REQUIRE_MESSAGE(s.is_ok(), what << ": " << s.to_string());
}

void require_cuda(cudaError_t code, const char* what) {
  BOOST_REQUIRE_MESSAGE(code == cudaSuccess, what << ": " << cudaGetErrorName(code) << " ("
                                                   << cudaGetErrorString(code) << ")");
}

/// A device copy of a host vector (or `size` uninitialized elements), freed on scope exit.
template <class T>
class device_array {
public:
  explicit device_array(std::size_t size) : size_(size) {
    require_cuda(cudaMalloc(reinterpret_cast<void**>(&data_), size * sizeof(T)), "cudaMalloc");
  }
  explicit device_array(const std::vector<T>& host) : device_array(host.size()) {
    require_cuda(cudaMemcpy(data_, host.data(), size_ * sizeof(T), cudaMemcpyHostToDevice),
                 "cudaMemcpy to device");
  }
  device_array(const device_array&) = delete;
  device_array& operator=(const device_array&) = delete;
  ~device_array() { cudaFree(data_); }

  T* get() const { return data_; }

  /// Waits for every kernel on the GPU (they run on the default stream), reports an execution
  /// fault, and copies back.
  std::vector<T> to_host() const {
    require_cuda(cudaDeviceSynchronize(), "kernel execution");
    std::vector<T> host(size_);
    require_cuda(cudaMemcpy(host.data(), data_, size_ * sizeof(T), cudaMemcpyDeviceToHost),
                 "cudaMemcpy to host");
    return host;
  }

private:
  T* data_ = nullptr;
  std::size_t size_;
};

/// One cuBLAS handle for the whole run; kernels run on the legacy default stream. The handle
/// is never destroyed: cublasDestroy during static destruction could run after the CUDA
/// runtime has shut down.
cuda::stream_context gpu(gemm_precision precision = gemm_precision::fp32) {
  static cuda::blas_handle* const handle = [] {
    auto* opened = new cuda::blas_handle;
    require_ok(opened->open(), "cublasCreate");
    return opened;
  }();
  return {nullptr, handle->get(), precision};
}

double gemm_tolerance(gemm_precision precision) {
  switch (precision) {
    case gemm_precision::tf32:
      return 5e-3;
    case gemm_precision::bf16:
      return 3e-2;
    case gemm_precision::fp32:
      break;
  }
  return 1e-5;
}

constexpr gemm_precision all_precisions[] = {gemm_precision::fp32, gemm_precision::tf32,
                                             gemm_precision::bf16};

void gemm_case() {
  struct dims {
    std::size_t m, n, k;
  };
  // The CPU test's odd sizes, then one large enough for Tensor Core tiles and split-k.
  for (auto [m, n, k] : {dims{37, 29, 41}, dims{200, 130, 515}})
    for (auto precision : all_precisions)
      for (bool ta : {false, true})
        for (bool tb : {false, true}) {
          const auto s = ok_value(setup_gemm(ta, tb, m, n, k));
          const auto a = random_floats(m * k, -1, 1, 1);
          const auto b = random_floats(k * n, -1, 1, 2);
          floats want = random_floats(m * n, -1, 1, 3);
          device_array<float> da(a), db(b), dc(want);
          gemm(s, want.data(), a.data(), b.data(), 0.7f, 0.3f, backend::reference);
          require_ok(cuda::gemm(s, dc.get(), da.get(), db.get(), 0.7f, 0.3f, gpu(precision)),
                     "gemm");
          check_close(dc.to_host(), want, gemm_tolerance(precision),
                      "gemm " + std::to_string(m) + "x" + std::to_string(n) + "x"
                        + std::to_string(k) + " " + std::string{cuda::to_string(precision)}
                        + " ta=" + std::to_string(ta) + " tb=" + std::to_string(tb));
        }
  // beta == 0 must not read c: NaNs there do not propagate.
  const auto s = ok_value(setup_gemm(false, false, 5, 6, 7));
  device_array<float> da(random_floats(35, -1, 1, 4)), db(random_floats(42, -1, 1, 5));
  device_array<float> dc(floats(30, NAN));
  require_ok(cuda::gemm(s, dc.get(), da.get(), db.get(), 1.0f, 0.0f, gpu()), "gemm beta=0");
  for (float value : dc.to_host())
    BOOST_TEST(std::isfinite(value));
}

void bias_activation_case(bool backward) {
  for (std::size_t cols : {std::size_t{45}, std::size_t{1030}})
    for (auto act : {activation::identity, activation::relu, activation::gelu}) {
      const std::size_t rows = 7;
      const auto s = ok_value(setup_bias_activation(rows, cols, act));
      const auto x = random_floats(rows * cols, -4, 4, 4);
      const auto bias = random_floats(cols, -1, 1, 5);
      const auto dy = random_floats(rows * cols, -1, 1, 6);
      const std::string what =
        "activation " + std::to_string(static_cast<int>(act)) + " cols " + std::to_string(cols);
      device_array<float> dx_in(x), dbias(bias);
      if (!backward) {
        floats want(x.size());
        bias_activation_forward(s, want.data(), x.data(), bias.data(), backend::reference);
        device_array<float> y(x.size());
        require_ok(cuda::bias_activation_forward(s, y.get(), dx_in.get(), dbias.get(), gpu()),
                   what);
        check_close(y.to_host(), want, 1e-5, what);
        continue;
      }
      floats want_dx(x.size()), want_db(cols);
      bias_activation_backward(s, want_dx.data(), want_db.data(), dy.data(), x.data(),
                               bias.data(), backend::reference);
      device_array<float> ddy(dy), dx(x.size()), db(cols);
      require_ok(cuda::bias_activation_backward(s, dx.get(), db.get(), ddy.get(), dx_in.get(),
                                                dbias.get(), gpu()),
                 what);
      check_close(dx.to_host(), want_dx, 1e-5, what + " dx");
      check_close(db.to_host(), want_db, 1e-5, what + " dbias");
    }
}

void softmax_case() {
  for (std::size_t cols : {std::size_t{77}, std::size_t{1030}}) {
    const auto s = ok_value(setup_softmax(9, cols));
    const auto x = random_floats(9 * cols, -20, 20, 7);
    floats want(x.size());
    softmax_forward(s, want.data(), x.data(), backend::reference);
    device_array<float> dx(x), y(x.size());
    require_ok(cuda::softmax_forward(s, y.get(), dx.get(), gpu()), "softmax");
    check_close(y.to_host(), want, 1e-5, "softmax cols " + std::to_string(cols));
    // In place, as the contract allows.
    require_ok(cuda::softmax_forward(s, dx.get(), dx.get(), gpu()), "softmax in place");
    check_close(dx.to_host(), want, 1e-5, "softmax in place");
  }
}

void cross_entropy_case(bool backward) {
  for (std::size_t classes : {std::size_t{37}, std::size_t{1030}}) {
    const std::size_t batch = 45;
    const auto s = ok_value(setup_cross_entropy(batch, classes));
    const auto logits = random_floats(batch * classes, -8, 8, 8);
    auto labels = random_ids(batch, static_cast<std::int32_t>(classes), 9);
    const std::string what = "classes " + std::to_string(classes);
    device_array<float> dlogits_in(logits);
    if (!backward) {
      floats want(1);
      cross_entropy_forward(s, want.data(), logits.data(), labels.data(), backend::reference);
      device_array<std::int32_t> dlabels(labels);
      device_array<float> loss(1);
      require_ok(cuda::cross_entropy_forward(s, loss.get(), dlogits_in.get(), dlabels.get(),
                                             gpu()),
                 what);
      check_close(loss.to_host(), want, 1e-5, what + " loss");
      // An out-of-range label makes the loss NaN.
      labels[3] = static_cast<std::int32_t>(classes);
      device_array<std::int32_t> bad_labels(labels);
      require_ok(cuda::cross_entropy_forward(s, loss.get(), dlogits_in.get(), bad_labels.get(),
                                             gpu()),
                 what);
      BOOST_TEST(std::isnan(loss.to_host()[0]), what << ": a bad label gives a NaN loss");
      continue;
    }
    labels[5] = -1; // its gradient row must be zero, as in the reference
    floats want(logits.size());
    cross_entropy_backward(s, want.data(), logits.data(), labels.data(), 1.5f,
                           backend::reference);
    device_array<std::int32_t> dlabels(labels);
    device_array<float> grad(logits.size());
    require_ok(cuda::cross_entropy_backward(s, grad.get(), dlogits_in.get(), dlabels.get(), 1.5f,
                                            gpu()),
               what);
    check_close(grad.to_host(), want, 1e-6, what + " dlogits");
  }
}

void layer_norm_case(bool backward) {
  for (std::size_t cols : {std::size_t{67}, std::size_t{1030}}) {
    const std::size_t rows = 6;
    const auto s = ok_value(setup_layer_norm(rows, cols));
    const auto x = random_floats(rows * cols, 2, 5, 10);
    const auto gamma = random_floats(cols, 0.5f, 1.5f, 11);
    const auto beta = random_floats(cols, -1, 1, 12);
    const std::string what = "cols " + std::to_string(cols);
    floats y(x.size()), mean(rows), rstd(rows);
    layer_norm_forward(s, y.data(), mean.data(), rstd.data(), x.data(), gamma.data(),
                       beta.data(), backend::reference);
    device_array<float> dx_in(x), dgamma_in(gamma), dbeta_in(beta);
    if (!backward) {
      device_array<float> dy_out(x.size()), dmean(rows), drstd(rows);
      require_ok(cuda::layer_norm_forward(s, dy_out.get(), dmean.get(), drstd.get(), dx_in.get(),
                                          dgamma_in.get(), dbeta_in.get(), gpu()),
                 what);
      check_close(dy_out.to_host(), y, 1e-5, what + " y");
      check_close(dmean.to_host(), mean, 1e-6, what + " mean");
      check_close(drstd.to_host(), rstd, 1e-5, what + " rstd");
      continue;
    }
    const auto dy = random_floats(x.size(), -1, 1, 13);
    floats want_dx(x.size()), want_dg(cols), want_db(cols);
    layer_norm_backward(s, want_dx.data(), want_dg.data(), want_db.data(), dy.data(), x.data(),
                        mean.data(), rstd.data(), gamma.data(), backend::reference);
    device_array<float> ddy(dy), dmean(mean), drstd(rstd), dx(x.size()), dg(cols), db(cols);
    require_ok(cuda::layer_norm_backward(s, dx.get(), dg.get(), db.get(), ddy.get(), dx_in.get(),
                                         dmean.get(), drstd.get(), dgamma_in.get(), gpu()),
               what);
    check_close(dx.to_host(), want_dx, 1e-5, what + " dx");
    check_close(dg.to_host(), want_dg, 1e-5, what + " dgamma");
    check_close(db.to_host(), want_db, 1e-5, what + " dbeta");
  }
}

void embedding_case(bool backward) {
  const auto s = ok_value(setup_embedding(50, 13, 40));
  const auto table = random_floats(50 * 13, -1, 1, 14);
  auto ids = random_ids(40, 50, 15); // 40 draws from 50: some repeat
  ids[7] = -1;
  ids[8] = 50; // out of range: a zero row forward, skipped backward
  device_array<std::int32_t> dids(ids);
  if (!backward) {
    floats want(40 * 13);
    embedding_forward(s, want.data(), table.data(), ids.data(), backend::reference);
    device_array<float> dtable(table), out(want.size());
    require_ok(cuda::embedding_forward(s, out.get(), dtable.get(), dids.get(), gpu()), "gather");
    check_close(out.to_host(), want, 0.0, "gather");
    return;
  }
  const auto dout = random_floats(40 * 13, -1, 1, 16);
  floats want = table; // accumulates onto what is there
  embedding_backward(s, want.data(), dout.data(), ids.data(), backend::reference);
  device_array<float> dtable(table), ddout(dout);
  require_ok(cuda::embedding_backward(s, dtable.get(), ddout.get(), dids.get(), gpu()),
             "scatter-add");
  check_close(dtable.to_host(), want, 1e-6, "scatter-add");
}

void attention_case(bool backward) {
  struct dims {
    std::size_t batch, heads, seq, head_dim;
  };
  for (auto [batch, heads, seq, head_dim] : {dims{2, 3, 11, 8}, dims{1, 2, 300, 16}})
    for (auto precision : {gemm_precision::fp32, gemm_precision::tf32}) {
      const auto s = ok_value(setup_attention(batch, heads, seq, head_dim));
      const std::size_t n = batch * heads * seq * head_dim;
      const std::size_t pn = batch * heads * seq * seq;
      const double tolerance = precision == gemm_precision::fp32 ? 1e-5 : 5e-3;
      const std::string what = "seq " + std::to_string(seq) + " "
                               + std::string{cuda::to_string(precision)};
      const auto q = random_floats(n, -1, 1, 17);
      const auto k = random_floats(n, -1, 1, 18);
      const auto v = random_floats(n, -1, 1, 19);
      floats out(n), probs(pn);
      attention_forward(s, out.data(), probs.data(), q.data(), k.data(), v.data(),
                        backend::reference);
      device_array<float> dq_in(q), dk_in(k), dv_in(v);
      if (!backward) {
        device_array<float> dout(n), dprobs(pn);
        require_ok(cuda::attention_forward(s, dout.get(), dprobs.get(), dq_in.get(), dk_in.get(),
                                           dv_in.get(), gpu(precision)),
                   what);
        check_close(dout.to_host(), out, tolerance, what + " out");
        check_close(dprobs.to_host(), probs, tolerance, what + " probs");
        continue;
      }
      const auto grad_out = random_floats(n, -1, 1, 20);
      floats scratch(s.scratch_floats);
      floats want_dq(n), want_dk(n), want_dv(n);
      attention_backward(s, want_dq.data(), want_dk.data(), want_dv.data(), grad_out.data(),
                         q.data(), k.data(), v.data(), probs.data(), scratch.data(),
                         backend::reference);
      device_array<float> dgrad_out(grad_out), dprobs(probs), dq(n), dk(n), dv(n);
      device_array<float> dscratch(cuda::attention_backward_scratch_floats(s));
      require_ok(cuda::attention_backward(s, dq.get(), dk.get(), dv.get(), dgrad_out.get(),
                                          dq_in.get(), dk_in.get(), dv_in.get(), dprobs.get(),
                                          dscratch.get(), gpu(precision)),
                 what);
      check_close(dq.to_host(), want_dq, tolerance, what + " dq");
      check_close(dk.to_host(), want_dk, tolerance, what + " dk");
      check_close(dv.to_host(), want_dv, tolerance, what + " dv");
    }
}

void conv2d_case(bool backward) {
  // Strided and padded, a plain 1x1, and a stride that skips input rows and columns.
  for (auto shape : {conv2d_shape{2, 3, 9, 8, 4, 3, 3, 2, 1}, conv2d_shape{1, 5, 4, 6, 3, 1, 1},
                     conv2d_shape{3, 2, 10, 11, 5, 2, 3, 3, 0}})
    for (bool with_bias : {true, false}) {
      const auto s = ok_value(setup_conv2d(shape));
      const std::string what = "conv " + std::to_string(s.kernel_h) + "x"
                               + std::to_string(s.kernel_w) + " stride "
                               + std::to_string(s.stride) + (with_bias ? " bias" : " no bias");
      const std::size_t xn = s.batch * s.in_channels * s.height * s.width;
      const std::size_t wn = s.out_channels * s.in_channels * s.kernel_h * s.kernel_w;
      const std::size_t yn = s.batch * s.out_channels * s.out_height * s.out_width;
      const auto x = random_floats(xn, -1, 1, 21);
      const auto w = random_floats(wn, -1, 1, 22);
      const auto bias = random_floats(s.out_channels, -1, 1, 23);
      floats scratch(s.scratch_floats);
      device_array<float> dx_in(x), dw_in(w), dbias_in(bias), dscratch(s.scratch_floats);
      if (!backward) {
        floats want(yn);
        conv2d_forward(s, want.data(), x.data(), w.data(), with_bias ? bias.data() : nullptr,
                       scratch.data(), backend::reference);
        device_array<float> y(yn);
        require_ok(cuda::conv2d_forward(s, y.get(), dx_in.get(), dw_in.get(),
                                        with_bias ? dbias_in.get() : nullptr, dscratch.get(),
                                        gpu()),
                   what);
        check_close(y.to_host(), want, 1e-5, what + " y");
        continue;
      }
      const auto dy = random_floats(yn, -1, 1, 24);
      floats want_dx(xn), want_dw(wn), want_db(s.out_channels);
      conv2d_backward(s, want_dx.data(), want_dw.data(), with_bias ? want_db.data() : nullptr,
                      dy.data(), x.data(), w.data(), scratch.data(), backend::reference);
      device_array<float> ddy(dy), dx(xn), dw(wn), db(s.out_channels);
      require_ok(cuda::conv2d_backward(s, dx.get(), dw.get(), with_bias ? db.get() : nullptr,
                                       ddy.get(), dx_in.get(), dw_in.get(), dscratch.get(),
                                       gpu()),
                 what);
      check_close(dx.to_host(), want_dx, 1e-5, what + " dx");
      check_close(dw.to_host(), want_dw, 1e-5, what + " dweight");
      if (with_bias)
        check_close(db.to_host(), want_db, 1e-5, what + " dbias");
    }
}

void max_pool_case(bool backward) {
  const auto s = ok_value(setup_max_pool(2, 3, 7, 6)); // odd height: the last row is dropped
  const auto x = random_floats(2 * 3 * 7 * 6, -1, 1, 25);
  const std::size_t yn = 2 * 3 * 3 * 3;
  floats y(yn);
  ints argmax(yn);
  max_pool_forward(s, y.data(), argmax.data(), x.data(), backend::reference);
  if (!backward) {
    device_array<float> dx_in(x), dy_out(yn);
    device_array<std::int32_t> dargmax(yn);
    require_ok(cuda::max_pool_forward(s, dy_out.get(), dargmax.get(), dx_in.get(), gpu()), "y");
    check_close(dy_out.to_host(), y, 0.0, "y");
    const ints got_argmax = dargmax.to_host();
    BOOST_TEST(got_argmax == argmax, boost::test_tools::per_element());
    return;
  }
  const auto dy = random_floats(yn, -1, 1, 26);
  floats want(x.size());
  max_pool_backward(s, want.data(), dy.data(), argmax.data(), backend::reference);
  device_array<float> ddy(dy), dx(floats(x.size(), NAN)); // every element must be written
  device_array<std::int32_t> dargmax(argmax);
  require_ok(cuda::max_pool_backward(s, dx.get(), ddy.get(), dargmax.get(), gpu()), "dx");
  check_close(dx.to_host(), want, 0.0, "dx");
}

void sgd_case() {
  const std::size_t size = 100003;
  const auto s = ok_value(setup_sgd({size, 0.05f, 0.9f, 0.01f}));
  floats want_p = random_floats(size, -1, 1, 27), want_v(size, 0.0f);
  device_array<float> p(want_p), v(want_v);
  for (std::uint32_t step = 0; step < 3; ++step) {
    const auto g = random_floats(size, -1, 1, 28 + step);
    sgd_update(s, want_p.data(), want_v.data(), g.data(), backend::reference);
    device_array<float> dg(g);
    require_ok(cuda::sgd_update(s, p.get(), v.get(), dg.get(), gpu()), "sgd");
    require_cuda(cudaDeviceSynchronize(), "sgd step"); // dg is freed at the end of the step
  }
  check_close(p.to_host(), want_p, 1e-6, "param");
  check_close(v.to_host(), want_v, 1e-6, "velocity");
}

void adam_case() {
  const std::size_t size = 100003;
  for (bool decoupled : {false, true}) {
    floats want_p = random_floats(size, -1, 1, 31), want_m(size, 0.0f), want_v(size, 0.0f);
    device_array<float> p(want_p), m(want_m), v(want_v);
    for (long step = 1; step <= 3; ++step) {
      const auto s =
        ok_value(setup_adam({size, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.1f, decoupled, step}));
      const auto g = random_floats(size, -1, 1, 40 + static_cast<std::uint32_t>(step));
      adam_update(s, want_p.data(), want_m.data(), want_v.data(), g.data(), backend::reference);
      device_array<float> dg(g);
      require_ok(cuda::adam_update(s, p.get(), m.get(), v.get(), dg.get(), gpu()), "adam");
      require_cuda(cudaDeviceSynchronize(), "adam step");
    }
    const std::string what = decoupled ? "adamw " : "adam ";
    check_close(p.to_host(), want_p, 1e-6, what + "param");
    check_close(m.to_host(), want_m, 1e-6, what + "first moment");
    check_close(v.to_host(), want_v, 1e-6, what + "second moment");
  }
}

// A switch without default: an op the registry lists for cuda without a case here is a
// -Wswitch warning and a failed case.
bool run_case(op o) {
  switch (o) {
    case op::gemm:
      return gemm_case(), true;
    case op::bias_activation_forward:
      return bias_activation_case(false), true;
    case op::bias_activation_backward:
      return bias_activation_case(true), true;
    case op::softmax_forward:
      return softmax_case(), true;
    case op::cross_entropy_forward:
      return cross_entropy_case(false), true;
    case op::cross_entropy_backward:
      return cross_entropy_case(true), true;
    case op::layer_norm_forward:
      return layer_norm_case(false), true;
    case op::layer_norm_backward:
      return layer_norm_case(true), true;
    case op::embedding_forward:
      return embedding_case(false), true;
    case op::embedding_backward:
      return embedding_case(true), true;
    case op::attention_forward:
      return attention_case(false), true;
    case op::attention_backward:
      return attention_case(true), true;
    case op::conv2d_forward:
      return conv2d_case(false), true;
    case op::conv2d_backward:
      return conv2d_case(true), true;
    case op::max_pool_forward:
      return max_pool_case(false), true;
    case op::max_pool_backward:
      return max_pool_case(true), true;
    case op::sgd_update:
      return sgd_case(), true;
    case op::adam_update:
      return adam_case(), true;
  }
  return false;
}

// "<op>_on_cuda_matches_reference" for every op the registry lists for cuda, with a
// precondition as in backend_ops_test (main() already exits 77 without a GPU).
struct cuda_case_registrar {
  cuda_case_registrar() {
    namespace utf = boost::unit_test;
    auto* suite = BOOST_TEST_SUITE("cuda_ops");
    for (op o : registered_ops()) {
      if (!supports(o, dtype::f32, backend::cuda))
        continue;
      const std::string name = std::string{to_string(o)} + "_on_cuda_matches_reference";
      auto* test = utf::make_test_case([o] { BOOST_TEST(run_case(o)); }, name, __FILE__,
                                       __LINE__);
      test->add_precondition([](utf::test_unit_id) {
        boost::test_tools::assertion_result usable(available(backend::cuda));
        usable.message() << cuda::cuda_unavailable_reason();
        return usable;
      });
      suite->add(test);
    }
    utf::framework::master_test_suite().add(suite);
  }
};

const cuda_case_registrar registrar;

} // namespace

int main(int argc, char* argv[]) {
  if (!available(backend::cuda)) {
    std::printf("SKIP: every CUDA case: %s\n", cuda::cuda_unavailable_reason().data());
    return 77; // Meson: skipped
  }
  return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
