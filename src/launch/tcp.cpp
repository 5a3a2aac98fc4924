#include "launch/tcp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

#include "launch/launch_error.hpp"

namespace ds::launch {

namespace {

std::string errno_text(int code) {
  return std::strerror(code);
}

struct addrinfo_list {
  addrinfo* head = nullptr;
  ~addrinfo_list() {
    if (head != nullptr)
      freeaddrinfo(head);
  }
};

addrinfo_list resolve(const host_port& where, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  addrinfo_list list;
  auto port = std::to_string(where.port);
  int rc = getaddrinfo(passive ? nullptr : where.host.c_str(), port.c_str(), &hints, &list.head);
  if (rc != 0)
    throw launch_error("cannot resolve '" + where.text() + "': " + gai_strerror(rc));
  return list;
}

bool names_loopback(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo_list list;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &list.head) != 0)
    return false;
  for (auto* ai = list.head; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET) {
      auto addr = ntohl(reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr.s_addr);
      if ((addr >> 24) != 127)
        return false;
    } else if (ai->ai_family == AF_INET6) {
      if (!IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr))
        return false;
    }
  }
  return list.head != nullptr;
}

void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/// One non-blocking connect to one address, bounded by `deadline`; errno-style code or 0.
int connect_once(const addrinfo& ai, launch_clock::time_point deadline, fd_handle& out) {
  fd_handle fd{socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai.ai_protocol)};
  if (!fd)
    return errno;
  if (connect(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS)
      return errno;
    pollfd p{fd.get(), POLLOUT, 0};
    int ready = poll(&p, 1, poll_timeout_ms(deadline));
    if (ready == 0)
      return ETIMEDOUT;
    int error = 0;
    socklen_t len = sizeof error;
    getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0)
      return error;
  }
  int flags = fcntl(fd.get(), F_GETFL);
  fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  set_nodelay(fd.get());
  out = std::move(fd);
  return 0;
}

} // namespace

