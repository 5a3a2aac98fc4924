// A rank for the multi-process tests: joins a rendezvous and reports what it saw.
//
// usage: launch_peer RANK WORLD HOST:PORT MODE [ADDRESS]
//   DS_JOB_TOKEN, DS_RENDEZVOUS_TIMEOUT_MS, DS_HEARTBEAT_INTERVAL_MS, DS_HEARTBEAT_TIMEOUT_MS
//   MODE table: print the address table, barrier, broadcast from the last rank, finish (exit 0)
//   MODE hold:  print "joined", then wait for a lost peer: print it and exit 4 (exit 0 after 30 s)
// A failed join prints "join failed: WHY" and exits 3.

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "dsflow/logger.hpp"
#include "launch/launch_error.hpp"
#include "launch/session.hpp"

namespace {

void say(const std::string& line) {
  std::fprintf(stdout, "%s\n", line.c_str());
  std::fflush(stdout);
}

std::chrono::milliseconds env_ms(const char* name, int fallback) {
  const char* text = std::getenv(name);
  return std::chrono::milliseconds(text != nullptr ? std::atoi(text) : fallback);
}

std::string text_of(const std::vector<std::byte>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    say("usage: launch_peer RANK WORLD HOST:PORT MODE [ADDRESS]");
    return 2;
  }
  if (const char* level = std::getenv("DS_LOG_LEVEL"))
    ds::set_log_level(ds::parse_log_level(level));
  ds::launch::session_options options;
  options.rank = std::atoi(argv[1]);
  ds::set_log_rank(options.rank);
  options.world_size = std::atoi(argv[2]);
  options.coordinator = argv[3];
  const std::string mode = argv[4];
  std::string address = argc > 5 ? argv[5] : "";
  for (char c : address)
    options.address.push_back(static_cast<std::byte>(c));
  const char* token = std::getenv("DS_JOB_TOKEN");
  options.job_token = token != nullptr ? token : "";
  options.rendezvous_timeout = env_ms("DS_RENDEZVOUS_TIMEOUT_MS", 10000);
  options.heartbeat_interval = env_ms("DS_HEARTBEAT_INTERVAL_MS", 100);
  options.heartbeat_timeout = env_ms("DS_HEARTBEAT_TIMEOUT_MS", 1000);

  std::unique_ptr<ds::launch::session> session;
  try {
    session = ds::launch::session::join(options);
  } catch (const ds::launch::launch_error& e) {
    say(std::string("join failed: ") + e.what());
    return 3;
  }
  std::string table = "table:";
  for (std::size_t rank = 0; rank < session->addresses().size(); ++rank)
    table.append(" ").append(std::to_string(rank)).append("=").append(text_of(session->addresses()[rank]));
  say(table);

  if (mode == "table") {
    try {
      session->barrier(std::chrono::seconds(10));
      const int root = options.world_size - 1;
      std::string message = "hello from rank " + std::to_string(options.rank);
      auto got = session->broadcast(root, std::as_bytes(std::span{message.data(), message.size()}),
                                    std::chrono::seconds(10));
      say("broadcast: " + text_of(got));
      session->barrier(std::chrono::seconds(10));
    } catch (const ds::launch::launch_error& e) {
      say(std::string("collective failed: ") + e.what());
      return 5;
    }
    session->finish();
    say("finished");
    return 0;
  }

  std::mutex mutex;
  std::condition_variable lost;
  std::string why;
  session->on_peer_lost([&](int rank, const std::string& reason) {
    std::lock_guard guard{mutex};
    if (why.empty())
      why = "lost rank " + std::to_string(rank) + ": " + reason;
    lost.notify_all();
  });
  say("joined");
  std::unique_lock lock{mutex};
  if (!lost.wait_for(lock, std::chrono::seconds(30), [&] { return !why.empty(); })) {
    lock.unlock();
    session->finish();
    return 0;
  }
  say(why);
  lock.unlock();
  session->fail("a peer was lost");
  return 4;
}
