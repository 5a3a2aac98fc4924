#pragma once
// A link_sender that records what a replica sends, for flow tests without actors.

#include <cstdint>
#include <utility>
#include <vector>

#include "flow/link_sender.hpp"

namespace ds::test {

struct recording_sender final : flow::link_sender {
  std::vector<std::pair<flow::route_id, item>> items;
  std::vector<flow::route_id> ends;
  std::vector<std::pair<flow::inbound_id, std::uint32_t>> credits;

  void send_item(flow::route_id route, item it) override { items.emplace_back(route, std::move(it)); }
  std::vector<bool> cuts;
  void send_end_of_stream(flow::route_id route, bool cut) override {
    ends.push_back(route);
    cuts.push_back(cut);
  }
  void grant_credit(flow::inbound_id inbound, std::uint32_t count) override {
    credits.emplace_back(inbound, count);
  }
  std::uint32_t credits_to(flow::inbound_id inbound) const {
    std::uint32_t total = 0;
    for (auto [to, count] : credits)
      if (to == inbound)
        total += count;
    return total;
  }
};

} // namespace ds::test
