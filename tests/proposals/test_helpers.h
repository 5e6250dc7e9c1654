// Shared helpers for the proposal tests (on top of the model tests' printers and
// ExpectFails): a CompatCell printer, placing bytes in simulated user memory, counters.
#pragma once

#include <boost/test/unit_test.hpp>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "kernel_sim/proposals/notification_queue.h"
#include "kernel_sim/proposals/proposal.h"
#include "model/copy.h"
#include "model/errno.h"
#include "model/user_memory.h"
#include "tests/model/test_helpers.h"

namespace sclab::ksim::proposals {

using model::ExpectFails;

inline std::ostream& operator<<(std::ostream& os, const CompatCell& c) {
  return os << AbiName(c.user) << " user on " << AbiName(c.kernel) << " kernel: " << c.Label()
            << " (" << c.detail << ")";
}

inline std::ostream& operator<<(std::ostream& os, ModelQueue::State s) {
  return os << (s == ModelQueue::State::kInit   ? "INIT"
                : s == ModelQueue::State::kSent ? "SENT"
                                                : "REPLIED");
}

// ExpectLabels checks a plug-in's matrix (old/old, old/new, new/old, new/new).
inline void ExpectLabels(const Proposal& p, const std::vector<std::string>& labels) {
  const std::vector<CompatCell> cells = p.CompatMatrix();
  BOOST_TEST_REQUIRE(cells.size() == labels.size());
  for (size_t i = 0; i < cells.size(); ++i) BOOST_TEST(cells[i].Label() == labels[i], cells[i]);
}

// Place writes `bytes` at the end of a fresh mapping and returns their address.
inline uint64_t Place(model::UserMemory& mem, std::span<const uint8_t> bytes) {
  const uint64_t a = mem.AllocBuffer(bytes.size());
  BOOST_TEST_REQUIRE(mem.Write(a, bytes).ok());
  return a;
}

// ReadBack returns `len` bytes at `addr`.
inline std::vector<uint8_t> ReadBack(const model::UserMemory& mem, uint64_t addr, uint64_t len) {
  std::vector<uint8_t> out(len);
  BOOST_TEST_REQUIRE(mem.Read(addr, out).ok());
  return out;
}

// Counters builds a CopyCounters literal: to-user ops/bytes, from-user ops/bytes.
inline model::CopyCounters Counters(uint64_t to_ops, uint64_t to_bytes, uint64_t from_ops,
                                    uint64_t from_bytes) {
  return model::CopyCounters{to_ops, to_bytes, from_ops, from_bytes};
}

}  // namespace sclab::ksim::proposals
