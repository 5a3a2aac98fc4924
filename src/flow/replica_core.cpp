#include "flow/replica_core.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>

namespace ds::flow {
namespace {

std::string key_text(const item_key& key) {
  return std::to_string(key.seq) + "." + std::to_string(key.part);
}

std::string replica_name(const replica_setup& setup) {
  return setup.plan->name + "#" + std::to_string(setup.replica);
}

} // namespace

replica_core::replica_core(replica_setup setup, link_sender& sender)
  : setup_(std::move(setup)), sender_(sender), log_(replica_name(setup_)),
    context_(setup_.plan->config, *setup_.metrics, *setup_.pools, log_, setup_.where,
             setup_.plan->type->schema),
    inputs_(setup_.plan->type->schema.ordered_input),
    pending_credits_(setup_.upstream_links, 0),
    credit_batch_(std::max<std::uint32_t>(1, setup_.plan->window / 4)),
    phase_since_(std::chrono::steady_clock::now()) {
  for (const auto& port : setup_.plan->type->schema.outputs) {
    outbox_.add_port();
    port_types_.push_back(port.message_type);
  }
  emitted_.resize(port_types_.size());
  next_seq_.resize(port_types_.size(), 0);
  feedback_links_ = static_cast<std::size_t>(
    std::count(setup_.feedback_inbounds.begin(), setup_.feedback_inbounds.end(), true));
}

replica_core::~replica_core() {
  enter(phase::idle);
}

bool replica_core::renumbers() const noexcept {
  return source_ != nullptr || inputs_.ordered() || setup_.plan->type->schema.numbers_output;
}

bool replica_core::is_feedback(inbound_id from) const noexcept {
  return from < setup_.feedback_inbounds.size() && setup_.feedback_inbounds[from];
}

bool replica_core::all_regular_ended() const noexcept {
  return upstream_ended_ - feedback_ended_ == setup_.upstream_links - feedback_links_;
}

void replica_core::enter(phase next) {
  auto now = std::chrono::steady_clock::now();
  auto elapsed = static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::nanoseconds>(now - phase_since_).count());
  auto& m = *setup_.metrics;
  (phase_ == phase::busy ? m.busy_ns : phase_ == phase::blocked ? m.blocked_ns : m.idle_ns)
    .add(elapsed);
  phase_ = next;
  phase_since_ = now;
}

void replica_core::fail(std::string what, bool final) {
  failure_ = std::move(what);
  failure_is_final_ = final;
  state_ = state::failed;
  for (auto& outputs : emitted_)
    outputs.clear();  // a failed call's partial output is dropped; the retry redoes it
  log_.error(failure_);
}

void replica_core::open_stage() {
  stage_ = setup_.plan->type->make();
  source_ = dynamic_cast<source*>(stage_.get());
  enter(phase::busy);
  try {
    stage_->open(context_);
    state_ = state::running;
  } catch (const stage_fatal_error& e) {
    fail("open failed: " + std::string(e.what()), true);
  } catch (const std::exception& e) {
    fail("open failed: " + std::string(e.what()), false);
  }
  enter(phase::idle);
}

void replica_core::start() {
  open_stage();
}

void replica_core::restart() {
  setup_.metrics->restarts.add();
  open_stage();
  if (state_ != state::running || !in_flight_)
    return;
  auto entry = std::move(*in_flight_);
  in_flight_.reset();
  process_entry(std::move(entry), in_flight_attempts_ + 1);
}

void replica_core::emit(port_id port, message_ptr msg) {
  if (port >= port_types_.size())
    throw std::logic_error("stage '" + setup_.plan->name + "' emitted on port index "
                           + std::to_string(port) + " but declares "
                           + std::to_string(port_types_.size()) + " output ports");
  if (!msg)
    throw std::logic_error("stage '" + setup_.plan->name + "' emitted a null message");
  if (msg->type_name() != port_types_[port])
    throw std::logic_error("stage '" + setup_.plan->name + "' emitted a '"
                           + std::string(msg->type_name()) + "' message on port '"
                           + setup_.plan->type->schema.outputs[port].name + "' which carries '"
                           + port_types_[port] + "'");
  if (setup_.plan->type->schema.numbers_output && outbox_.port_connected(port)) {
    // Its own numbering needs no input key, so it leaves now: a consumer can
    // start on it while this call goes on (reduction overlapping backward).
    auto& m = *setup_.metrics;
    m.items_out.add();
    m.bytes_out.add(msg->payload_bytes());
    outbox_.push(port, item{{next_seq_[port]++, 0, true}, std::move(msg)}, sender_);
    sender_.flush();
    return;
  }
  emitted_[port].push_back(std::move(msg));
}

