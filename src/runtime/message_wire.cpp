#include "runtime/message_wire.hpp"

#include <bit>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "data/byte_io.hpp"
#include "dsflow/messages.hpp"
#include "dsflow/tensor.hpp"

namespace ds::runtime {
namespace {

// "DSLK" then a version: a header from anything else is refused, not misread.
constexpr std::uint32_t frame_magic = 0x4b4c5344;
constexpr std::uint8_t frame_version = 1;
constexpr std::uint32_t no_payload = 0xffffffff;
constexpr std::uint8_t max_tensor_rank = 16;

/// Writes message fields; payload buffers go to a list and are referred to by index.
class field_writer {
public:
  field_writer(std::vector<std::byte>& header, std::vector<buffer>& payloads)
    : out_(header), payloads_(payloads) {}

  data::byte_writer& out() noexcept { return out_; }

  void f64(double value) { out_.u64(std::bit_cast<std::uint64_t>(value)); }
  void text(const std::string& value) {
    out_.u32(static_cast<std::uint32_t>(value.size()));
    out_.bytes(std::as_bytes(std::span{value}));
  }
  void payload(const buffer& bytes) {
    if (bytes.empty()) {
      out_.u32(no_payload);
      return;
    }
    if (bytes.kind() == memory_kind::device)
      throw wire_error("a payload is in cuda:" + std::to_string(bytes.device())
                       + " memory; only host memory crosses ranks");
    // One buffer shared by several tensors (fields of one block) goes once.
    for (std::size_t i = 0; i < payloads_.size(); ++i)
      if (payloads_[i].data() == bytes.data() && payloads_[i].size() == bytes.size()) {
        out_.u32(static_cast<std::uint32_t>(i));
        return;
      }
    out_.u32(static_cast<std::uint32_t>(payloads_.size()));
    payloads_.push_back(bytes);
  }
  void tensor_of(const tensor& t) {
    out_.u8(static_cast<std::uint8_t>(t.type()));
    out_.u8(static_cast<std::uint8_t>(t.rank()));
    for (auto extent : t.shape())
      out_.i64(extent);
    for (auto stride : t.strides())
      out_.i64(stride);
    out_.i64(t.offset());
    payload(t.storage());
  }
  void named_tensors(const std::vector<std::pair<std::string, tensor>>& fields) {
    out_.u32(static_cast<std::uint32_t>(fields.size()));
    for (const auto& [name, t] : fields) {
      text(name);
      tensor_of(t);
    }
  }

private:
  data::byte_writer out_;
  std::vector<buffer>& payloads_;
};

/// Reads what `field_writer` wrote; every read names its field for the error.
class field_reader {
public:
  field_reader(std::span<const std::byte> header, std::vector<buffer>& payloads)
    : in_(header), payloads_(payloads) {}

  data::byte_reader& in() noexcept { return in_; }

