#define BOOST_TEST_MODULE net_error
#include <boost/test/unit_test.hpp>

#include <rdma/fi_errno.h>

#include <cstdlib>

#include "net/fabric_wire.hpp"
#include "net/fi_check.hpp"
#include "net/libfabric_transport.hpp"

namespace {

/// Stands in for a libfabric call in the macro test: returns the code given.
long fi_tsend_stand_in(long code) {
  return code;
}

bool contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos)
    return true;
  BOOST_TEST_MESSAGE("'" << part << "' is not in: " << text);
  return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_failed_fi_call_names_the_call_provider_code_and_place) {
  int line = 0;
  try {
    line = __LINE__ + 1;
    DS_FI_CHECK("tcp;ofi_rxm", fi_tsend_stand_in(-FI_EAGAIN));
    BOOST_FAIL("expected a net_error");
  } catch (const ds::net::net_error& error) {
    std::string text = error.what();
    BOOST_TEST(contains(text, "fi_tsend_stand_in (provider tcp;ofi_rxm): -FI_EAGAIN Resource "
                              "temporarily unavailable at "));
    BOOST_TEST(contains(text, "tests/net/net_error_test.cpp:" + std::to_string(line)));
    BOOST_TEST(error.fabric_code() == -FI_EAGAIN);
    BOOST_TEST(error.code() == ds::net::net_errc::fabric);
  }
}

BOOST_AUTO_TEST_CASE(a_successful_fi_call_returns_its_value) {
  BOOST_TEST(DS_FI_CHECK("shm", 5L) == 5);
}

BOOST_AUTO_TEST_CASE(asynchronous_errors_carry_peer_tag_and_detail) {
  auto error = DS_FI_ERROR("shm", "fi_read", -FI_ETRUNC, 3, 17, "reading transfer 9");
  BOOST_TEST(contains(error.what(), "fi_read (provider shm, peer 3, tag 17): -FI_ETRUNC "));
  BOOST_TEST(contains(error.what(), "(reading transfer 9) at tests/net/net_error_test.cpp:"));
  BOOST_TEST(error.peer() == 3);
  BOOST_TEST(error.tag() == 17u);
}

BOOST_AUTO_TEST_CASE(every_libfabric_code_has_a_name) {
  BOOST_TEST(ds::net::fi_code_name(-FI_ENODATA) == "FI_ENODATA");
  BOOST_TEST(ds::net::fi_code_name(FI_ENORX) == "FI_ENORX");
  BOOST_TEST(ds::net::fi_code_name(-9999) == "FI_E9999");
}

BOOST_AUTO_TEST_CASE(an_address_round_trips_and_a_bad_one_names_its_rank) {
  ds::net::wire::endpoint_address address{"shm", 16384, {std::byte{1}, std::byte{2}}};
  auto bytes = ds::net::wire::encode(address);
  auto back = ds::net::wire::decode(bytes, 0);
  BOOST_TEST(back.provider == "shm");
  BOOST_TEST(back.eager_threshold == 16384u);
  BOOST_TEST((back.raw == address.raw));
  bytes.pop_back();
  BOOST_CHECK_EXCEPTION(ds::net::wire::decode(bytes, 4), ds::net::net_error,
                        [](const ds::net::net_error& error) {
                          return contains(error.what(), "the address of rank 4")
                                 && contains(error.what(), "it ends early");
                        });
  BOOST_CHECK_THROW(ds::net::wire::decode({std::byte{'x'}}, 1), ds::net::net_error);
}

BOOST_AUTO_TEST_CASE(an_unknown_provider_is_refused_by_fi_getinfo_naming_it) {
  ds::net::libfabric_options options;
  options.provider = "no_such_provider";
  BOOST_CHECK_EXCEPTION(ds::net::libfabric_transport{options}, ds::net::net_error,
                        [](const ds::net::net_error& error) {
                          return contains(error.what(),
                                          "fi_getinfo (provider no_such_provider): -FI_ENODATA")
                                 && contains(error.what(), "no RDM endpoint with tagged");
                        });
  std::string why;
  BOOST_TEST(!ds::net::libfabric_available(options, &why));
  BOOST_TEST(contains(why, "no_such_provider"));
}

BOOST_AUTO_TEST_CASE(the_provider_comes_from_the_argument_then_fi_provider_then_tcp) {
  BOOST_TEST(ds::net::resolve_provider("shm") == "shm");
  ::setenv("FI_PROVIDER", "sockets", 1);
  BOOST_TEST(ds::net::resolve_provider("") == "sockets");
  ::unsetenv("FI_PROVIDER");
  BOOST_TEST(ds::net::resolve_provider("") == "tcp;ofi_rxm");
}
