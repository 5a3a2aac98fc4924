#pragma once
/// Plain POSIX TCP for the rendezvous: addresses, listening, connecting, length-prefixed frames.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ds::launch {

using launch_clock = std::chrono::steady_clock;

/// Owns one file descriptor; closes it on destruction. Move-only.
class fd_handle {
public:
  fd_handle() = default;
  explicit fd_handle(int fd) noexcept : fd_(fd) {}
  fd_handle(fd_handle&& other) noexcept : fd_(other.release()) {}
  fd_handle& operator=(fd_handle&& other) noexcept;
  fd_handle(const fd_handle&) = delete;
  fd_handle& operator=(const fd_handle&) = delete;
  ~fd_handle() { reset(); }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int release() noexcept;
  void reset() noexcept;

private:
  int fd_ = -1;
};

struct host_port {
  std::string host;
  std::uint16_t port = 0;
  std::string text() const;  ///< "host:port", brackets around an IPv6 literal
};

/// Parses "host:port" or "[v6]:port". Throws `launch_error` naming `what`
/// (the flag or variable it came from) when the text is malformed.
host_port parse_host_port(std::string_view text, std::string_view what);

/// Listens on `where.port`: on the loopback address when `where.host` names one, on every
/// interface otherwise (so other nodes can reach rank 0 by its host name). Throws `launch_error`.
fd_handle listen_on(const host_port& where);

/// Connects to `where`, retrying (a refused connection usually means rank 0 is not up yet)
/// until `deadline`. Throws `launch_error` saying for how long it tried and the last error.
fd_handle connect_until(const host_port& where, launch_clock::time_point deadline);

/// "address:port" of the other end of a connected socket, or "unknown peer".
std::string peer_name(int fd);

/// A free TCP port on 127.0.0.1 at the time of the call (bound, read, released).
std::uint16_t free_loopback_port();

/// One protocol message: a type byte and its payload.
struct frame {
  std::uint8_t type = 0;
  std::vector<std::byte> payload;
};

/// Writes a whole frame (4-byte big-endian length, type, payload). Returns false when the
/// peer is gone or does not drain its socket in time (SO_SNDTIMEO of the socket). Never SIGPIPE.
bool send_frame(int fd, std::uint8_t type, std::span<const std::byte> payload);

/// Gathers bytes from a socket into frames; refuses frames over `max_payload`.
class frame_reader {
public:
  explicit frame_reader(std::size_t max_payload) : max_payload_(max_payload) {}
  /// Reads what is available without blocking. Returns false on end of stream or error.
  bool read_available(int fd);
  /// The next complete frame, if any. Throws `launch_error` on an oversized frame.
  std::optional<frame> next();
  void set_max_payload(std::size_t max_payload) noexcept { max_payload_ = max_payload; }

private:
  std::vector<std::byte> buffer_;
  std::size_t max_payload_;
};

/// Waits for the next frame until `deadline`; nullopt on timeout, end of stream or error
/// (`closed` tells which).
std::optional<frame> read_frame_until(int fd, frame_reader& reader,
                                      launch_clock::time_point deadline, bool& closed);

/// Milliseconds from now to `deadline`, clamped to [0, max_ms], for poll().
int poll_timeout_ms(launch_clock::time_point deadline, int max_ms = 1 << 30);

/// Seconds as text with one decimal ("1.5 s").
std::string describe_seconds(std::chrono::milliseconds duration);

} // namespace ds::launch
