// A libFuzzer stand-in for gcc builds: replays a corpus, then runs seeded,
// deterministic mutations of it for DS_FUZZ_SECONDS (default 10). A target
// reports a contract violation by aborting, so exit 0 means every input passed.
//
// Usage: <target> [corpus file or directory]...   (DS_FUZZ_SEED picks the seed, default 1)

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using input = std::vector<std::uint8_t>;

input read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

std::vector<input> load_corpus(int argc, char** argv) {
  std::vector<std::filesystem::path> paths;
  for (int index = 1; index < argc; ++index) {
    const std::filesystem::path root = argv[index];
    if (std::filesystem::is_directory(root)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(root))
        if (entry.is_regular_file())
          paths.push_back(entry.path());
    } else if (std::filesystem::is_regular_file(root)) {
      paths.push_back(root);
    } else {
      std::fprintf(stderr, "replay: %s is neither a file nor a directory\n", argv[index]);
      std::exit(2);
    }
  }
  std::sort(paths.begin(), paths.end()); // the same order, hence the same mutations, every run
  std::vector<input> corpus;
  for (const auto& path : paths)
    corpus.push_back(read_file(path));
  return corpus;
}

void run(const input& data) {
  // A copy of exactly the input's size, so ASan sees reads past its end.
  const std::unique_ptr<std::uint8_t[]> exact(new std::uint8_t[std::max<std::size_t>(data.size(), 1)]);
  std::copy(data.begin(), data.end(), exact.get());
  LLVMFuzzerTestOneInput(exact.get(), data.size());
}

/// One random edit of the kinds that break parsers: a bit flip, a truncation,
/// inserted bytes, an overwritten byte, or a splice with another input.
void mutate(input& data, const std::vector<input>& corpus, std::mt19937_64& random) {
  auto below = [&](std::size_t bound) { return bound == 0 ? 0 : random() % bound; };
  switch (random() % 5) {
    case 0:
      if (!data.empty())
        data[below(data.size())] ^= static_cast<std::uint8_t>(1u << below(8));
      break;
    case 1:
      data.resize(below(data.size() + 1));
      break;
    case 2: {
      const std::size_t at = below(data.size() + 1);
      const std::size_t count = 1 + below(16);
      for (std::size_t index = 0; index < count; ++index)
        data.insert(data.begin() + static_cast<std::ptrdiff_t>(at),
                    static_cast<std::uint8_t>(random()));
      break;
    }
    case 3: {
      static constexpr std::uint8_t interesting[] = {0x00, 0x01, 0x7F, 0x80, 0xFF};
      if (!data.empty())
        data[below(data.size())] = interesting[below(std::size(interesting))];
      break;
    }
    default: {
      if (corpus.empty())
        break;
      const auto& other = corpus[below(corpus.size())];
      data.resize(below(data.size() + 1));
      data.insert(data.end(), other.begin() + static_cast<std::ptrdiff_t>(below(other.size() + 1)),
                  other.end());
      break;
    }
  }
}

} // namespace

int main(int argc, char** argv) {
  const auto corpus = load_corpus(argc, argv);
  for (const auto& data : corpus)
    run(data);
  const char* seconds_text = std::getenv("DS_FUZZ_SECONDS");
  const char* seed_text = std::getenv("DS_FUZZ_SEED");
  const double seconds = seconds_text ? std::atof(seconds_text) : 10.0;
  const std::uint64_t seed = seed_text ? std::strtoull(seed_text, nullptr, 10) : 1;
  std::mt19937_64 random(seed);
  std::uint64_t mutations = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto budget = std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() - start < budget) {
    // Check the clock every 64 inputs; most inputs take microseconds.
    for (int batch = 0; batch < 64; ++batch, ++mutations) {
      input data = corpus.empty() ? input{} : corpus[random() % corpus.size()];
      const auto edits = 1 + random() % 4;
      for (std::uint64_t edit = 0; edit < edits; ++edit)
        mutate(data, corpus, random);
      run(data);
    }
  }
  std::printf("replay: %zu corpus inputs and %llu mutations (seed %llu) passed\n", corpus.size(),
              static_cast<unsigned long long>(mutations), static_cast<unsigned long long>(seed));
  return 0;
}
