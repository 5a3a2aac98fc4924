#include "cuda/context.hpp"

#include "cuda/check.hpp"

namespace ds::kernels::cuda {

std::string_view to_string(gemm_precision precision) noexcept {
  switch (precision) {
    case gemm_precision::fp32:
      return "fp32";
    case gemm_precision::tf32:
      return "tf32";
    case gemm_precision::bf16:
      return "bf16";
  }
  return "unknown";
}

blas_handle& blas_handle::operator=(blas_handle&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr)
      cublasDestroy(handle_);
    handle_ = other.handle_;
    other.handle_ = nullptr;
  }
  return *this;
}

blas_handle::~blas_handle() {
  if (handle_ != nullptr)
    cublasDestroy(handle_);
}

status blas_handle::open() {
  cublasHandle_t created = nullptr;
  DS_CUBLAS_CHECK(cublasCreate(&created));
  if (handle_ != nullptr)
    cublasDestroy(handle_);
  handle_ = created;
  return status::ok();
}

} // namespace ds::kernels::cuda
