#define BOOST_TEST_MODULE message_wire
#include <boost/test/unit_test.hpp>

#include <cstring>

#include "dsflow/messages.hpp"
#include "runtime/message_wire.hpp"

// The wire form of items on a cross-rank edge: every built-in message type round-trips with
// its fields and payloads, payloads travel by handle, and a damaged header is refused with a
// message, never misread.

using namespace ds;
using runtime::decode_items;
using runtime::encode_items;
using runtime::wire_error;

namespace {

memory_pools pools;

buffer filled(std::size_t size, std::uint8_t seed) {
  auto b = pools.host().allocate(size);
  for (std::size_t i = 0; i < size; ++i)
    b.data()[i] = static_cast<std::byte>(seed + i);
  return b;
}

tensor float_tensor(std::vector<std::int64_t> shape, std::uint8_t seed) {
  std::int64_t count = 1;
  for (auto extent : shape)
    count *= extent;
  return tensor{filled(static_cast<std::size_t>(count) * 4, seed), dtype::f32, std::move(shape)};
}

bool same_bytes(const buffer& a, const buffer& b) {
  return a.size() == b.size() && (a.size() == 0 || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

bool same_tensor(const tensor& a, const tensor& b) {
  return a.type() == b.type() && a.shape() == b.shape() && a.strides() == b.strides()
         && a.offset() == b.offset() && same_bytes(a.storage(), b.storage());
}

/// Encodes, then decodes over the very payload handles (as the in-process transport delivers).
std::vector<item> round_trip(const std::vector<item>& items) {
  auto frame = encode_items(items, pools.host());
  return decode_items(frame.header.bytes(), frame.payloads);
}

/// The one message of `items`, kept alive by its own handle.
template <class T>
std::shared_ptr<const T> only(const std::vector<item>& items) {
  BOOST_REQUIRE_EQUAL(items.size(), 1u);
  message_as<T>(items.front().payload);  // throws naming the type when it is another
  return std::static_pointer_cast<const T>(items.front().payload);
}

} // namespace

BOOST_AUTO_TEST_CASE(keys_and_gaps_round_trip) {
  std::vector<item> items{{{7, 0, true}, std::make_shared<blob>(filled(10, 1), 99)},
                          {{8, 2, false}, nullptr},
                          {{9, 1, true}, std::make_shared<sample_ref>()}};
  auto back = round_trip(items);
  BOOST_REQUIRE_EQUAL(back.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i)
    BOOST_TEST((back[i].key == items[i].key));
  BOOST_TEST(!back[1].payload);
  BOOST_TEST(message_as<blob>(back[0].payload).digest == 99u);
}

BOOST_AUTO_TEST_CASE(record_and_sample_ref_fields_round_trip) {
  auto ref = std::make_shared<sample_ref>();
  ref->epoch = 3;
  ref->sequence = 1ull << 40;
  ref->shard = 12;
  ref->record = 777;
  const auto r = only<sample_ref>(round_trip({{{0}, ref}}));
  BOOST_TEST(r->epoch == 3u);
  BOOST_TEST(r->sequence == 1ull << 40);
  BOOST_TEST(r->shard == 12u);
  BOOST_TEST(r->record == 777u);

  auto rec = std::make_shared<record>();
  rec->epoch = 1;
  rec->sequence = 5;
  rec->shard = 2;
  rec->index = 9;
  rec->bytes = filled(5000, 3).slice(100, 4000);  // a slice of a block travels as itself
  const auto back = only<record>(round_trip({{{0}, rec}}));
  BOOST_TEST(back->index == 9u);
  BOOST_TEST(same_bytes(back->bytes, rec->bytes));
}

BOOST_AUTO_TEST_CASE(sample_and_batch_fields_round_trip_and_a_shared_buffer_goes_once) {
  auto block = filled(4096, 5);
  auto b = std::make_shared<batch>();
  b->step = 41;
  b->epoch = 2;
  b->sequence_end = 5248;
  // Two fields over one buffer (a view with an offset and strides): one payload on the wire.
  b->fields.emplace_back("image", tensor{block, dtype::u8, {4, 8, 8}});
  b->fields.emplace_back("label", tensor{block, dtype::i64, {4}, {2}, 3});
  auto frame = encode_items(std::vector<item>{{{0}, b}}, pools.host());
  BOOST_TEST(frame.payloads.size() == 1u);
  BOOST_TEST(frame.payloads.front().data() == block.data());  // the handle, not a copy
  const auto back = only<batch>(decode_items(frame.header.bytes(), frame.payloads));
  BOOST_TEST(back->step == 41u);
  BOOST_TEST(back->sequence_end == 5248u);
  BOOST_REQUIRE_EQUAL(back->fields.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    BOOST_TEST(back->fields[i].first == b->fields[i].first);
    BOOST_TEST(same_tensor(back->fields[i].second, b->fields[i].second));
  }

  auto s = std::make_shared<sample>();
  s->sequence = 17;
  s->fields.emplace_back("text", tensor{filled(33, 9), dtype::u8, {33}});
  const auto sb = only<sample>(round_trip({{{17}, s}}));
  BOOST_TEST(sb->sequence == 17u);
  BOOST_TEST(same_tensor(sb->fields.at(0).second, s->fields.at(0).second));
}

BOOST_AUTO_TEST_CASE(training_messages_round_trip) {
  auto g = std::make_shared<grad_bucket>();
  g->step = 11;
  g->update = 5;
  g->epoch = 1;
  g->sequence_end = 1408;
  g->bucket = 2;
  g->bucket_count = 3;
  g->replica = 1;
  g->group_size = 2;
  g->batches = 2;
  g->samples = 256;
  g->loss = 0.123456789012345;
  g->grads = float_tensor({300}, 7);
  const auto gb = only<grad_bucket>(round_trip({{{0}, g}}));
  BOOST_TEST(gb->update == 5u);
  BOOST_TEST(gb->group_size == 2u);
  BOOST_TEST(gb->samples == 256u);
  BOOST_TEST(gb->loss == g->loss);  // bit for bit
  BOOST_TEST(same_tensor(gb->grads, g->grads));

  auto p = std::make_shared<param_update>();
  p->update = 6;
  p->bucket = 1;
  p->bucket_count = 3;
  p->params = float_tensor({10, 30}, 2);
  const auto pb = only<param_update>(round_trip({{{0}, p}}));
  BOOST_TEST(pb->update == 6u);
  BOOST_TEST(same_tensor(pb->params, p->params));

  auto t = std::make_shared<train_state>();
  t->updates = 100;
  t->next_step = 200;
  t->sequence_end = 25600;
  t->epochs_done = 2;
  t->epoch_end = true;
  t->samples = 25600;
  t->loss = 0.5;
  t->model = "mlp sizes=784,10";
  t->optimizer = "adamw lr=0.001";
  t->params = float_tensor({7850}, 1);
  t->optimizer_moments = {float_tensor({7850}, 2), float_tensor({7850}, 3)};
  const auto tb = only<train_state>(round_trip({{{0}, t}}));
  BOOST_TEST(tb->updates == 100u);
  BOOST_TEST(tb->epoch_end);
  BOOST_TEST(!tb->final);
  BOOST_TEST(tb->model == t->model);
  BOOST_TEST(tb->optimizer == t->optimizer);
  BOOST_TEST(same_tensor(tb->params, t->params));
  BOOST_REQUIRE_EQUAL(tb->optimizer_moments.size(), 2u);
  BOOST_TEST(same_tensor(tb->optimizer_moments[1], t->optimizer_moments[1]));
}

BOOST_AUTO_TEST_CASE(a_message_type_without_a_wire_form_is_refused_naming_it) {
  struct local_only final : message {
    std::string_view type_name() const noexcept override { return "local_only"; }
  };
  BOOST_TEST(!runtime::has_wire_form("local_only"));
  BOOST_TEST(runtime::has_wire_form("batch"));
  try {
    encode_items(std::vector<item>{{{4}, std::make_shared<local_only>()}}, pools.host());
    BOOST_FAIL("encoded a message without a wire form");
  } catch (const wire_error& e) {
    BOOST_TEST(std::string{e.what()}.find("item 4: message type 'local_only' has no wire form")
               != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(a_damaged_header_is_refused_at_every_cut_and_byte_flip) {
  auto b = std::make_shared<batch>();
  b->fields.emplace_back("x", float_tensor({2, 3}, 4));
  auto frame = encode_items(std::vector<item>{{{3}, b}, {{4}, nullptr}}, pools.host());
  const auto header = frame.header.bytes();
  for (std::size_t cut = 0; cut < header.size(); ++cut)
    BOOST_CHECK_THROW(decode_items(header.first(cut), frame.payloads), wire_error);
  // A flipped byte is either refused or decodes to a well-formed item list: never a crash,
  // never a tensor outside its buffer (the sanitizer build runs this).
  std::vector<std::byte> copy(header.begin(), header.end());
  for (std::size_t at = 0; at < copy.size(); ++at) {
    copy[at] ^= std::byte{0x5a};
    try {
      decode_items(copy, frame.payloads);
    } catch (const wire_error&) {
    }
    copy[at] ^= std::byte{0x5a};
  }
  BOOST_CHECK_THROW(decode_items(header, {}), wire_error);  // the payload did not come
}
