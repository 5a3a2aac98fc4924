#pragma once
/// Forks the ranks of a one-machine libfabric job for the network benchmarks.

#include "dsflow_build_config.hpp"
#if DSFLOW_HAVE_LIBFABRIC

#include <functional>
#include <string>
#include <vector>

#include "net/libfabric_transport.hpp"

namespace ds::bench {

/// What one rank runs once its transport is connected to every other rank; returns its exit
/// code (0 on success). It runs in a child process: whatever it prints goes to the same stdout.
using rank_body = std::function<int(int rank, int world, net::libfabric_transport& net)>;

/// Forks `world` ranks, each opening a `libfabric_transport` with `fabric`; they exchange
/// addresses through the parent over socketpairs, run `body`, then wait for each other before
/// closing their endpoints (so no rank tears down a connection another still uses). Returns
/// true when every rank exited 0; a rank that throws prints the error naming its rank and
/// provider on stderr.
bool run_forked_ranks(int world, const net::libfabric_options& fabric, const char* bench_name,
                      const rank_body& body);

/// The one-machine providers the network benchmarks measure: shm, and tcp;ofi_rxm on `lo`;
/// only `only` when it is not empty. One this machine cannot open is left out, with a
/// "PROVIDER skipped: why" line.
std::vector<net::libfabric_options> bench_providers(const std::string& only);

} // namespace ds::bench

#endif
