#include "flow/outbox.hpp"

#include <stdexcept>

namespace ds::flow {

std::uint32_t outbox::add_port() {
  ports_.emplace_back();
  return static_cast<std::uint32_t>(ports_.size() - 1);
}

std::size_t outbox::add_group(std::uint32_t port, bool needs_gaps) {
  ports_.at(port).push_back(group{{}, {}, needs_gaps});
  return ports_[port].size() - 1;
}

route_id outbox::add_route(std::uint32_t port, std::size_t group_index, std::uint32_t window) {
  if (window == 0)
    throw std::invalid_argument("outbox: a route needs a window of at least 1 credit");
  auto id = static_cast<route_id>(routes_.size());
  routes_.push_back(route{window, window, port, group_index});
  ports_.at(port).at(group_index).routes.push_back(id);
  return id;
}

outbox::route* outbox::best_route(group& g, route_id& chosen) {
  route* best = nullptr;
  for (auto id : g.routes) {
    auto& r = routes_[id];
    if (r.credits > 0 && (best == nullptr || r.credits > best->credits)) {
      best = &r;
      chosen = id;
    }
  }
  return best;
}

void outbox::push(std::uint32_t port, const item& it, link_sender& sender) {
  for (auto& g : ports_[port]) {
    if (!it.payload && !g.needs_gaps)
      continue;
    // Keep the group's order: nothing overtakes items already waiting.
    if (!g.waiting.empty()) {
      g.waiting.push_back(it);
      ++queued_items_;
      continue;
    }
    route_id id = 0;
    if (auto* r = best_route(g, id)) {
      --r->credits;
      sender.send_item(id, it);
    } else {
      g.waiting.push_back(it);
      ++queued_items_;
    }
  }
}

void outbox::drain(group& g, link_sender& sender) {
  route_id id = 0;
  while (!g.waiting.empty()) {
    auto* r = best_route(g, id);
    if (r == nullptr)
      return;
    --r->credits;
    sender.send_item(id, std::move(g.waiting.front()));
    g.waiting.pop_front();
    --queued_items_;
  }
}

void outbox::add_credit(route_id id, std::uint32_t count, link_sender& sender) {
  auto& r = routes_.at(id);
  if (r.credits + count > r.window)
    throw std::logic_error("outbox: route " + std::to_string(id) + " was granted "
                           + std::to_string(count) + " credits beyond its window of "
                           + std::to_string(r.window));
  r.credits += count;
  drain(ports_[r.port][r.group], sender);
}

void outbox::send_end_of_stream(link_sender& sender, bool cut) {
  if (blocked())
    throw std::logic_error("outbox: end of stream while items still wait for credits");
  for (route_id id = 0; id < routes_.size(); ++id)
    sender.send_end_of_stream(id, cut);
}

bool outbox::port_needs_gaps(std::uint32_t port) const noexcept {
  for (const auto& g : ports_[port])
    if (g.needs_gaps)
      return true;
  return false;
}

std::uint32_t outbox::in_flight(route_id id) const noexcept {
  return routes_[id].window - routes_[id].credits;
}

} // namespace ds::flow
