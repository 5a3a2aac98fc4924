#include "forked_ranks.hpp"

#if DSFLOW_HAVE_LIBFABRIC

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace ds::bench {
namespace {

void write_all(int fd, const void* data, std::size_t size) {
  auto* at = static_cast<const char*>(data);
  while (size > 0) {
    auto n = ::write(fd, at, size);
    if (n <= 0)
      throw std::runtime_error("a rank's pipe closed (write)");
    at += n;
    size -= static_cast<std::size_t>(n);
  }
}

void read_all(int fd, void* data, std::size_t size) {
  auto* at = static_cast<char*>(data);
  while (size > 0) {
    auto n = ::read(fd, at, size);
    if (n <= 0)
      throw std::runtime_error("a rank's pipe closed (read)");
    at += n;
    size -= static_cast<std::size_t>(n);
  }
}

void write_blob(int fd, const std::vector<std::byte>& blob) {
  std::uint64_t size = blob.size();
  write_all(fd, &size, sizeof size);
  write_all(fd, blob.data(), blob.size());
}

std::vector<std::byte> read_blob(int fd) {
  std::uint64_t size = 0;
  read_all(fd, &size, sizeof size);
  std::vector<std::byte> blob(size);
  read_all(fd, blob.data(), size);
  return blob;
}

int run_rank(int rank, int world, const net::libfabric_options& fabric, int fd,
             const char* bench_name, const rank_body& body) {
  try {
    net::libfabric_transport net{fabric};
    write_blob(fd, net.local_address());
    std::vector<std::vector<std::byte>> table;
    for (int r = 0; r < world; ++r)
      table.push_back(read_blob(fd));
    net.add_peers(table);
    int code = body(rank, world, net);
    char done = 1;
    write_all(fd, &done, 1);  // wait for every rank before closing the endpoint
    read_all(fd, &done, 1);
    return code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ds-bench %s: rank %d of %d (%s): %s\n", bench_name, rank, world,
                 fabric.provider.c_str(), e.what());
    return 1;
  }
}

} // namespace

bool run_forked_ranks(int world, const net::libfabric_options& fabric, const char* bench_name,
                      const rank_body& body) {
  std::vector<pid_t> children;
  std::vector<int> pipes;
  std::fflush(stdout);
  for (int rank = 0; rank < world; ++rank) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
      throw std::runtime_error("socketpair failed");
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      for (int fd : pipes)
        ::close(fd);
      int code = run_rank(rank, world, fabric, fds[1], bench_name, body);
      std::fflush(stdout);  // _Exit skips stdio's flush
      std::_Exit(code);
    }
    ::close(fds[1]);
    children.push_back(pid);
    pipes.push_back(fds[0]);
  }
  bool ok = true;
  try {
    std::vector<std::vector<std::byte>> table;
    for (int fd : pipes)
      table.push_back(read_blob(fd));
    for (int fd : pipes)
      for (const auto& address : table)
        write_blob(fd, address);
    char done = 0;
    for (int fd : pipes)
      read_all(fd, &done, 1);
    for (int fd : pipes)
      write_all(fd, &done, 1);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ds-bench %s: world %d: %s\n", bench_name, world, e.what());
    ok = false;
  }
  for (int fd : pipes)
    ::close(fd);
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  return ok;
}

std::vector<net::libfabric_options> bench_providers(const std::string& only) {
  std::vector<net::libfabric_options> usable;
  for (const char* provider : {"shm", "tcp;ofi_rxm"}) {
    if (!only.empty() && only != provider)
      continue;
    net::libfabric_options fabric;
    fabric.provider = provider;
    if (fabric.provider.starts_with("tcp"))
      fabric.domain = "lo";
    std::string why;
    if (!net::libfabric_available(fabric, &why)) {
      std::printf("%-12s skipped: %s\n", provider, why.c_str());
      continue;
    }
    usable.push_back(std::move(fabric));
  }
  return usable;
}

} // namespace ds::bench

#endif
