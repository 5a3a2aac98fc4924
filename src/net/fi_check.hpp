#pragma once
/// The one seam where libfabric return codes become `net_error`s.

#include <cstdint>
#include <string>
#include <string_view>

#include "net/net_error.hpp"

namespace ds::net {

/// "FI_EAGAIN" for -FI_EAGAIN or FI_EAGAIN; "FI_E<n>" for a code it does not know.
std::string fi_code_name(int code);

/// Builds the error for a failed libfabric call: `call (provider P, peer N,
/// tag T): -FI_ECODE <fi_strerror> [detail] at file:line`. `call_text` may be
/// the whole call expression; only the function name is kept.
net_error fi_error(long code, std::string_view call_text, std::string_view provider,
                   const char* file, int line, int peer = -1,
                   std::uint64_t tag = net_error::no_tag, std::string_view detail = {});

/// Returns `code` when it is ≥ 0, else throws `fi_error(...)`.
long fi_check(long code, std::string_view call_text, std::string_view provider, const char* file,
              int line);

} // namespace ds::net

/// Checks a libfabric call that returns 0 (or a count) on success and -FI_E*
/// on failure; throws `ds::net::net_error` naming the call, `provider`, the
/// converted code and `file:line`. Every synchronous `fi_*` call goes through it.
#define DS_FI_CHECK(provider, call) \
  ::ds::net::fi_check((call), #call, (provider), __FILE__, __LINE__)

/// The error for a failed asynchronous `fi_*` operation (a post or a completion).
#define DS_FI_ERROR(provider, call_name, code, peer, tag, detail) \
  ::ds::net::fi_error((code), (call_name), (provider), __FILE__, __LINE__, (peer), (tag), (detail))
