// JudgeClone3: which clone3 calls the runner may issue (those that fail before
// creating a task), judged on a mirror of the task's buffers.
#include "scenarios/clone3_guard.h"

#include <boost/test/unit_test.hpp>
#include <map>

namespace sclab::scn {
namespace {

constexpr uint64_t kArgs = 0x7f0000003f00;  // a 256-byte buffer ending at 0x7f0000004000
constexpr uint64_t kTids = 0x7f0000008ffc;  // a 4-byte buffer

struct Memory {
  std::map<uint64_t, uint8_t> bytes;

  Memory() {
    for (uint64_t i = 0; i < 256; ++i) {
      bytes[kArgs + i] = 0;
    }
    for (uint64_t i = 0; i < 4; ++i) {
      bytes[kTids + i] = 0;
    }
  }
  void Put(uint64_t addr, uint64_t value) {
    for (size_t i = 0; i < 8; ++i) {
      bytes[addr + i] = static_cast<uint8_t>(value >> (8 * i));
    }
  }
  Clone3Memory View() {
    Clone3Memory m;
    m.buffer_at = [](uint64_t addr) -> std::optional<std::pair<uint64_t, uint64_t>> {
      if (addr >= kArgs && addr < kArgs + 256) {
        return std::pair(kArgs, uint64_t{256});
      }
      if (addr >= kTids && addr < kTids + 4) {
        return std::pair(kTids, uint64_t{4});
      }
      return std::nullopt;
    };
    m.read = [this](uint64_t addr, uint64_t len) {
      std::vector<uint8_t> out;
      for (uint64_t i = 0; i < len; ++i) {
        out.push_back(bytes.at(addr + i));
      }
      return out;
    };
    return m;
  }
};

BOOST_AUTO_TEST_SUITE(scn_clone3_guard)

BOOST_AUTO_TEST_CASE(size_and_fault_failures_are_issued) {
  Memory mem;
  mem.Put(kArgs + 32, 17);  // exit_signal = SIGCHLD: a valid clone
  BOOST_TEST((JudgeClone3(kArgs, 8, mem.View()) == Clone3Verdict::kFails));     // < VER0
  BOOST_TEST((JudgeClone3(kArgs, 4097, mem.View()) == Clone3Verdict::kFails));  // > PAGE_SIZE
  BOOST_TEST((JudgeClone3(0, 64, mem.View()) == Clone3Verdict::kFails));        // EFAULT
  BOOST_TEST((JudgeClone3(0x1000, 64, mem.View()) == Clone3Verdict::kFails));   // bad_addr
  // 64 bytes starting 200 bytes into a 256-byte buffer run into the unmapped page.
  BOOST_TEST((JudgeClone3(kArgs + 200, 64, mem.View()) == Clone3Verdict::kFails));
}

BOOST_AUTO_TEST_CASE(a_valid_clone_would_create_a_task) {
  Memory mem;
  mem.Put(kArgs + 32, 17);
  BOOST_TEST((JudgeClone3(kArgs, 64, mem.View()) == Clone3Verdict::kWouldCreate));
  BOOST_TEST((JudgeClone3(kArgs, 88, mem.View()) == Clone3Verdict::kWouldCreate));
  mem.Put(kArgs, 0x00010000);  // CLONE_THREAD with an exit signal: EINVAL
  BOOST_TEST((JudgeClone3(kArgs, 88, mem.View()) == Clone3Verdict::kFails));
}

BOOST_AUTO_TEST_CASE(set_tid_is_read_from_its_own_buffer) {
  Memory mem;
  mem.Put(kArgs + 64, kTids);  // set_tid
  mem.Put(kArgs + 72, 1);      // set_tid_size
  BOOST_TEST((JudgeClone3(kArgs, 88, mem.View()) == Clone3Verdict::kWouldCreate));
  mem.Put(kArgs + 72, 2);  // two pids: the second is past the buffer's end
  BOOST_TEST((JudgeClone3(kArgs, 88, mem.View()) == Clone3Verdict::kFails));
  mem.Put(kArgs + 64, 0x1000);  // bad_addr
  BOOST_TEST((JudgeClone3(kArgs, 88, mem.View()) == Clone3Verdict::kFails));
}

BOOST_AUTO_TEST_CASE(pointers_outside_the_buffers_cannot_be_judged) {
  Memory mem;
  BOOST_TEST((JudgeClone3(0x7f0000100000, 64, mem.View()) == Clone3Verdict::kUnknown));
  mem.Put(kArgs + 64, 0x7f0000100000);
  mem.Put(kArgs + 72, 1);
  BOOST_TEST((JudgeClone3(kArgs, 88, mem.View()) == Clone3Verdict::kUnknown));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::scn