  double f64(const char* what) { return std::bit_cast<double>(in_.u64(what)); }
  std::string text(const char* what) {
    auto size = in_.u32(what);
    auto bytes = in_.bytes(what, size);
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
  buffer payload(const char* what) {
    auto index = in_.u32(what);
    if (index == no_payload)
      return {};
    if (index >= payloads_.size())
      throw wire_error(std::string{what} + " refers to payload " + std::to_string(index)
                       + " of " + std::to_string(payloads_.size()));
    return payloads_[index];
  }
  tensor tensor_of(const char* what) {
    auto type = in_.u8(what);
    if (type > static_cast<std::uint8_t>(dtype::f64))
      throw wire_error(std::string{what} + ": unknown dtype " + std::to_string(type));
    auto rank = in_.u8(what);
    if (rank > max_tensor_rank)
      throw wire_error(std::string{what} + ": rank " + std::to_string(rank) + " is over "
                       + std::to_string(max_tensor_rank));
    std::vector<std::int64_t> shape(rank), strides(rank);
    for (auto& extent : shape)
      extent = in_.i64(what);
    for (auto& stride : strides)
      stride = in_.i64(what);
    auto offset = in_.i64(what);
    auto storage = payload(what);
    if (!storage && rank == 0)
      return {};  // an unset tensor
    try {
      return tensor{std::move(storage), static_cast<dtype>(type), std::move(shape),
                    std::move(strides), offset};
    } catch (const std::invalid_argument& e) {
      throw wire_error(std::string{what} + ": " + e.what());
    }
  }
  std::vector<std::pair<std::string, tensor>> named_tensors(const char* what) {
    auto count = in_.u32(what);
    std::vector<std::pair<std::string, tensor>> fields;
    for (std::uint32_t i = 0; i < count; ++i) {
      auto name = text(what);
      auto t = tensor_of(("field '" + name + "'").c_str());
      fields.emplace_back(std::move(name), std::move(t));
    }
    return fields;
  }

private:
  data::byte_reader in_;
  std::vector<buffer>& payloads_;
};

/// The wire form of one message type: its fields in a fixed order.
struct message_form {
  void (*write)(const message& msg, field_writer& out);
  message_ptr (*read)(field_reader& in);
};

template <class T>
const T& as(const message& msg) {
  return static_cast<const T&>(msg);
}

const std::map<std::string, message_form, std::less<>>& forms() {
  static const std::map<std::string, message_form, std::less<>> table{
    {blob::type,
     {[](const message& msg, field_writer& out) {
        const auto& m = as<blob>(msg);
        out.out().u64(m.digest);
        out.payload(m.bytes);
      },
      [](field_reader& in) -> message_ptr {
        auto digest = in.in().u64("digest");
        return std::make_shared<blob>(in.payload("bytes"), digest);
      }}},
    {sample_ref::type,
     {[](const message& msg, field_writer& out) {
        const auto& m = as<sample_ref>(msg);
        out.out().u32(m.epoch);
        out.out().u64(m.sequence);
        out.out().u32(m.shard);
        out.out().u64(m.record);
      },
      [](field_reader& in) -> message_ptr {
        auto m = std::make_shared<sample_ref>();
        m->epoch = in.in().u32("epoch");
        m->sequence = in.in().u64("sequence");
        m->shard = in.in().u32("shard");
        m->record = in.in().u64("record");
        return m;
      }}},
    {record::type,
     {[](const message& msg, field_writer& out) {
        const auto& m = as<record>(msg);
        out.out().u32(m.epoch);
        out.out().u64(m.sequence);
        out.out().u32(m.shard);
        out.out().u64(m.index);
        out.payload(m.bytes);
      },
      [](field_reader& in) -> message_ptr {
        auto m = std::make_shared<record>();
        m->epoch = in.in().u32("epoch");
        m->sequence = in.in().u64("sequence");
        m->shard = in.in().u32("shard");
        m->index = in.in().u64("index");
        m->bytes = in.payload("bytes");
        return m;
      }}},
    {sample::type,
     {[](const message& msg, field_writer& out) {
        const auto& m = as<sample>(msg);
        out.out().u32(m.epoch);
        out.out().u64(m.sequence);
        out.out().u32(m.shard);
        out.out().u64(m.index);
        out.named_tensors(m.fields);
      },
      [](field_reader& in) -> message_ptr {
        auto m = std::make_shared<sample>();
        m->epoch = in.in().u32("epoch");
        m->sequence = in.in().u64("sequence");
        m->shard = in.in().u32("shard");
        m->index = in.in().u64("index");
        m->fields = in.named_tensors("fields");
        return m;
      }}},
    {batch::type,
     {[](const message& msg, field_writer& out) {
        const auto& m = as<batch>(msg);
        out.out().u64(m.step);
        out.out().u32(m.epoch);
        out.out().u64(m.sequence_end);
        out.named_tensors(m.fields);
      },
      [](field_reader& in) -> message_ptr {
        auto m = std::make_shared<batch>();
        m->step = in.in().u64("step");
        m->epoch = in.in().u32("epoch");
        m->sequence_end = in.in().u64("sequence_end");
        m->fields = in.named_tensors("fields");
        return m;
      }}},
    {grad_bucket::type,
     {[](const message& msg, field_writer& out) {
        const auto& m = as<grad_bucket>(msg);
        out.out().u64(m.step);
        out.out().u64(m.update);
        out.out().u32(m.epoch);
        out.out().u64(m.sequence_end);
        out.out().u32(m.bucket);
        out.out().u32(m.bucket_count);
        out.out().u32(m.replica);
        out.out().u32(m.group_size);
        out.out().u32(m.batches);
        out.out().u64(m.samples);
        out.f64(m.loss);
        out.tensor_of(m.grads);
      },
      [](field_reader& in) -> message_ptr {
        auto m = std::make_shared<grad_bucket>();
        m->step = in.in().u64("step");
        m->update = in.in().u64("update");
        m->epoch = in.in().u32("epoch");
        m->sequence_end = in.in().u64("sequence_end");
        m->bucket = in.in().u32("bucket");
        m->bucket_count = in.in().u32("bucket_count");
        m->replica = in.in().u32("replica");
        m->group_size = in.in().u32("group_size");
        m->batches = in.in().u32("batches");
        m->samples = in.in().u64("samples");
        m->loss = in.f64("loss");
        m->grads = in.tensor_of("grads");
        return m;
      }}},
    {param_update::type,
     {[](const message& msg, field_writer& out) {
        const auto& m = as<param_update>(msg);
        out.out().u64(m.update);
        out.out().u32(m.bucket);
        out.out().u32(m.bucket_count);
        out.tensor_of(m.params);
      },
      [](field_reader& in) -> message_ptr {
        auto m = std::make_shared<param_update>();
        m->update = in.in().u64("update");
        m->bucket = in.in().u32("bucket");
        m->bucket_count = in.in().u32("bucket_count");
        m->params = in.tensor_of("params");
        return m;
      }}},
    {train_state::type,
     {[](const message& msg, field_writer& out) {
        const auto& m = as<train_state>(msg);
        out.out().u64(m.updates);
        out.out().u64(m.next_step);
        out.out().u64(m.sequence_end);
        out.out().u32(m.epoch);
        out.out().u32(m.epochs_done);
        out.out().u8(m.epoch_end ? 1 : 0);
        out.out().u8(m.final ? 1 : 0);
        out.out().u64(m.samples);
        out.f64(m.loss);
        out.text(m.model);
        out.text(m.optimizer);
        out.tensor_of(m.params);
        out.out().u32(static_cast<std::uint32_t>(m.optimizer_moments.size()));
        for (const auto& moment : m.optimizer_moments)
          out.tensor_of(moment);
      },
      [](field_reader& in) -> message_ptr {
        auto m = std::make_shared<train_state>();
        m->updates = in.in().u64("updates");
        m->next_step = in.in().u64("next_step");
        m->sequence_end = in.in().u64("sequence_end");
        m->epoch = in.in().u32("epoch");
        m->epochs_done = in.in().u32("epochs_done");
        m->epoch_end = in.in().u8("epoch_end") != 0;
        m->final = in.in().u8("final") != 0;
        m->samples = in.in().u64("samples");
        m->loss = in.f64("loss");
        m->model = in.text("model");
        m->optimizer = in.text("optimizer");
        m->params = in.tensor_of("params");
        auto moments = in.in().u32("optimizer_moments");
        for (std::uint32_t i = 0; i < moments; ++i)
          m->optimizer_moments.push_back(in.tensor_of("optimizer_moments"));
        return m;
      }}},
  };
  return table;
}

void start_header(data::byte_writer& out, frame_kind kind) {
  out.u32(frame_magic);
  out.u8(frame_version);
  out.u8(static_cast<std::uint8_t>(kind));
}

buffer to_buffer(const std::vector<std::byte>& bytes, memory_pool& pool) {
  auto header = pool.allocate(bytes.size());
  std::memcpy(header.data(), bytes.data(), bytes.size());
  return header;
}

} // namespace

bool has_wire_form(std::string_view type) noexcept {
  return forms().contains(type);
}

outgoing_frame encode_items(std::span<const item> items, memory_pool& pool) {
  std::vector<std::byte> header;
  outgoing_frame frame;
  field_writer out{header, frame.payloads};
  start_header(out.out(), frame_kind::items);
  const auto count_at = header.size();
  out.out().u32(0);  // the payload count, known at the end
  out.out().u32(static_cast<std::uint32_t>(items.size()));
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& it = items[i];
    out.out().u64(it.key.seq);
    out.out().u32(it.key.part);
    out.out().u8(it.key.final ? 1 : 0);
    if (!it.payload) {  // a gap: a key with no message
      out.text({});
      continue;
    }
    const std::string type{it.payload->type_name()};
    auto form = forms().find(type);
    if (form == forms().end())
      throw wire_error("item " + std::to_string(it.key.seq) + ": message type '" + type
                       + "' has no wire form, so it cannot cross ranks");
    out.text(type);
    try {
      form->second.write(*it.payload, out);
    } catch (const wire_error& e) {
      throw wire_error("item " + std::to_string(it.key.seq) + " (" + type + "): " + e.what());
    }
  }
  out.out().patch_u32(count_at, static_cast<std::uint32_t>(frame.payloads.size()));
  frame.header = to_buffer(header, pool);
  return frame;
}

outgoing_frame encode_end(bool cut, memory_pool& pool) {
  std::vector<std::byte> header;
  data::byte_writer out{header};
  start_header(out, frame_kind::end);
  out.u8(cut ? 1 : 0);
  return {to_buffer(header, pool), {}};
}

outgoing_frame encode_credit(std::uint32_t count, memory_pool& pool) {
  std::vector<std::byte> header;
  data::byte_writer out{header};
  start_header(out, frame_kind::credit);
  out.u32(count);
  return {to_buffer(header, pool), {}};
}

frame_header read_frame_header(std::span<const std::byte> bytes) {
  try {
    data::byte_reader in{bytes};
    if (in.u32("magic") != frame_magic)
      throw wire_error("not a dsflow link frame (bad magic)");
    if (auto version = in.u8("version"); version != frame_version)
      throw wire_error("link frame version " + std::to_string(version) + ", this build reads "
                       + std::to_string(frame_version));
    frame_header header;
    auto kind = in.u8("kind");
    switch (kind) {
      case static_cast<std::uint8_t>(frame_kind::items):
        header.kind = frame_kind::items;
        header.payload_count = in.u32("payload count");
        break;
      case static_cast<std::uint8_t>(frame_kind::end):
        header.kind = frame_kind::end;
        header.cut = in.u8("cut") != 0;
        break;
      case static_cast<std::uint8_t>(frame_kind::credit):
        header.kind = frame_kind::credit;
        header.credits = in.u32("credits");
        break;
      default:
        throw wire_error("unknown link frame kind " + std::to_string(kind));
    }
    return header;
  } catch (const data::byte_overrun& e) {
    throw wire_error(std::string{"truncated link frame: "} + e.what());
  }
}

std::vector<item> decode_items(std::span<const std::byte> bytes, std::vector<buffer> payloads) {
  auto header = read_frame_header(bytes);
  if (header.kind != frame_kind::items)
    throw wire_error("expected an items frame");
  if (header.payload_count != payloads.size())
    throw wire_error("the frame announces " + std::to_string(header.payload_count)
                     + " payloads, " + std::to_string(payloads.size()) + " came");
  field_reader in{bytes, payloads};
  std::vector<item> items;
  std::uint64_t seq = 0;
  try {
    in.in().bytes("frame header", 10);  // magic, version, kind, payload count: read above
    auto count = in.in().u32("item count");
    for (std::uint32_t i = 0; i < count; ++i) {
      item it;
      it.key.seq = seq = in.in().u64("key");
      it.key.part = in.in().u32("key part");
      it.key.final = in.in().u8("key final") != 0;
      auto type = in.text("message type");
      if (!type.empty()) {
        auto form = forms().find(type);
        if (form == forms().end())
          throw wire_error("unknown message type '" + type + "'");
        it.payload = form->second.read(in);
      }
      items.push_back(std::move(it));
    }
    if (in.in().remaining() != 0)
      throw wire_error(std::to_string(in.in().remaining()) + " bytes after the last item");
  } catch (const data::byte_overrun& e) {
    throw wire_error("item " + std::to_string(seq) + ": truncated: " + e.what());
  } catch (const wire_error& e) {
    throw wire_error("item " + std::to_string(seq) + ": " + e.what());
  }
  return items;
}

} // namespace ds::runtime
