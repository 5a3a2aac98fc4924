#define BOOST_TEST_MODULE launch_wire
#include <boost/test/unit_test.hpp>

#include "launch/coordinator.hpp"
#include "launch/job_token.hpp"
#include "launch/launch_error.hpp"
#include "launch/tcp.hpp"
#include "launch/wire.hpp"
#include "../support/test_text.hpp"

using namespace ds::launch;
using ds::test::contains;
using ds::test::error_of;

BOOST_AUTO_TEST_CASE(a_hello_survives_encoding_with_binary_address_bytes) {
  wire::hello hello;
  hello.rank = 3;
  hello.world_size = 8;
  hello.token = "secret";
  hello.address = {std::byte{0}, std::byte{0xff}, std::byte{7}};
  auto decoded = wire::decode_hello(wire::encode_hello(hello));
  BOOST_TEST(decoded.rank == 3u);
  BOOST_TEST(decoded.world_size == 8u);
  BOOST_TEST(decoded.token == "secret");
  BOOST_TEST((decoded.address == hello.address));
}

BOOST_AUTO_TEST_CASE(a_truncated_or_foreign_hello_is_refused) {
  auto bytes = wire::encode_hello({});
  bytes.pop_back();
  BOOST_TEST(contains(error_of<launch_error>([&] { wire::decode_hello(bytes); }), "truncated"));
  std::vector<std::byte> http(16, std::byte{'G'});
  BOOST_TEST(contains(error_of<launch_error>([&] { wire::decode_hello(http); }), "not a dsflow"));
}

BOOST_AUTO_TEST_CASE(an_address_table_keeps_empty_and_binary_addresses_by_rank) {
  std::vector<wire::bytes> table{{}, {std::byte{1}, std::byte{2}}, {}};
  BOOST_TEST((wire::decode_table(wire::encode_table(table)) == table));
}

BOOST_AUTO_TEST_CASE(tokens_compare_equal_only_when_identical) {
  BOOST_TEST(tokens_equal("abc123", "abc123"));
  BOOST_TEST(!tokens_equal("abc123", "abc124"));
  BOOST_TEST(!tokens_equal("abc123", "abc12"));
  BOOST_TEST(!tokens_equal("abc123", "abc1234"));
  BOOST_TEST(!tokens_equal("abc123", ""));
  BOOST_TEST(tokens_equal("", ""));
}

BOOST_AUTO_TEST_CASE(generated_tokens_are_32_hex_digits_and_differ) {
  auto a = generate_job_token();
  auto b = generate_job_token();
  BOOST_TEST(a.size() == 32u);
  BOOST_TEST(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  BOOST_TEST(a != b);
}

BOOST_AUTO_TEST_CASE(host_port_accepts_names_ipv4_and_bracketed_ipv6) {
  BOOST_TEST(parse_host_port("node01:29500", "x").host == "node01");
  BOOST_TEST(parse_host_port("node01:29500", "x").port == 29500);
  BOOST_TEST(parse_host_port("[::1]:80", "x").host == "::1");
  BOOST_TEST(parse_host_port("[::1]:80", "x").text() == "[::1]:80");
  BOOST_TEST(contains(error_of<launch_error>([] { parse_host_port(":80", "DS_COORDINATOR"); }),
                      "DS_COORDINATOR=':80' has no host"));
  BOOST_TEST(contains(error_of<launch_error>([] { parse_host_port("::1:80", "x"); }), "IPv6"));
}

BOOST_AUTO_TEST_CASE(rank_lists_read_as_english) {
  BOOST_TEST(describe_ranks({2}) == "rank 2");
  BOOST_TEST(describe_ranks({1, 3}) == "ranks 1 and 3");
  BOOST_TEST(describe_ranks({1, 2, 5}) == "ranks 1, 2 and 5");
}
