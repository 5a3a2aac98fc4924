#include "train/checkpoint_file.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

#include "checksum.hpp"

namespace ds::actors {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the checkpoint format stores floats and counts little-endian as in memory");

constexpr char magic[8] = {'D', 'S', 'C', 'K', 'P', 'T', '0', '1'};

void append_u64(std::string& out, std::uint64_t value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

void append_floats(std::string& out, const tensor& values) {
  if (values.type() != dtype::f32 || !values.is_contiguous())
    throw std::logic_error("checkpoint: parameters and moments must be contiguous f32");
  append_u64(out, static_cast<std::uint64_t>(values.numel()));
  out.append(reinterpret_cast<const char*>(values.data<float>()), values.nbytes());
}

std::string metadata_of(const train_state& state) {
  std::ostringstream text;
  text << "model=" << state.model << '\n'
       << "optimizer=" << state.optimizer << '\n'
       << "updates=" << state.updates << '\n'
       << "next_step=" << state.next_step << '\n'
       << "sequence_end=" << state.sequence_end << '\n'
       << "epoch=" << state.epoch << '\n'
       << "epochs_done=" << state.epochs_done << '\n'
       << "samples=" << state.samples << '\n';
  return text.str();
}

[[noreturn]] void system_failure(const std::string& what, const std::string& path) {
  throw std::runtime_error("checkpoint: " + what + " '" + path + "': " + std::strerror(errno));
}

/// Writes all of `bytes` to `path` and makes them durable before returning.
void write_durably(const std::string& path, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    system_failure("cannot create", path);
  std::size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      ::close(fd);
      system_failure("cannot write", path);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    system_failure("cannot flush", path);
  }
  ::close(fd);
}

/// Reads little-endian fields from the file's bytes, naming the file when it runs short.
class reader {
public:
  reader(const std::string& bytes, const std::string& path) : bytes_(bytes), path_(path) {}

  std::uint64_t u64(const char* what) {
    std::uint64_t value = 0;
    std::memcpy(&value, take(sizeof value, what), sizeof value);
    return value;
  }
  const char* take(std::size_t n, const char* what) {
    if (n > bytes_.size() - at_)
      throw std::runtime_error("checkpoint '" + path_ + "' is truncated: " + what + " needs "
                               + std::to_string(n) + " bytes at offset " + std::to_string(at_)
                               + ", the file has " + std::to_string(bytes_.size()));
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }
  std::size_t offset() const noexcept { return at_; }

private:
  const std::string& bytes_;
  const std::string& path_;
  std::size_t at_ = 0;
};

std::uint64_t number_field(const std::map<std::string, std::string>& meta, const char* key,
                           const std::string& path) {
  auto it = meta.find(key);
  if (it == meta.end())
    throw std::runtime_error("checkpoint '" + path + "' has no '" + key + "' entry");
  try {
    std::size_t used = 0;
    auto value = std::stoull(it->second, &used);
    if (used != it->second.size())
      throw std::invalid_argument(it->second);
    return value;
  } catch (const std::exception&) {
    throw std::runtime_error("checkpoint '" + path + "': '" + key + "' is not a number: '"
                             + it->second + "'");
  }
}

} // namespace

std::string checkpoint_path(const std::string& dir) {
  return (std::filesystem::path(dir) / "checkpoint.dsckpt").string();
}

void write_checkpoint(const std::string& dir, const train_state& state) {
  std::string bytes(magic, sizeof magic);
  const auto meta = metadata_of(state);
  append_u64(bytes, meta.size());
  bytes += meta;
  append_u64(bytes, 1 + state.optimizer_moments.size());
  append_floats(bytes, state.params);
  for (const auto& moment : state.optimizer_moments)
    append_floats(bytes, moment);
  append_u64(bytes, xxh64(std::as_bytes(std::span{bytes.data(), bytes.size()})));

  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error)
    throw std::runtime_error("checkpoint: cannot create folder '" + dir + "': " + error.message());
  const auto final_path = checkpoint_path(dir);
  const auto temporary = final_path + ".tmp";
  write_durably(temporary, bytes);
  if (std::rename(temporary.c_str(), final_path.c_str()) != 0)
    system_failure("cannot rename '" + temporary + "' to", final_path);
}

