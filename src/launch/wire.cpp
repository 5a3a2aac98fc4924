#include "launch/wire.hpp"

#include <algorithm>

#include "launch/launch_error.hpp"

namespace ds::launch::wire {

namespace {

constexpr std::uint32_t hello_magic = 0x44535256;  // "DSRV"

} // namespace

writer& writer::u8(std::uint8_t value) {
  out_.push_back(static_cast<std::byte>(value));
  return *this;
}

writer& writer::u32(std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out_.push_back(static_cast<std::byte>(value >> shift));
  return *this;
}

writer& writer::u64(std::uint64_t value) {
  u32(static_cast<std::uint32_t>(value >> 32));
  return u32(static_cast<std::uint32_t>(value));
}

writer& writer::blob(std::span<const std::byte> value) {
  u32(static_cast<std::uint32_t>(value.size()));
  out_.insert(out_.end(), value.begin(), value.end());
  return *this;
}

writer& writer::text(const std::string& value) {
  return blob(std::as_bytes(std::span{value.data(), value.size()}));
}

std::span<const std::byte> reader::take(std::size_t n) {
  if (in_.size() - pos_ < n)
    throw launch_error("malformed rendezvous message (truncated)");
  auto part = in_.subspan(pos_, n);
  pos_ += n;
  return part;
}

std::uint8_t reader::u8() {
  return std::to_integer<std::uint8_t>(take(1)[0]);
}

std::uint32_t reader::u32() {
  std::uint32_t value = 0;
  for (auto b : take(4))
    value = (value << 8) | std::to_integer<std::uint32_t>(b);
  return value;
}

std::uint64_t reader::u64() {
  std::uint64_t high = u32();
  return (high << 32) | u32();
}

bytes reader::blob() {
  auto size = u32();
  auto part = take(size);
  return {part.begin(), part.end()};
}

std::string reader::text() {
  auto part = blob();
  return {reinterpret_cast<const char*>(part.data()), part.size()};
}

bytes encode_hello(const hello& message) {
  return writer{}
    .u32(hello_magic)
    .u32(message.version)
    .u32(message.rank)
    .u32(message.world_size)
    .text(message.token)
    .blob(message.address)
    .take();
}

hello decode_hello(std::span<const std::byte> payload) {
  reader in{payload};
  if (payload.size() < 8 || in.u32() != hello_magic)
    throw launch_error("not a dsflow rendezvous hello");
  hello message;
  message.version = in.u32();
  if (message.version != protocol_version)
    throw launch_error("rendezvous protocol version " + std::to_string(message.version)
                       + ", this coordinator speaks " + std::to_string(protocol_version)
                       + " (mixed dsflow versions?)");
  message.rank = in.u32();
  message.world_size = in.u32();
  message.token = in.text();
  message.address = in.blob();
  if (!in.at_end())
    throw launch_error("malformed rendezvous hello (trailing bytes)");
  return message;
}

bytes encode_table(const std::vector<bytes>& addresses) {
  writer out;
  out.u32(static_cast<std::uint32_t>(addresses.size()));
  for (const auto& address : addresses)
    out.blob(address);
  return out.take();
}

std::vector<bytes> decode_table(std::span<const std::byte> payload) {
  reader in{payload};
  auto count = in.u32();
  if (count > payload.size() / 4)
    throw launch_error("malformed address table");
  std::vector<bytes> addresses(count);
  for (auto& address : addresses)
    address = in.blob();
  return addresses;
}

} // namespace ds::launch::wire
