#include "config/runtime_params.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <stdexcept>

#include "config/suggest.hpp"
#include "config/value_check.hpp"

namespace ds {

namespace {

/// One runtime knob. This table is the only place a knob is declared: parsing,
/// the environment variable and `--dump-params` all derive from it, and the
/// default is whatever `runtime_settings{}` holds.
struct knob {
  key_spec spec;  ///< name is the full key path, doc the help line
  std::string env;
  std::function<value_data(const runtime_settings&)> read;
  std::function<void(runtime_settings&, const value_data&)> write;
};

key_spec integer_spec(std::string key, double min, double max, std::string help) {
  key_spec spec;
  spec.name = std::move(key);
  spec.type = value_type::integer;
  spec.min = min;
  spec.max = max;
  spec.doc = std::move(help);
  return spec;
}

std::uint32_t to_u32(const value_data& value) {
  return static_cast<std::uint32_t>(std::get<std::int64_t>(value));
}

int to_int(const value_data& value) {
  return static_cast<int>(std::get<std::int64_t>(value));
}

const std::vector<knob>& knobs() {
  static const std::vector<knob> table{
    {integer_spec("runtime.window", 1, 65536, "credits each input link grants (per-stage 'window' overrides it)"),
     "DS_WINDOW", [](const runtime_settings& s) -> value_data { return std::int64_t{s.window}; },
     [](runtime_settings& s, const value_data& v) { s.window = to_u32(v); }},
    {integer_spec("runtime.threads", 0, 1024, "scheduler threads; 0 = one per core"),
     "DS_THREADS", [](const runtime_settings& s) -> value_data { return std::int64_t{s.threads}; },
     [](runtime_settings& s, const value_data& v) { s.threads = to_u32(v); }},
    {integer_spec("runtime.metrics_interval_ms", 10, 3600000, "milliseconds between metrics reports"),
     "DS_METRICS_INTERVAL_MS",
     [](const runtime_settings& s) -> value_data { return std::int64_t{s.metrics_interval_ms}; },
     [](runtime_settings& s, const value_data& v) { s.metrics_interval_ms = to_u32(v); }},
    {key_spec{"runtime.log_level", value_type::string, std::nullopt, std::nullopt, std::nullopt,
              {"trace", "debug", "info", "warn", "error", "off"}, "least severe log level printed"},
     "DS_LOG_LEVEL", [](const runtime_settings& s) -> value_data { return s.log_level; },
     [](runtime_settings& s, const value_data& v) { s.log_level = std::get<std::string>(v); }},
    {integer_spec("runtime.supervision.max_restarts", 0, 1000,
                  "restarts per replica before a stage failure stops the pipeline"),
     "DS_MAX_RESTARTS",
     [](const runtime_settings& s) -> value_data { return std::int64_t{s.supervision.max_restarts}; },
     [](runtime_settings& s, const value_data& v) { s.supervision.max_restarts = to_int(v); }},
    {integer_spec("runtime.supervision.backoff_ms", 0, 600000,
                  "wait before the first restart, doubled for each further one"),
     "DS_RESTART_BACKOFF_MS",
     [](const runtime_settings& s) -> value_data { return std::int64_t{s.supervision.backoff_ms}; },
     [](runtime_settings& s, const value_data& v) { s.supervision.backoff_ms = to_int(v); }},
    {integer_spec("runtime.rendezvous_timeout_ms", 100, 86400000,
                  "how long the ranks may take to join before the rendezvous fails, naming the missing ones"),
     "DS_RENDEZVOUS_TIMEOUT_MS",
     [](const runtime_settings& s) -> value_data { return std::int64_t{s.rendezvous_timeout_ms}; },
     [](runtime_settings& s, const value_data& v) { s.rendezvous_timeout_ms = to_u32(v); }},
    {integer_spec("runtime.heartbeat_interval_ms", 10, 600000,
                  "milliseconds between heartbeats of each rank and the coordinator"),
     "DS_HEARTBEAT_INTERVAL_MS",
     [](const runtime_settings& s) -> value_data { return std::int64_t{s.heartbeat_interval_ms}; },
     [](runtime_settings& s, const value_data& v) { s.heartbeat_interval_ms = to_u32(v); }},
    {integer_spec("runtime.heartbeat_timeout_ms", 20, 3600000,
                  "silence after which a rank is declared lost; above the interval"),
     "DS_HEARTBEAT_TIMEOUT_MS",
     [](const runtime_settings& s) -> value_data { return std::int64_t{s.heartbeat_timeout_ms}; },
     [](runtime_settings& s, const value_data& v) { s.heartbeat_timeout_ms = to_u32(v); }},
    {key_spec{"runtime.fabric_provider", value_type::string, std::nullopt, std::nullopt, std::nullopt, {},
              "libfabric provider between ranks ('shm', 'tcp;ofi_rxm', 'verbs;ofi_rxm', 'efa'); "
              "auto: FI_PROVIDER, else shm when the coordinator is a loopback address, else tcp;ofi_rxm"},
     "DS_FABRIC_PROVIDER", [](const runtime_settings& s) -> value_data { return s.fabric_provider; },
     [](runtime_settings& s, const value_data& v) { s.fabric_provider = std::get<std::string>(v); }},
  };
  return table;
}

/// Keys one level below `path` that lead to a knob ("window", "supervision", ...).
std::vector<std::string> keys_below(const std::string& path) {
  std::vector<std::string> result;
  auto prefix = path + ".";
  for (const auto& entry : knobs()) {
    const auto& name = entry.spec.name;
    if (!name.starts_with(prefix))
      continue;
    auto key = name.substr(prefix.size(), name.find('.', prefix.size()) - prefix.size());
    if (std::find(result.begin(), result.end(), key) == result.end())
      result.push_back(key);
  }
  return result;
}

bool is_knob(const std::string& path) {
  return std::any_of(knobs().begin(), knobs().end(),
                     [&path](const knob& entry) { return entry.spec.name == path; });
}

/// Reports keys under `node` (the map at `path`) that no knob uses.
void check_keys(const config_node& node, const std::string& path, diagnostics& out) {
  if (node.is_null())
    return;
  if (!node.is_map()) {
    report(out, node.origin, path, "expected a map, got " + node.describe_kind());
    return;
  }
  auto known = keys_below(path);
  for (const auto& entry : node.entries) {
    auto child_path = join_path(path, entry.key);
    if (std::find(known.begin(), known.end(), entry.key) == known.end())
      report(out, entry.key_origin, child_path,
             "unknown key '" + entry.key + "'" + did_you_mean(entry.key, known));
    else if (!is_knob(child_path))
      check_keys(entry.value, child_path, out);
  }
}

const config_node* find_path(const config_node& root, const std::string& path) {
  const config_node* node = &root;
  std::size_t start = 0;
  for (;;) {
    auto dot = path.find('.', start);
    node = node->is_map() ? node->find(path.substr(start, dot - start)) : nullptr;
    if (node == nullptr || dot == std::string::npos)
      return node;
    start = dot + 1;
  }
}

/// The node a knob's value comes from, by precedence; nullptr means the default.
std::optional<config_node> choose_source(const config_node& root, const knob& entry) {
  const auto* in_file = find_path(root, entry.spec.name);
  if (in_file != nullptr && in_file->origin.from == value_origin::source::command_line)
    return *in_file;
  if (const char* text = std::getenv(entry.env.c_str())) {
    config_node from_env;
    from_env.type = config_node::kind::scalar;
    from_env.text = text;
    from_env.origin.from = value_origin::source::environment;
    from_env.origin.file = entry.env;
    return from_env;
  }
  if (in_file != nullptr)
    return *in_file;
  return std::nullopt;
}

} // namespace

const key_spec& runtime_knob_spec(std::string_view key) {
  auto found = std::find_if(knobs().begin(), knobs().end(),
                            [key](const knob& entry) { return entry.spec.name == key; });
  if (found == knobs().end())
    throw std::logic_error("no runtime knob named " + std::string{key});
  return found->spec;
}

void read_runtime(const config_node& root, runtime_settings& settings,
                  std::vector<param_entry>& params, diagnostics& out) {
  if (const auto* section = root.find("runtime"))
    check_keys(*section, "runtime", out);
  const runtime_settings defaults;
  for (const auto& entry : knobs()) {
    param_entry param{entry.spec.name, entry.env, {}, entry.spec.doc, {}};
    auto source = choose_source(root, entry);
    if (source) {
      auto value = read_value(*source, entry.spec, entry.spec.name, out);
      if (!value)
        continue;
      entry.write(settings, *value);
      param.value = render_value(*value);
      param.origin = source->origin;
    } else {
      param.value = render_value(entry.read(defaults));
    }
    params.push_back(std::move(param));
  }
}

} // namespace ds