saved_training read_checkpoint(const std::string& dir) {
  const auto path = checkpoint_path(dir);
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw std::runtime_error("checkpoint: cannot open '" + path + "' (is '" + dir
                             + "' a checkpoint folder written by a `checkpointer` stage?)");
  std::string bytes{std::istreambuf_iterator<char>(file), {}};
  reader in(bytes, path);
  if (std::memcmp(in.take(sizeof magic, "the magic"), magic, sizeof magic) != 0)
    throw std::runtime_error("checkpoint '" + path + "' is not a dsflow checkpoint (bad magic)");
  if (bytes.size() < sizeof magic + 8)
    throw std::runtime_error("checkpoint '" + path + "' is truncated");
  const auto body = std::span{bytes.data(), bytes.size() - 8};
  std::uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + body.size(), sizeof stored);
  if (xxh64(std::as_bytes(body)) != stored)
    throw std::runtime_error("checkpoint '" + path
                             + "' fails its checksum (the file is damaged or incomplete)");

  const auto meta_size = in.u64("the metadata length");
  std::istringstream lines(std::string(in.take(meta_size, "the metadata"), meta_size));
  std::map<std::string, std::string> meta;
  for (std::string line; std::getline(lines, line);) {
    auto eq = line.find('=');
    if (eq == std::string::npos)
      throw std::runtime_error("checkpoint '" + path + "': metadata line '" + line
                               + "' is not key=value");
    meta[line.substr(0, eq)] = line.substr(eq + 1);
  }
  saved_training saved;
  saved.model = meta["model"];
  saved.optimizer = meta["optimizer"];
  saved.updates = number_field(meta, "updates", path);
  saved.next_step = number_field(meta, "next_step", path);
  saved.sequence_end = number_field(meta, "sequence_end", path);
  saved.epoch = static_cast<std::uint32_t>(number_field(meta, "epoch", path));
  saved.epochs_done = static_cast<std::uint32_t>(number_field(meta, "epochs_done", path));
  saved.samples = number_field(meta, "samples", path);

  const auto arrays = in.u64("the array count");
  if (arrays < 1 || arrays > 3)
    throw std::runtime_error("checkpoint '" + path + "' holds " + std::to_string(arrays)
                             + " arrays; expected parameters and up to 2 moments");
  for (std::uint64_t a = 0; a < arrays; ++a) {
    const auto count = in.u64("an array length");
    if (count > (bytes.size() - in.offset()) / sizeof(float))
      throw std::runtime_error("checkpoint '" + path + "' is truncated: array " + std::to_string(a)
                               + " claims " + std::to_string(count) + " floats");
    std::vector<float> values(count);
    std::memcpy(values.data(), in.take(count * sizeof(float), "an array"), count * sizeof(float));
    if (a == 0)
      saved.params = std::move(values);
    else
      saved.moments.push_back(std::move(values));
  }
  if (in.offset() != body.size())
    throw std::runtime_error("checkpoint '" + path + "' has "
                             + std::to_string(body.size() - in.offset())
                             + " unexpected bytes after its arrays");
  return saved;
}

void load_parameters(const saved_training& saved, const std::string& dir, std::span<float> params) {
  if (saved.params.size() != params.size())
    throw std::runtime_error("checkpoint '" + checkpoint_path(dir) + "' holds "
                             + std::to_string(saved.params.size()) + " parameters, the model "
                             + std::to_string(params.size()));
  std::copy(saved.params.begin(), saved.params.end(), params.begin());
}

void check_checkpoint_matches(const saved_training& saved, const std::string& dir,
                              const std::string& model, const std::string& optimizer) {
  const auto path = checkpoint_path(dir);
  if (saved.model != model)
    throw std::runtime_error("checkpoint '" + path + "' was made for model '" + saved.model
                             + "', but the config trains '" + model + "'");
  if (!optimizer.empty() && saved.optimizer != optimizer)
    throw std::runtime_error("checkpoint '" + path + "' was made with optimizer '"
                             + saved.optimizer + "', but the config uses '" + optimizer + "'");
}

} // namespace ds::actors