void replica_core::forward_outputs(const item_key* input_key) {
  auto& m = *setup_.metrics;
  for (std::uint32_t port = 0; port < emitted_.size(); ++port) {
    auto& outputs = emitted_[port];
    if (!outbox_.port_connected(port)) {
      outputs.clear();
      continue;
    }
    if (input_key == nullptr && !renumbers() && outbox_.port_needs_gaps(port) && !outputs.empty())
      throw std::logic_error("stage '" + setup_.plan->name + "' emitted "
                             + std::to_string(outputs.size())
                             + " items from close() on a port whose consumers restore order; "
                               "a stage that keeps its input's keys has no key for them");
    if (renumbers() || input_key == nullptr) {
      for (auto& msg : outputs) {
        m.items_out.add();
        m.bytes_out.add(msg->payload_bytes());
        outbox_.push(port, item{{next_seq_[port]++, 0, true}, std::move(msg)}, sender_);
      }
    } else if (outputs.empty()) {
      if (outbox_.port_needs_gaps(port))
        outbox_.push(port, item{*input_key, nullptr}, sender_);
    } else if (outputs.size() == 1) {
      m.items_out.add();
      m.bytes_out.add(outputs.front()->payload_bytes());
      outbox_.push(port, item{*input_key, std::move(outputs.front())}, sender_);
    } else {
      if (input_key->part != 0 || !input_key->final)
        throw std::logic_error("stage '" + setup_.plan->name + "' emitted "
                               + std::to_string(outputs.size()) + " items for part "
                               + key_text(*input_key)
                               + " of a split item; only whole items may be split");
      auto parts = static_cast<std::uint32_t>(outputs.size());
      for (std::uint32_t part = 0; part < parts; ++part) {
        m.items_out.add();
        m.bytes_out.add(outputs[part]->payload_bytes());
        outbox_.push(port, item{{input_key->seq, part, part + 1 == parts},
                                std::move(outputs[part])}, sender_);
      }
    }
    outputs.clear();
  }
}

void replica_core::forward_gap(const item_key& key) {
  if (renumbers())
    return;  // our own output is numbered densely: nothing downstream waits for `key`
  for (std::uint32_t port = 0; port < emitted_.size(); ++port)
    if (outbox_.port_connected(port) && outbox_.port_needs_gaps(port))
      outbox_.push(port, item{key, nullptr}, sender_);
}

void replica_core::receive(inbound_id from, item it) {
  auto& m = *setup_.metrics;
  if (it.payload) {
    m.items_in.add();
    m.bytes_in.add(it.payload->payload_bytes());
  }
  if (is_feedback(from))
    feedback_.push_back({std::move(it), from});
  else
    inputs_.push({std::move(it), from});
  m.queue_depth.set(inputs_.size() + feedback_.size());
}

void replica_core::credit(route_id route, std::uint32_t count) {
  outbox_.add_credit(route, count, sender_);
}

void replica_core::upstream_ended(inbound_id from, bool cut) {
  ++upstream_ended_;
  if (cut && !is_feedback(from))
    context_.mark_input_cut_short();
  if (is_feedback(from))
    ++feedback_ended_;
}

void replica_core::stop_producing() {
  if (producing_)
    context_.mark_input_cut_short();  // a source stopped early: its stream is cut, not complete
  producing_ = false;
}

void replica_core::return_credit(inbound_id from, bool flush_all) {
  if (++pending_credits_[from] >= credit_batch_ || flush_all) {
    sender_.grant_credit(from, pending_credits_[from]);
    pending_credits_[from] = 0;
  }
}

void replica_core::flush_credits() {
  for (inbound_id from = 0; from < pending_credits_.size(); ++from)
    if (pending_credits_[from] > 0) {
      sender_.grant_credit(from, pending_credits_[from]);
      pending_credits_[from] = 0;
    }
}

