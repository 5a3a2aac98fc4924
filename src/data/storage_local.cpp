// Local files: pread on descriptors opened once per file.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "data/storage.hpp"

namespace ds::data {

namespace {

std::string describe(const std::string& object, std::uint64_t offset, std::uint64_t length) {
  return object + " (offset " + std::to_string(offset) + ", length " + std::to_string(length) + ")";
}

/// Descriptors stay open for the storage's lifetime: a job reads the same few
/// hundred shards over and over, and reopening costs a path lookup each time.
/// A file replaced after its first use is still read through the old descriptor.
class local_storage final : public storage {
public:
  ~local_storage() override {
    for (auto& [object, fd] : fds_)
      ::close(fd);
  }

  std::uint64_t size(const std::string& object) override {
    struct stat info {};
    if (::fstat(descriptor(object), &info) != 0)
      throw storage_error{"cannot stat " + object + ": " + std::strerror(errno)};
    return static_cast<std::uint64_t>(info.st_size);
  }

  void read(const std::string& object, std::uint64_t offset, std::span<std::byte> out) override {
    auto fd = descriptor(object);
    std::size_t done = 0;
    while (done < out.size()) {
      auto got = ::pread(fd, out.data() + done, out.size() - done,
                         static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        throw storage_error{"cannot read " + describe(object, offset, out.size()) + ": "
                            + std::strerror(errno)};
      if (got == 0)
        throw storage_error{"short read of " + describe(object, offset, out.size())
                            + ": end of file after " + std::to_string(done) + " bytes"};
      done += static_cast<std::size_t>(got);
    }
  }

  /// A hint: when the kernel refuses the advice nothing is lost, so its result
  /// is ignored (opening the file can still throw, as a read would).
  void will_need(const std::string& object, std::uint64_t offset, std::uint64_t length) override {
    ::posix_fadvise(descriptor(object), static_cast<off_t>(offset), static_cast<off_t>(length),
                    POSIX_FADV_WILLNEED);
  }

private:
  int descriptor(const std::string& object) {
    std::lock_guard guard{mutex_};
    if (auto found = fds_.find(object); found != fds_.end())
      return found->second;
    int fd = ::open(object.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      throw storage_error{"cannot open " + object + ": " + std::strerror(errno)};
    fds_.emplace(object, fd);
    return fd;
  }

  std::mutex mutex_;
  std::unordered_map<std::string, int> fds_;
};

} // namespace

std::shared_ptr<storage> make_local_storage() {
  return std::make_shared<local_storage>();
}

} // namespace ds::data
