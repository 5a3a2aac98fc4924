#pragma once
/// Test support: two forked ranks exchange addresses and wait for each other
/// over one socketpair, standing in for the real rendezvous.

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ds::test {

/// One end of a socketpair; every wait has a deadline so a dead peer fails the test.
class socket_channel {
public:
  explicit socket_channel(int fd, int timeout_ms = 30000) : fd_(fd), timeout_ms_(timeout_ms) {}
  ~socket_channel() { ::close(fd_); }
  socket_channel(const socket_channel&) = delete;
  socket_channel& operator=(const socket_channel&) = delete;

  void write_bytes(const void* data, std::size_t size) {
    auto* at = static_cast<const char*>(data);
    while (size > 0) {
      auto written = ::write(fd_, at, size);
      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        throw std::runtime_error("socket_channel: the peer is gone (write)");
      at += written;
      size -= static_cast<std::size_t>(written);
    }
  }

  void read_bytes(void* data, std::size_t size) {
    auto* at = static_cast<char*>(data);
    while (size > 0) {
      pollfd ready{fd_, POLLIN, 0};
      auto polled = ::poll(&ready, 1, timeout_ms_);
      if (polled < 0 && errno == EINTR)
        continue;
      if (polled == 0)
        throw std::runtime_error("socket_channel: the peer said nothing for "
                                 + std::to_string(timeout_ms_) + " ms");
      auto got = ::read(fd_, at, size);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        throw std::runtime_error("socket_channel: the peer is gone (read)");
      at += got;
      size -= static_cast<std::size_t>(got);
    }
  }

  /// Sends ours, receives theirs.
  std::vector<std::byte> exchange(const std::vector<std::byte>& ours) {
    auto size = static_cast<std::uint64_t>(ours.size());
    write_bytes(&size, sizeof size);
    write_bytes(ours.data(), ours.size());
    std::uint64_t their_size = 0;
    read_bytes(&their_size, sizeof their_size);
    if (their_size > (1u << 20))
      throw std::runtime_error("socket_channel: an address of " + std::to_string(their_size)
                               + " bytes");
    std::vector<std::byte> theirs(their_size);
    read_bytes(theirs.data(), theirs.size());
    return theirs;
  }

  /// Returns once both ends called it (with the same `step`, checked).
  void barrier(std::uint32_t step) {
    write_bytes(&step, sizeof step);
    std::uint32_t theirs = 0;
    read_bytes(&theirs, sizeof theirs);
    if (theirs != step)
      throw std::runtime_error("socket_channel: barrier " + std::to_string(step)
                               + " met the peer at barrier " + std::to_string(theirs));
  }

private:
  int fd_;
  int timeout_ms_;
};

} // namespace ds::test
