#pragma once
/// The shared secret that proves a rank belongs to the job.

#include <string>
#include <string_view>

namespace ds::launch {

/// True when `given` equals `expected`. Its time depends only on `expected`'s length,
/// not on where the two first differ, so a peer cannot guess the token byte by byte.
bool tokens_equal(std::string_view expected, std::string_view given) noexcept;

/// 128 random bits from the kernel (getrandom), as 32 hex digits. Throws `launch_error`.
std::string generate_job_token();

} // namespace ds::launch