fd_handle& fd_handle::operator=(fd_handle&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

int fd_handle::release() noexcept {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void fd_handle::reset() noexcept {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

std::string host_port::text() const {
  if (host.find(':') != std::string::npos)
    return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

host_port parse_host_port(std::string_view text, std::string_view what) {
  auto fail = [&](const std::string& why) -> host_port {
    throw launch_error(std::string(what) + "='" + std::string(text) + "' " + why
                       + " (expected HOST:PORT, e.g. node01:29500)");
  };
  host_port result;
  std::string_view port_text;
  if (text.starts_with("[")) {
    auto close = text.find("]:");
    if (close == std::string_view::npos)
      return fail("has an unclosed '[' or no port");
    result.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return fail("has no port");
    result.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (result.host.find(':') != std::string::npos)
      return fail("has more than one ':' (write an IPv6 address as [addr]:port)");
  }
  if (result.host.empty())
    return fail("has no host");
  unsigned port = 0;
  auto [stop, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc{} || stop != port_text.data() + port_text.size()
      || port == 0 || port > 65535)
    return fail("has no valid port (1 to 65535)");
  result.port = static_cast<std::uint16_t>(port);
  return result;
}

fd_handle listen_on(const host_port& where) {
  const bool loopback = names_loopback(where.host);
  auto list = resolve(loopback ? where : host_port{"", where.port}, !loopback);
  std::string last_error = "no address";
  // Prefer IPv6 wildcard (it usually accepts IPv4 too), else the first that binds.
  std::vector<addrinfo*> candidates;
  for (auto* ai = list.head; ai != nullptr; ai = ai->ai_next)
    candidates.push_back(ai);
  std::stable_sort(candidates.begin(), candidates.end(), [&](addrinfo* a, addrinfo* b) {
    return !loopback && a->ai_family == AF_INET6 && b->ai_family != AF_INET6;
  });
  for (auto* ai : candidates) {
    fd_handle fd{socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol)};
    if (!fd) {
      last_error = errno_text(errno);
      continue;
    }
    int one = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6) {
      int zero = 0;
      setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    }
    if (bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd.get(), 256) != 0) {
      last_error = errno_text(errno);
      continue;
    }
    return fd;
  }
  throw launch_error("rank 0 cannot listen on port " + std::to_string(where.port) + " for "
                     + where.text() + ": " + last_error
                     + (last_error.find("in use") != std::string::npos
                          ? " (another job or process holds it; choose another port)" : ""));
}

fd_handle connect_until(const host_port& where, launch_clock::time_point deadline) {
  const auto started = launch_clock::now();
  auto pause = std::chrono::milliseconds(20);
  std::string last_error;
  for (;;) {
    try {
      auto list = resolve(where, false);
      for (auto* ai = list.head; ai != nullptr; ai = ai->ai_next) {
        fd_handle fd;
        int code = connect_once(*ai, deadline, fd);
        if (code == 0)
          return fd;
        last_error = errno_text(code);
      }
    } catch (const launch_error& e) {
      last_error = e.what();  // a name that does not resolve yet may resolve later (DNS)
    }
    if (launch_clock::now() + pause >= deadline) {
      auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(launch_clock::now() - started);
      throw launch_error("could not reach the coordinator at " + where.text() + " within "
                         + describe_seconds(waited) + " (last error: " + last_error
                         + "); is rank 0 running, and is the port open between the nodes?");
    }
    std::this_thread::sleep_for(pause);  // a retry back-off, not a synchronisation
    pause = std::min(pause * 2, std::chrono::milliseconds(500));
  }
}

std::string peer_name(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return "unknown peer";
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, port, sizeof port,
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return "unknown peer";
  std::string h = host;
  if (h.starts_with("::ffff:"))
    h = h.substr(7);
  return h.find(':') != std::string::npos ? "[" + h + "]:" + port : h + ":" + port;
}

std::uint16_t free_loopback_port() {
  fd_handle fd{socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (!fd || bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0
      || getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw launch_error("cannot find a free port on 127.0.0.1: " + errno_text(errno));
  return ntohs(addr.sin_port);
}

bool send_frame(int fd, std::uint8_t type, std::span<const std::byte> payload) {
  std::vector<std::byte> bytes(5 + payload.size());
  auto size = static_cast<std::uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i)
    bytes[i] = static_cast<std::byte>(size >> (24 - 8 * i));
  bytes[4] = static_cast<std::byte>(type);
  std::copy(payload.begin(), payload.end(), bytes.begin() + 5);
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool frame_reader::read_available(int fd) {
  std::byte chunk[4096];
  for (;;) {
    auto n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n > 0) {
      buffer_.insert(buffer_.end(), chunk, chunk + n);
      if (static_cast<std::size_t>(n) < sizeof chunk)
        return true;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return true;
    return false;  // 0: end of stream; other errors: the connection is gone
  }
}

std::optional<frame> frame_reader::next() {
  if (buffer_.size() < 5)
    return std::nullopt;
  std::uint32_t size = 0;
  for (int i = 0; i < 4; ++i)
    size = (size << 8) | std::to_integer<std::uint32_t>(buffer_[i]);
  if (size > max_payload_)
    throw launch_error("a " + std::to_string(size) + "-byte message is over the limit of "
                       + std::to_string(max_payload_) + " bytes");
  if (buffer_.size() < 5 + size)
    return std::nullopt;
  frame result;
  result.type = std::to_integer<std::uint8_t>(buffer_[4]);
  result.payload.assign(buffer_.begin() + 5, buffer_.begin() + 5 + size);
  buffer_.erase(buffer_.begin(), buffer_.begin() + 5 + size);
  return result;
}

std::optional<frame> read_frame_until(int fd, frame_reader& reader,
                                      launch_clock::time_point deadline, bool& closed) {
  closed = false;
  for (;;) {
    if (auto next = reader.next())
      return next;
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, poll_timeout_ms(deadline));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready == 0)
      return std::nullopt;
    if (!reader.read_available(fd)) {
      if (auto next = reader.next())
        return next;
      closed = true;
      return std::nullopt;
    }
  }
}

int poll_timeout_ms(launch_clock::time_point deadline, int max_ms) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - launch_clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, max_ms));
}

std::string describe_seconds(std::chrono::milliseconds duration) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(duration.count()) / 1000.0);
  return text;
}

} // namespace ds::launch
