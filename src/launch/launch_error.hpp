#pragma once
/// The one error type of the launch layer (rank discovery, rendezvous, liveness).

#include <stdexcept>
#include <string>

namespace ds::launch {

/// Thrown by every launch function; the message is meant for the user as is:
/// it names the variable, flag, rank or host:port involved and says what to do.
class launch_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace ds::launch