void replica_core::process_entry(queued_item entry, int attempt) {
  const auto key = entry.it.key;
  const auto from = entry.from;
  if (!entry.it.payload) {
    forward_gap(key);
    return_credit(from, false);
    return;
  }
  enter(phase::busy);
  try {
    stage_->process(entry.it, *this);
  } catch (const stage_fatal_error& e) {
    enter(phase::idle);
    fail("item " + key_text(key) + ": " + e.what(), true);
    return;
  } catch (const std::exception& e) {
    enter(phase::idle);
    std::string what = "process of item " + key_text(key) + " failed (attempt "
                       + std::to_string(attempt) + "): " + e.what();
    if (attempt < 2) {
      in_flight_ = std::move(entry);
      in_flight_attempts_ = attempt;
    } else {
      // Retried once already: report it, keep the stream going without it.
      setup_.metrics->items_failed.add();
      failed_items_.push_back("item " + key_text(key) + ": " + e.what());
      forward_gap(key);
      return_credit(from, false);
    }
    fail(std::move(what), false);
    return;
  }
  enter(phase::idle);
  try {
    forward_outputs(&key);
  } catch (const std::logic_error& e) {
    fail(e.what(), true);  // a composition error: a restart would repeat it
    return;
  }
  return_credit(from, false);
}

void replica_core::produce_once() {
  enter(phase::busy);
  bool more = false;
  try {
    more = source_->produce(*this);
  } catch (const std::exception& e) {
    enter(phase::idle);
    // A fresh source would start over and repeat what was already sent.
    fail("produce failed: " + std::string(e.what()) + " (sources are not restarted)", true);
    return;
  }
  enter(phase::idle);
  forward_outputs(nullptr);
  if (!more)
    producing_ = false;
}

void replica_core::close_stage() {
  enter(phase::busy);
  try {
    stage_->close(*this);
  } catch (const std::exception& e) {
    enter(phase::idle);
    // What the stage buffered is gone with it; a restart cannot bring it back.
    fail("close failed: " + std::string(e.what()), true);
    return;
  }
  enter(phase::idle);
  try {
    forward_outputs(nullptr);
  } catch (const std::logic_error& e) {
    fail(e.what(), true);
    return;
  }
  closed_ = true;
}

void replica_core::process_next(bool feedback) {
  queued_item entry;
  if (feedback) {
    entry = std::move(feedback_.front());
    feedback_.pop_front();
  } else {
    entry = std::move(*inputs_.pop());
  }
  setup_.metrics->queue_depth.set(inputs_.size() + feedback_.size());
  process_entry(std::move(entry), 1);
}

void replica_core::discard_after_close() {
  // Only feedback links are still open after close; their producer must not
  // block for credit on a replica that no longer reads.
  for (; !feedback_.empty(); feedback_.pop_front())
    return_credit(feedback_.front().from, true);
}

bool replica_core::pump(std::size_t budget) {
  for (std::size_t done = 0; state_ == state::running; ++done) {
    if (outbox_.blocked()) {
      if (phase_ != phase::blocked)
        enter(phase::blocked);
      flush_credits();
      return false;
    }
    if (phase_ == phase::blocked)
      enter(phase::idle);
    if (closed_) {
      if (!end_sent_) {
        outbox_.send_end_of_stream(sender_, context_.input_cut_short());
        end_sent_ = true;
      }
      discard_after_close();
      if (upstream_ended_ == setup_.upstream_links)
        state_ = state::finished;
      return false;
    }
    if (done == budget) {
      flush_credits();
      return true;
    }
    if (source_ != nullptr) {
      if (producing_)
        produce_once();
      else
        close_stage();
      continue;
    }
    if (!feedback_.empty()) {
      process_next(true);
      continue;
    }
    const bool ready = stage_->ready_for_input();
    if (ready && inputs_.ready()) {
      process_next(false);
      continue;
    }
    if (!ready && feedback_ended_ == feedback_links_) {
      fail("waits for a feedback input whose stream has ended (" + std::to_string(inputs_.size())
             + " items still queued)",
           true);
      return false;
    }
    if (all_regular_ended()) {
      if (!ready) {
        flush_credits();
        return false;  // the stage (and maybe queued items) wait for feedback
      }
      if (!inputs_.empty()) {
        fail("the stream ended while items waited for item "
               + key_text(inputs_.expected()) + " (an upstream stage lost it)",
             true);
        return false;
      }
      close_stage();
      continue;
    }
    flush_credits();
    return false;
  }
  flush_credits();
  return false;
}

std::vector<std::string> replica_core::take_failed_items() {
  return std::exchange(failed_items_, {});
}

std::vector<std::string> replica_core::take_skipped_items() {
  return context_.take_skipped();
}

std::uint64_t replica_core::declared_total_items() const noexcept {
  return context_.declared_total_items();
}

} // namespace ds::flow
